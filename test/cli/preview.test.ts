/**
 * `wso2-harden plan --preview` (DESIGN.md): the program as a first `pulumi preview` sees it. Ids and
 * computed outputs are unknown, findings that depend on them are advisory, known values are judged for
 * real. Our own stacks and a correct foreign program pass; the insecure example is caught on every seeded
 * mistake; in a mixed program the unrelated resources get no finding from WSO2-specific policies.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { rules } from "../../policies/pack";
import { readJson, REPO, runCli, tempDir } from "../support/cli";

const MIXED = path.join(REPO, "test", "fixtures", "mixed");
const INSECURE = path.join(REPO, "examples", "insecure");
const SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

interface Violation {
    policyName: string;
    enforcementLevel: string;
    urn: string;
    message: string;
}

/** Policies that judge only WSO2's resources (see policies/lib/scope.ts). */
const WSO2_SPECIFIC = [
    "wso2-cluster-ports-members-only",
    "wso2-failover-nodes",
    "wso2-no-public-ip-on-nodes",
    "wso2-lb-access-logs",
    "wso2-lb-deletion-protection",
    "wso2-lb-http-redirect-only",
    "wso2-lb-admin-contexts-blocked",
    "wso2-lb-waf-attached",
];

/** The unrelated resources of the mixed program: broker, its NLB, the NAT gateway, batch workers. */
const UNRELATED = /::(broker|broker-sg|broker-amqp-clients|broker-amqp-from-apim|queue-nlb|queue-tg|queue-broker|queue-amqp|nat|nat-ip|workers|workers-lt|workers-sg)$/;

describe("wso2-harden plan --preview", function () {
    this.timeout(300_000);
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    function preview(args: string[]): { code: number | null; out: string; violations: Violation[]; planText: string; stderr: string } {
        const out = tempDir("preview");
        dirs.push(out);
        const r = runCli(["plan", "--preview", "--out", out, ...args], REPO, 240_000);
        const report = fs.existsSync(path.join(out, "policy-report.json")) ? readJson(path.join(out, "policy-report.json")) : { violations: [] };
        const planText = fs.existsSync(path.join(out, "plan.json")) ? fs.readFileSync(path.join(out, "plan.json"), "utf8") : "";
        return { code: r.code, out, violations: report.violations, planText, stderr: r.stderr + r.stdout };
    }
    const show = (vs: Violation[]) => vs.map((v) => `${v.enforcementLevel} ${v.policyName} ${v.urn.split("::").pop()}: ${v.message}`).join("\n");

    it("shows ids and computed outputs as \"[unknown]\" and inputs built from them too, never the engine's sentinel", () => {
        const r = preview(["--program", MIXED, "--stack", "dev"]);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(!r.planText.includes(SENTINEL), "the sentinel is written as [unknown]");
        const plan = JSON.parse(r.planText);
        const byName = (n: string) => plan.resources.find((x: any) => x.name === n);
        assert.equal(byName("platform-key").id, "[unknown]");
        assert.equal(byName("platform-key").outputs.arn, "[unknown]");
        // An input that references another resource's output is unknown; literals stay known.
        assert.equal(byName("apim-admin").inputs.kmsKeyId, "[unknown]");
        assert.equal(byName("apim-lt").inputs.userData, "[unknown]");
        assert.equal(byName("apim-https").inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-Res-2021-06");
        // Auto-names are chosen before anything is created: known at preview.
        assert.match(byName("apim-lb-logs").outputs.bucket, /^apim-lb-logs-[0-9a-f]{7}$/);
        // A plain plan of the same program knows them.
        const planned = tempDir("planned");
        dirs.push(planned);
        assert.equal(runCli(["plan", "--program", MIXED, "--stack", "dev", "--out", planned]).code, 0);
        const full = readJson(path.join(planned, "plan.json"));
        assert.match(full.resources.find((x: any) => x.name === "platform-key").outputs.arn, /^arn:aws:kms:/);
        // Planned as an update (everything known), the correct mixed program has no finding at all.
        assert.deepEqual(readJson(path.join(planned, "policy-report.json")).violations, []);
    });

    it("a correct foreign program with unrelated parts: zero findings on known values, unknown ones advisory only", () => {
        const r = preview(["--program", MIXED, "--stack", "dev"]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.violations.filter((v) => v.enforcementLevel === "mandatory"), [], show(r.violations));
        for (const v of r.violations) assert.match(v.message, /could not be proven at preview/, show([v]));
        // The unrelated resources get nothing at all from the WSO2-specific policies (not even advisories).
        assert.deepEqual(r.violations.filter((v) => UNRELATED.test(v.urn)), [], show(r.violations));
    });

    for (const [seed, policies, on] of [
        ["cluster-port", ["wso2-cluster-ports-members-only"], "nodes-hazelcast-vpc"],
        ["http-forward", ["wso2-lb-admin-contexts-blocked", "wso2-lb-http-redirect-only"], "apim-http"],
    ] as const) {
        it(`the mixed program still catches a seeded WSO2 mistake (${seed}) and nothing on the unrelated resources`, () => {
            const r = preview(["--program", MIXED, "--stack", "dev", "--config", `mixed-platform:seed=${seed}`]);
            assert.equal(r.code, 1, r.stderr);
            const mandatory = r.violations.filter((v) => v.enforcementLevel === "mandatory");
            assert.deepEqual([...new Set(mandatory.map((v) => v.policyName))].sort(), [...policies].sort(), show(r.violations));
            assert.ok(mandatory.every((v) => v.urn.endsWith(`::${on}`)), show(mandatory));
            assert.deepEqual(r.violations.filter((v) => UNRELATED.test(v.urn) && WSO2_SPECIFIC.includes(v.policyName)), []);
        });
    }

    it("the insecure example is caught on every seeded mistake (literals are known at preview)", () => {
        const expected: string[] = require("../../examples/insecure/EXPECTED.json");
        const r = preview(["--program", INSECURE, "--stack", "dev"]);
        assert.equal(r.code, 1, r.stderr);
        // Each at its policy's default level (mandatory; advisory for the certificate expiry).
        const level = new Map(rules.map((x) => [x.policy.name, x.policy.enforcementLevel ?? "mandatory"]));
        const fired = new Set(r.violations.filter((v) => v.enforcementLevel === level.get(v.policyName)).map((v) => v.policyName));
        assert.deepEqual(expected.filter((n) => !fired.has(n)), [], show(r.violations));
    });

    for (const stack of ["dev", "staging", "prod", "prod-blue", "prod-green", "prod-edge", "k8s-prod"]) {
        it(`our stack ${stack}: zero mandatory findings at a first preview`, () => {
            const r = preview(["--stack", stack]);
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual(r.violations.filter((v) => v.enforcementLevel === "mandatory"), [], show(r.violations));
            for (const v of r.violations) assert.match(v.message, /could not be proven at preview/, show([v]));
        });
    }
});
