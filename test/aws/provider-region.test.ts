/**
 * Components honour an explicit provider: planned with the CLI, everything the components create under
 * an `aws.Provider` for eu-west-1 is managed by that provider, and every region-dependent value (ARNs,
 * zones, service names, key policies, the nodes' rendered configuration) is eu-west-1's, although the
 * stack's own region (the default provider's) is us-east-1.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { readJson, REPO, runCli, tempDir } from "../support/cli";

const PROGRAM = path.join(REPO, "test", "fixtures", "second-region");

interface Planned {
    urn: string;
    type: string;
    provider: string | null;
    inputs: Record<string, any>;
    outputs: Record<string, any>;
}

function plan(out: string, extra: string[] = []): { resources: Planned[]; text: string; artifacts: string } {
    const r = runCli(["plan", "--program", PROGRAM, "--stack", "dev", "--out", out, ...extra]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const text = fs.readFileSync(path.join(out, "plan.json"), "utf8");
    const index = readJson<{ path: string }[]>(path.join(out, "artifacts", "index.json"));
    const artifacts = index.map((a) => fs.readFileSync(path.join(out, "artifacts", a.path), "utf8")).join("\n");
    return { resources: JSON.parse(text).resources, text, artifacts };
}

describe("components under an explicit provider of a second region", function () {
    this.timeout(300_000);
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    let explicit: ReturnType<typeof plan>;

    before(() => {
        const out = tempDir("region");
        dirs.push(out);
        explicit = plan(out);
    });

    it("every AWS resource of the components is managed by that provider", () => {
        const provider = explicit.resources.find((r) => r.type === "pulumi:providers:aws");
        assert.ok(provider, "the explicit provider is planned");
        const aws = explicit.resources.filter((r) => r.type.startsWith("aws:"));
        assert.ok(aws.length > 80, `${aws.length} AWS resources`);
        for (const type of ["aws:ec2/launchTemplate:LaunchTemplate", "aws:autoscaling/group:Group", "aws:lb/loadBalancer:LoadBalancer", "aws:ec2/vpc:Vpc"]) {
            assert.ok(aws.some((r) => r.type === type), `no ${type} planned`);
        }
        const others = aws.filter((r) => !r.provider?.startsWith(`${provider.urn}::`));
        assert.deepEqual(others.map((r) => r.urn), []);
    });

    it("takes ARNs, zones, service names and key policies from eu-west-1, nothing from the stack's us-east-1", () => {
        assert.ok(!explicit.text.includes("us-east-1"), "a value of the default provider's region leaked into the plan");
        const subnets = explicit.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet");
        assert.deepEqual(subnets.map((s) => s.inputs.availabilityZone).sort(), ["eu-west-1a", "eu-west-1a", "eu-west-1b", "eu-west-1b"]);
        const endpoint = explicit.resources.find((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint")!;
        assert.equal(endpoint.inputs.serviceName, "com.amazonaws.eu-west-1.s3");
        const keys = explicit.resources.filter((r) => r.type === "aws:kms/key:Key");
        for (const k of keys) assert.match(k.outputs.arn, /^arn:aws:kms:eu-west-1:/);
        assert.ok(keys.some((k) => String(k.inputs.policy).includes("logs.eu-west-1.amazonaws.com")));
        const alb = explicit.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")!;
        assert.match(alb.outputs.arn, /^arn:aws:elasticloadbalancing:eu-west-1:/);
        const role = explicit.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && String(r.inputs.policy).includes("kms:ViaService"))!;
        assert.match(String(role.inputs.policy), /secretsmanager\.eu-west-1\.amazonaws\.com/);
    });

    it("renders the nodes' configuration for eu-west-1 (clustering discovery, backups, logs)", () => {
        assert.match(explicit.artifacts, /eu-west-1/);
        assert.ok(!explicit.artifacts.includes("us-east-1"));
    });

    it("without the explicit provider the same program lands in the stack's us-east-1 (the check can fail)", () => {
        const out = tempDir("region-default");
        dirs.push(out);
        const implicit = plan(out, ["--config", "second-region:explicitProvider=false"]);
        assert.ok(!implicit.resources.some((r) => r.type === "pulumi:providers:aws"));
        const endpoint = implicit.resources.find((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint")!;
        assert.equal(endpoint.inputs.serviceName, "com.amazonaws.us-east-1.s3");
        assert.ok(!implicit.text.includes("eu-west-1"));
    });
});
