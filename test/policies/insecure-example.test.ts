/**
 * The insecure example program, run under the SDK's mocks and judged by the pack in-process: every
 * policy listed in its EXPECTED.json fires as a mandatory violation.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { PlannedResource } from "../../policies/evaluate";

const expected: string[] = require("../../examples/insecure/EXPECTED.json");

describe("policies: the insecure example program", function () {
    const resources: PlannedResource[] = [];

    before(async function () {
        this.timeout(60_000);
        pulumi.runtime.setAllConfig({ "aws:region": "us-east-1", "insecure-wso2:keyName": "wso2-key" });
        await pulumi.runtime.setMocks(
            {
                newResource(args) {
                    const id = args.type.startsWith("aws:s3/bucket:") ? args.name : `${args.name}-id`;
                    const state: Record<string, any> = { ...args.inputs, id, arn: `arn:aws:mock:::${args.type}/${args.name}` };
                    if (args.type === "aws:s3/bucket:Bucket") state.bucket = args.name;
                    if (args.type === "aws:lb/loadBalancer:LoadBalancer") state.dnsName = `${args.name}.elb.amazonaws.com`;
                    resources.push({ urn: `urn:pulumi:dev::insecure-wso2::${args.type}::${args.name}`, type: args.type, name: args.name, id, inputs: args.inputs, outputs: state });
                    return { id, state };
                },
                call: (args) => args.inputs,
            },
            "insecure-wso2",
            "dev",
            false,
        );
        const program = require("../../examples/insecure");
        // Every export depends on the resources that matter; resolving them means registration is done.
        await new Promise<void>((resolve) => pulumi.all([program.url, program.nodeIp, program.backupBucket, program.keyArn, program.databaseEndpoint]).apply(() => resolve()));
        // Resources nothing exports (attachments, versions) register in the same turn; give them a bounded moment.
        for (let i = 0, n = -1; i < 50 && n !== resources.length; i++) {
            n = resources.length;
            await new Promise((r) => setTimeout(r, 20));
        }
    });

    it("registers the whole program", () => {
        assert.strictEqual(resources.length, 23, resources.map((r) => r.name).join(", "));
    });

    it("fires every expected policy as mandatory, and EXPECTED.json lists every AWS policy of the pack", async () => {
        const { evaluatePack, policyMeta } = await import("../../policies/pack");
        const findings = await evaluatePack(resources);
        // Each at its policy's default level: mandatory, or advisory for the certificate expiry.
        const { rules } = await import("../../policies/pack");
        const level = new Map(rules.map((r) => [r.policy.name, r.policy.enforcementLevel ?? "mandatory"]));
        const fired = new Set(findings.filter((f) => f.enforcementLevel === level.get(f.policyName)).map((f) => f.policyName));
        assert.deepStrictEqual(expected.filter((n) => !fired.has(n)), [], findings.map((f) => `${f.policyName}: ${f.message}`).join("\n"));
        // The example is an AWS program; the Kubernetes policies fire in test/kubernetes/policies.test.ts.
        assert.deepStrictEqual([...expected].sort(), policyMeta.map((m) => m.name).filter((n) => !n.startsWith("wso2-k8s-")).sort());
        const admin = findings.filter((f) => f.policyName === "wso2-no-literal-credentials").map((f) => f.message).join(" ");
        assert.match(admin, /admin\/admin/);
        assert.match(admin, /"wso2carbon"/);
    });
});
