/**
 * Blue-green and canary routing at the edge, through the command a user runs: `wso2-harden plan --stack
 * prod-edge` plans prod-blue and prod-green first, reads their outputs through StackReferences and
 * forwards to both colors' target groups with the configured weights.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { readJson, REPO, runCli, tempDir } from "../support/cli";

interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    id: string | null;
    parent: string | null;
    inputs: Record<string, any>;
    outputs: Record<string, any>;
}

interface PlanRun {
    code: number | null;
    stderr: string;
    out: string;
    resources: PlannedResource[];
    outputs: Record<string, any>;
    mandatory: unknown[];
}

const NS = "wso2-hardening";
const LISTENER_RULE = "aws:lb/listenerRule:ListenerRule";

/** Every (path, value) pair where two JSON values differ, paths like `actions[0].forward.targetGroups[1].weight`. */
function differences(a: unknown, b: unknown, at = ""): { path: string; a: unknown; b: unknown }[] {
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
        const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
        return [...keys].flatMap((k) =>
            differences((a as any)[k], (b as any)[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k),
        );
    }
    return a === b ? [] : [{ path: at, a, b }];
}

/** Target group ARN to weight, for every forward action of the plan's listener rules. */
function forwards(run: PlanRun): { rule: string; weights: Map<string, number>; stickiness: unknown }[] {
    return run.resources
        .filter((r) => r.type === LISTENER_RULE)
        .flatMap((r) =>
            (r.inputs.actions as any[])
                .filter((a) => a.type === "forward")
                .map((a) => ({
                    rule: r.name,
                    weights: new Map<string, number>(a.forward.targetGroups.map((g: any) => [g.arn, g.weight])),
                    stickiness: a.forward.stickiness,
                })),
        );
}

