/**
 * `wso2-harden switch` against a real ELBv2 API (moto_server on loopback): target groups with registered
 * EC2 instances, their health read with the AWS SDK in the region the edge stack's own configuration
 * names, the health gate, the switch and the rollback. The Automation API side is a fake: Pulumi stacks in
 * memory whose `up` renders the routing output from the config, as the program does.
 *
 * What moto can and cannot show: a registered running instance is `healthy`, a registered stopped one
 * `unused` (Target.InvalidState), a terminated one disappears from the group. Moto never reports
 * `initial` or `unhealthy` (it runs no health checks), nor `draining` for a registered target. The gate
 * counts only `healthy` targets, so every one of those states counts as not healthy; the worst case moto
 * offers (a destination whose instances stop, before the switch or right after the update) stands for
 * them here.
 */
import { strict as assert } from "assert";
import {
    CreateTargetGroupCommand,
    ElasticLoadBalancingV2Client,
    RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { parseSettings } from "../../config/settings";
import { switchTraffic, type Color } from "../../cli/switch";
import { automationWorkspace, switchDependencies, type AutomationStack } from "../../cli/switch/deps";
import { Moto, runOk } from "../host/helpers";

/** The edge stack's region; the process's own AWS region is set elsewhere, so only the config can lead here. */
const REGION = "ap-southeast-2";
const NS = "wso2-hardening";
const EDGE = "acme-edge";
const CLUSTERS: Record<Color, string> = { blue: "acme/wso2-hardening/acme-blue-2026", green: "acme/wso2-hardening/acme-green-2026" };
const PORTS = [8243, 9443];
const AMI = "ami-03cf127a"; // an image of moto's own catalog

type ConfigMap = Record<string, { value: string; secret?: boolean }>;

/** A Pulumi stack in memory. The edge's `up` answers with the routing its config asks for, like stacks/index.ts. */
class FakeStack implements AutomationStack {
    ups = 0;
    /** Runs inside `up`, after the config is read (what happens to the fleet while the update runs). */
    duringUp?: () => void;
    constructor(
        public config: ConfigMap,
        readonly stackOutputs: Record<string, unknown> = {},
    ) {}
    async getAllConfig() {
        return { ...this.config };
    }
    async setAllConfig(config: ConfigMap) {
        this.config = { ...this.config, ...config };
    }
    async up() {
        this.ups++;
        const settings = parseSettings((key) => this.config[`${NS}:${key}`]?.value);
        this.duringUp?.();
        return { outputs: { routing: { value: { activeColor: settings.activeColor, canaryWeight: settings.canaryWeight } } } };
    }
    async outputs() {
        return Object.fromEntries(Object.entries(this.stackOutputs).map(([k, v]) => [k, { value: v }]));
    }
}

describe("wso2-harden switch against moto_server's ELBv2 API (region and color stacks from the edge stack's config)", function () {
    this.timeout(180000);
    const moto = new Moto();
    const saved: Record<string, string | undefined> = {};
    const instances: Record<Color, string[]> = { blue: [], green: [] };
    const targetGroups: Record<Color, string[]> = { blue: [], green: [] };
    let stacks: Map<string, FakeStack>;
    let lines: string[];

    const ec2 = (args: string[]) => JSON.parse(runOk("aws", ["--region", REGION, "ec2", ...args, "--output", "json"], { env: moto.env(), timeoutMs: 60000 }));
    const setState = (action: "stop-instances" | "start-instances", ids: string[]) => ec2([action, "--instance-ids", ...ids]);

    const edge = () => stacks.get(EDGE)!;
    const routingConfig = () => ({ activeColor: edge().config[`${NS}:activeColor`]?.value, canaryWeight: edge().config[`${NS}:canaryWeight`]?.value });

    async function run(request: Parameters<typeof switchTraffic>[0]) {
        const workspace = await automationWorkspace(EDGE, async (name) => {
            const stack = stacks.get(name);
            if (!stack) throw new Error(`no stack named ${name}`);
            return stack;
        });
        lines = [];
        return switchTraffic(request, await switchDependencies(workspace, (l) => lines.push(l)));
    }

    before(async function () {
        await moto.start();
        // The SDK reads credentials and the endpoint from the environment; its region is deliberately not the stack's.
        const env: NodeJS.ProcessEnv = { ...moto.env(), AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-east-1" };
        for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED"]) {
            saved[key] = process.env[key];
            process.env[key] = env[key];
        }
        const vpc = ec2(["create-vpc", "--cidr-block", "10.60.0.0/16"]).Vpc.VpcId;
        const subnet = ec2(["create-subnet", "--vpc-id", vpc, "--cidr-block", "10.60.1.0/24"]).Subnet.SubnetId;
        const launched = ec2(["run-instances", "--image-id", AMI, "--instance-type", "m6i.xlarge", "--subnet-id", subnet, "--count", "4"]).Instances.map((i: { InstanceId: string }) => i.InstanceId);
        instances.blue = launched.slice(0, 2);
        instances.green = launched.slice(2);

        const elb = new ElasticLoadBalancingV2Client({ region: REGION });
        for (const color of ["blue", "green"] as Color[]) {
            for (const port of PORTS) {
                const created = await elb.send(
                    new CreateTargetGroupCommand({ Name: `acme-${color}-${port}`, Protocol: "HTTPS", Port: port, VpcId: vpc, TargetType: "instance" }),
                );
                const arn = created.TargetGroups![0].TargetGroupArn!;
                await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: instances[color].map((Id) => ({ Id, Port: port })) }));
                targetGroups[color].push(arn);
            }
        }
        elb.destroy();
    });

    after(async function () {
        await moto.stop();
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    });

    beforeEach(function () {
        const tgOutputs = (color: Color) => ({ targetGroupArns: Object.fromEntries(PORTS.map((p, i) => [String(p), targetGroups[color][i]])) });
        stacks = new Map([
            [
                EDGE,
                new FakeStack({
                    "aws:region": { value: REGION },
                    [`${NS}:environment`]: { value: "prod" },
                    [`${NS}:role`]: { value: "edge" },
                    [`${NS}:blueStack`]: { value: CLUSTERS.blue },
                    [`${NS}:greenStack`]: { value: CLUSTERS.green },
                    [`${NS}:activeColor`]: { value: "blue" },
                    [`${NS}:canaryWeight`]: { value: "0" },
                    [`${NS}:domainName`]: { value: "api.example.com" },
                }),
            ],
            [CLUSTERS.blue, new FakeStack({}, tgOutputs("blue"))],
            [CLUSTERS.green, new FakeStack({}, tgOutputs("green"))],
        ]);
    });

    afterEach(function () {
        setState("start-instances", [...instances.blue, ...instances.green]);
    });

    it("refuses a destination with a stopped instance (moto: `unused`), updating nothing", async () => {
        setState("stop-instances", [instances.green[1]]);
        const out = await run({ to: "green" });
        assert.equal(out.status, "refused");
        assert.match((out as { reason: string }).reason, new RegExp(`green target group ${targetGroups.green[0].replace(/[/.]/g, "\\$&")} has 1 healthy targets, 2 required`));
        assert.equal(edge().ups, 0);
        assert.deepEqual(routingConfig(), { activeColor: "blue", canaryWeight: "0" });
    });

    it("a canary is gated too: 10% to a green with no healthy target is refused", async () => {
        setState("stop-instances", instances.green);
        const out = await run({ to: "green", weight: 10 });
        assert.equal(out.status, "refused");
        assert.match((out as { reason: string }).reason, /has 0 healthy targets/);
        assert.equal(edge().ups, 0);
    });

    it("switches to a healthy destination: one update, routing and the previous routing in the edge stack's config", async () => {
        const out = await run({ to: "green" });
        assert.equal(out.status, "switched", lines.join("\n"));
        assert.equal(edge().ups, 1);
        assert.deepEqual(routingConfig(), { activeColor: "green", canaryWeight: "0" });
        assert.equal(edge().config[`${NS}:previousActiveColor`].value, "blue");
    });

    it("rolls back when the post-check finds the destination unhealthy after the update", async () => {
        edge().duringUp = () => {
            if (edge().config[`${NS}:activeColor`].value === "green") setState("stop-instances", [instances.green[0]]);
        };
        const out = await run({ to: "green" });
        assert.equal(out.status, "rolled-back");
        assert.match((out as { reason: string }).reason, /green target group .* has 1 healthy targets, 2 required/);
        assert.equal(edge().ups, 2, "a second update restored the previous routing");
        assert.deepEqual(routingConfig(), { activeColor: "blue", canaryWeight: "0" });
        assert.match(lines.join("\n"), /restoring blue active \(100% blue \/ 0% green\)/);
    });

    it("reads health in the edge stack's region, not the process's: another region's config finds no target group", async () => {
        edge().config["aws:region"] = { value: "eu-west-1" };
        await assert.rejects(run({ to: "green" }), /TargetGroupNotFound|target group/i);
        assert.equal(edge().ups, 0);
    });
});
