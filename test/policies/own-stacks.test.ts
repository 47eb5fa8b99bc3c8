/**
 * The project's own stacks, planned offline by `wso2-harden plan`, have no mandatory violation of the
 * pack: dev and staging with their environment's profile and with the pack's strict defaults (the
 * production-only policies recognise them by their environment tag), prod with the strict defaults.
 * Every resource the components tag carries the stack's environment, so the policies can tell.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ENVIRONMENT_TAG } from "../../policies/lib/environment";

const root = path.join(__dirname, "../..");

interface PlanResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

/** The environment tag values of a resource's `tags` (a map, or an auto-scaling group's `{ key, value }` list). */
function environmentTags(tags: unknown): unknown[] {
    if (Array.isArray(tags)) return tags.filter((t) => t?.key === ENVIRONMENT_TAG).map((t) => t.value);
    if (tags && typeof tags === "object") return ENVIRONMENT_TAG in tags ? [(tags as Record<string, unknown>)[ENVIRONMENT_TAG]] : [];
    return [];
}

describe("policies: the project's own stacks", function () {
    this.timeout(120_000);
    let out: string;
    before(() => (out = fs.mkdtempSync(path.join(os.tmpdir(), "wso2-own-stacks-"))));
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    const runs: [string, string | undefined][] = [["dev", "dev"], ["staging", "staging"], ["dev", undefined], ["staging", undefined], ["prod", undefined]];
    for (const [stack, profile] of runs) {
        it(`${stack} ${profile ? `with policies/config/${profile}.json` : "with the strict defaults"}: zero mandatory violations`, () => {
            const dir = path.join(out, `${stack}-${profile ?? "strict"}`);
            const args = [path.join(root, "cli/bin/wso2-harden.js"), "plan", "--stack", stack, "--out", dir];
            if (profile) args.push("--policy-config", path.join(root, `policies/config/${profile}.json`));
            const run = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 110_000 });
            const report = JSON.parse(fs.readFileSync(path.join(dir, "policy-report.json"), "utf8"));
            const mandatory = report.violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory");
            assert.deepStrictEqual(mandatory, [], run.stderr);
            assert.strictEqual(run.status, 0, run.stderr);
        });
    }

    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: every tagged AWS resource carries ${ENVIRONMENT_TAG}: ${stack}`, () => {
            const plan = JSON.parse(fs.readFileSync(path.join(out, `${stack}-${stack === "prod" ? "strict" : stack}`, "plan.json"), "utf8"));
            const tagged: PlanResource[] = plan.resources.filter((r: PlanResource) => r.type.startsWith("aws:") && r.inputs.tags !== undefined);
            const wrong = tagged.filter((r) => JSON.stringify(environmentTags(r.inputs.tags)) !== JSON.stringify([stack]));
            assert.deepStrictEqual(wrong.map((r) => `${r.type} ${r.name}: ${JSON.stringify(r.inputs.tags)}`), []);
            // The resources the production-only policies judge are among them.
            const judged = (type: string) => tagged.filter((r) => r.type === type).length;
            assert.strictEqual(judged("aws:autoscaling/group:Group"), 1);
            assert.strictEqual(judged("aws:lb/loadBalancer:LoadBalancer"), 1);
            assert.strictEqual(judged("aws:cloudwatch/logGroup:LogGroup"), 3, "flow, node and WAF logs");
            assert.strictEqual(plan.resources.filter((r: PlanResource) => r.type === "aws:cloudwatch/logGroup:LogGroup").length, 3);
            // Instances are tagged through the launch template.
            const lt = tagged.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")!;
            for (const spec of lt.inputs.tagSpecifications) assert.deepStrictEqual(environmentTags(spec.tags), [stack], spec.resourceType);
        });
    }
});