describe("blue-green: wso2-harden plan of prod-edge, prod-blue and prod-green", () => {
    const root = tempDir("bluegreen");
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    const plan = (name: string, stack: string, config: string[]): PlanRun => {
        const out = path.join(root, name);
        const r = runCli(["plan", "--stack", stack, "--out", out, ...config.flatMap((c) => ["--config", `${NS}:${c}`])]);
        const file = (f: string) => path.join(out, f);
        const doc = fs.existsSync(file("plan.json")) ? readJson(file("plan.json")) : { resources: [], outputs: {} };
        const report = fs.existsSync(file("policy-report.json")) ? readJson(file("policy-report.json")) : { violations: [] };
        return {
            code: r.code,
            stderr: r.stderr,
            out,
            resources: doc.resources,
            outputs: doc.outputs,
            mandatory: report.violations.filter((v: any) => v.enforcementLevel === "mandatory"),
        };
    };

    // Each edge plan plans three stacks: plan once, assert many times.
    const runs: Record<"blue" | "green" | "canary" | "blueAlone" | "greenAlone", PlanRun> = {} as any;
    before(() => {
        runs.blue = plan("edge-blue", "prod-edge", []);
        runs.green = plan("edge-green", "prod-edge", ["activeColor=green"]);
        runs.canary = plan("edge-canary", "prod-edge", ["canaryWeight=10", "stickinessSeconds=600"]);
        runs.blueAlone = plan("prod-blue", "prod-blue", []);
        runs.greenAlone = plan("prod-green", "prod-green", []);
    });

    const clusterArns = (run: PlanRun): string[] => Object.values(run.outputs.targetGroupArns as Record<string, string>);

    it("every plan exits 0 with zero mandatory violations of the pack", () => {
        for (const [name, run] of Object.entries(runs)) {
            assert.equal(run.code, 0, `${name}: ${run.stderr}`);
            assert.deepEqual(run.mandatory, [], name);
        }
    });

    it("plans prod-blue and prod-green first: the edge forwards to exactly their target groups, for each forwarded route", () => {
        for (const [color, alone] of [["blue", runs.blueAlone], ["green", runs.greenAlone]] as const) {
            assert.equal(alone.outputs.color, color);
            for (const arn of clusterArns(alone)) {
                assert.ok(alone.resources.some((r) => r.type === "aws:lb/targetGroup:TargetGroup" && r.outputs.arn === arn), `${arn} is a target group of prod-${color}`);
            }
        }
        const refs = runs.blue.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.name);
        assert.deepEqual(refs.sort(), ["prod-blue", "prod-green"]);
        // The clusters' resources stay in their own plans.
        assert.ok(!runs.blue.resources.some((r) => r.type === "aws:autoscaling/group:Group" || r.type === "aws:lb/targetGroup:TargetGroup"));

        const fw = forwards(runs.blue);
        assert.ok(fw.length > 0, "the edge forwards some routes");
        const blue = new Set(clusterArns(runs.blueAlone));
        const green = new Set(clusterArns(runs.greenAlone));
        for (const f of fw) {
            const arns = [...f.weights.keys()];
            assert.equal(arns.length, 2, f.rule);
            assert.ok(blue.has(arns[0]), `${f.rule}: first group ${arns[0]} is blue's`);
            assert.ok(green.has(arns[1]), `${f.rule}: second group ${arns[1]} is green's`);
            // The same port on both sides: the route reaches the same service in either color.
            assert.equal(arns[0].replace("prod-blue", "prod-green").split("/")[1], arns[1].split("/")[1], f.rule);
        }
    });

    const shares = (run: PlanRun) => {
        const blue = new Set(clusterArns(runs.blueAlone));
        return forwards(run).map((f) => {
            const s = { blue: 0, green: 0 };
            for (const [arn, weight] of f.weights) s[blue.has(arn) ? "blue" : "green"] += weight;
            return s;
        });
    };

    it("activeColor blue sends 100% of every route to blue's target groups", () => {
        for (const s of shares(runs.blue)) assert.deepEqual(s, { blue: 100, green: 0 });
        assert.deepEqual(runs.blue.outputs.routing, { activeColor: "blue", canaryWeight: 0, weights: { blue: 100, green: 0 } });
    });

    it("activeColor green sends 100% of every route to green's target groups", () => {
        for (const s of shares(runs.green)) assert.deepEqual(s, { blue: 0, green: 100 });
        assert.deepEqual(runs.green.outputs.routing, { activeColor: "green", canaryWeight: 0, weights: { blue: 0, green: 100 } });
    });

    it("canaryWeight=10 splits every route 90/10, sticky for stickinessSeconds", () => {
        for (const s of shares(runs.canary)) assert.deepEqual(s, { blue: 90, green: 10 });
        for (const f of forwards(runs.canary)) assert.deepEqual(f.stickiness, { enabled: true, duration: 600 }, f.rule);
        for (const f of forwards(runs.blue)) assert.equal(f.stickiness, undefined, "no stickiness unless configured");
        assert.deepEqual(runs.canary.outputs.routing, { activeColor: "blue", canaryWeight: 10, weights: { blue: 90, green: 10 } });
    });

    it("switching holds the same resources and changes only the weights of the listener rules' forward actions", () => {
        const byUrn = (run: PlanRun) => new Map(run.resources.map((r) => [r.urn, r]));
        const blue = byUrn(runs.blue);
        for (const other of [runs.green, runs.canary]) {
            const next = byUrn(other);
            assert.deepEqual([...next.keys()].sort(), [...blue.keys()].sort(), "same URNs");
            for (const [urn, a] of blue) {
                const b = next.get(urn)!;
                // Same type, name, parent and id: nothing is replaced.
                assert.deepEqual([b.type, b.name, b.parent, b.id], [a.type, a.name, a.parent, a.id], urn);
                const diff = differences(a.inputs, b.inputs);
                if (a.type !== LISTENER_RULE) assert.deepEqual(diff, [], `${urn} changed`);
                for (const d of diff) assert.match(d.path, /^actions\[0\]\.forward\./, `${urn}: ${d.path}`);
            }
        }
        // Blue to green: weights and nothing else.
        const green = byUrn(runs.green);
        const changed = runs.blue.resources.flatMap((r) => differences(r.inputs, green.get(r.urn)!.inputs).map((d) => `${r.type} ${d.path}`));
        assert.ok(changed.length > 0, "the switch changes the routing");
        for (const c of changed) assert.match(c, /^aws:lb\/listenerRule:ListenerRule actions\[0\]\.forward\.targetGroups\[[01]\]\.weight$/);
    });

    it("updating the idle color's version leaves the target groups the edge forwards to as they are", () => {
        const updated = plan("prod-green-next", "prod-green", ["productVersion=4.5.0"]);
        assert.equal(updated.code, 0, updated.stderr);
        assert.deepEqual(updated.outputs.targetGroupArns, runs.greenAlone.outputs.targetGroupArns);
        const groups = (run: PlanRun) => run.resources.filter((r) => r.type === "aws:lb/targetGroup:TargetGroup");
        assert.deepEqual(groups(updated), groups(runs.greenAlone));
        // The version did reach the nodes.
        const template = (run: PlanRun) => run.resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")!.inputs.userData;
        assert.notEqual(template(updated), template(runs.greenAlone));
    });

    it("the load balancer carries the clients' group and both colors' groups, in the VPC and public subnets the clusters share", () => {
        const alb = runs.blue.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")!;
        const clients = runs.blue.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup")!;
        assert.deepEqual(alb.inputs.securityGroups, [clients.id, runs.blueAlone.outputs.edgeSecurityGroupId, runs.greenAlone.outputs.edgeSecurityGroupId]);
        assert.deepEqual(alb.inputs.subnets, runs.blueAlone.outputs.publicSubnetIds);
        assert.equal(clients.inputs.vpcId, runs.blueAlone.outputs.vpcId);
        assert.equal(runs.blueAlone.outputs.vpcId, runs.greenAlone.outputs.vpcId);
        const ingress = runs.blue.resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.deepEqual(
            ingress.map((r) => [r.inputs.securityGroupId, r.inputs.fromPort, r.inputs.cidrIpv4]).sort(),
            [[clients.id, 443, "0.0.0.0/0"], [clients.id, 80, "0.0.0.0/0"]].sort(),
        );
        assert.equal(runs.blue.resources.filter((r) => r.type === "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").length, 0, "the clients' group opens nothing outwards");
        // A color's own group on the load balancer: no ingress at all, out only to that color's nodes.
        for (const alone of [runs.blueAlone, runs.greenAlone]) {
            const group = alone.outputs.edgeSecurityGroupId;
            const rules = alone.resources.filter((r) => r.type.startsWith("aws:vpc/securityGroup") && r.inputs.securityGroupId === group);
            assert.ok(rules.length > 0);
            for (const r of rules) {
                assert.equal(r.type, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", r.name);
                assert.equal(r.inputs.referencedSecurityGroupId, alone.outputs.nodeSecurityGroupId, r.name);
            }
        }
    });

    describe("refused with exit 2, naming the key, nothing planned", () => {
        const cases: [string, string[], RegExp][] = [
            ["canaryWeight above 100", ["canaryWeight=101"], /wso2-hardening:canaryWeight = 101: must be an integer between 0 and 100/],
            ["activeColor neither blue nor green", ["activeColor=purple"], /wso2-hardening:activeColor = "purple": must be one of blue, green/],
            ["a stack that is not a cluster", ["blueStack=prod"], /wso2-hardening:blueStack = "prod": that stack has no output color: deploy it as a role: cluster stack/],
            [
                "a network of the edge's own",
                ["vpcId=vpc-0123456789abcdef0", 'privateSubnetIds=["subnet-0b83c4a6cd83f3455","subnet-07777e0731822a4e3"]', 'publicSubnetIds=["subnet-0b39bb7df54ca393c","subnet-0565ba177b40a1396"]'],
                /wso2-hardening:vpcId = "vpc-0123456789abcdef0": must be unset when role is edge/,
            ],
            [
                "cluster stacks that do not fit the edge: swapped colors, another product, another environment",
                ["blueStack=prod-green", "greenStack=prod-blue", "product=mi", "environment=staging"],
                new RegExp(
                    [
                        'wso2-hardening:blueStack = "prod-green": that stack is the green cluster \\(its color output\\), not the blue one',
                        'wso2-hardening:blueStack = "prod-green": that cluster runs apim; the edge is configured for wso2-hardening:product = mi',
                        'wso2-hardening:blueStack = "prod-green": that cluster is prod; the edge is configured for wso2-hardening:environment = staging',
                        'wso2-hardening:greenStack = "prod-blue": that stack is the blue cluster',
                    ].join("[\\s\\S]*"),
                ),
            ],
        ];
        for (const [title, config, message] of cases) {
            it(title, () => {
                const run = plan(`bad-${title.replace(/\W+/g, "-")}`, "prod-edge", config);
                assert.equal(run.code, 2, run.stderr);
                assert.match(run.stderr, message);
                assert.ok(!fs.existsSync(path.join(run.out, "plan.json")), "no plan written");
            });
        }
    });

    it("refuses colors in two VPCs, naming greenStack (exit 2, nothing planned)", () => {
        // The project's program with its stack files, but prod-green moved to another VPC.
        const program = path.join(root, "two-vpcs");
        fs.mkdirSync(path.join(program, "stacks"), { recursive: true });
        const project = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));
        fs.writeFileSync(path.join(program, "Pulumi.yaml"), YAML.stringify({ ...project, main: path.join(REPO, "stacks") + path.sep }));
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(program, "node_modules"));
        for (const stack of ["prod-blue", "prod-green", "prod-edge"]) {
            const text = fs.readFileSync(path.join(REPO, "stacks", `Pulumi.${stack}.yaml`), "utf8");
            const moved = stack === "prod-green" ? text.replace(/wso2-hardening:vpcId: \S+/, "wso2-hardening:vpcId: vpc-0fffffffffffffff0") : text;
            fs.writeFileSync(path.join(program, "stacks", `Pulumi.${stack}.yaml`), moved);
        }
        const out = path.join(root, "two-vpcs-out");
        const r = runCli(["plan", "--program", program, "--stack", "prod-edge", "--out", out]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /wso2-hardening:greenStack = "prod-green": that cluster is in vpc-0fffffffffffffff0, the blue one \(prod-blue\) in vpc-0c5e7a9b1d3f24680: both colors must share one VPC/);
        assert.ok(!fs.existsSync(path.join(out, "plan.json")), "no plan written");
    });

    it("the prod-blue and prod-green stack files differ only in color", () => {
        const config = (stack: string) => (YAML.parse(fs.readFileSync(path.join(REPO, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
        const blue = config("prod-blue");
        const green = config("prod-green");
        assert.deepEqual(differences(blue, green), [{ path: `${NS}:color`, a: "blue", b: "green" }]);
        assert.equal(blue[`${NS}:role`], "cluster");
        assert.equal(config("prod-edge")[`${NS}:role`], "edge");
    });
});
