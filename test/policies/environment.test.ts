/**
 * Production-scoped policies: failover, load-balancer deletion protection and log retention hold
 * resources tagged as another environment to the non-production requirements, and judge untagged or
 * prod-tagged ones strictly, under the pack's defaults (no profile).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENT_TAG_KEY } from "../../components/aws/common";
import { ENVIRONMENT_TAG, environmentOf } from "../../policies/lib/environment";
import { UNKNOWN } from "../../policies/lib/values";
import { evaluatePack, Finding, PlannedResource, rules } from "../../policies/pack";
import { find, patch, res, secureStack } from "./fixtures";

const ASG = "aws:autoscaling/group:Group";
const INSTANCE = "aws:ec2/instance:Instance";

/** The auto-scaling group's tag list as the provider takes it. */
const asgTags = (env: string) => [
    { key: "wso2-hardening:cluster", value: "nodes", propagateAtLaunch: false },
    { key: ENVIRONMENT_TAG, value: env, propagateAtLaunch: false },
];

/** The hardened stack with its log group kept 14 days, tagged with `env` when given. */
function logs14(env: string | undefined): PlannedResource[] {
    return patch(secureStack(), "wso2-logs", { retentionInDays: 14, tags: env ? { [ENVIRONMENT_TAG]: env } : undefined });
}

async function findingsOf(policy: string, stack: PlannedResource[], config: Record<string, unknown> = {}): Promise<Finding[]> {
    return (await evaluatePack(stack, { config: config as any })).filter((f) => f.policyName === policy);
}

function show(findings: Finding[]): string {
    return findings.map((f) => `${f.policyName} ${f.urn}: ${f.message}`).join("\n");
}

describe("policies: environment tags", () => {
    describe("environmentOf", () => {
        const cases: [string, Record<string, unknown>, boolean][] = [
            ["no tags", {}, true],
            ["tags without an environment", { tags: { Name: "x", team: "dev" } }, true],
            ["wso2-hardening:environment dev", { tags: { [ENVIRONMENT_TAG]: "dev" } }, false],
            ["wso2-hardening:environment prod", { tags: { [ENVIRONMENT_TAG]: "prod" } }, true],
            ["Environment Staging (key and value in any case)", { tags: { Environment: "Staging" } }, false],
            ["ENV test", { tags: { ENV: "test" } }, false],
            ["environment Production", { tags: { environment: "Production" } }, true],
            ["env PRD", { tags: { env: "PRD" } }, true],
            ["Environment live", { tags: { Environment: " live " } }, true],
            ["auto-scaling tag list dev", { tags: asgTags("dev") }, false],
            ["auto-scaling tag list prod", { tags: asgTags("prod") }, true],
            ["tagsAll only (provider default tags)", { tagsAll: { Environment: "dev" } }, false],
            ["tags say dev, tagsAll say production", { tags: { env: "dev" }, tagsAll: { Environment: "production" } }, true],
            ["value unknown at preview", { tags: { [ENVIRONMENT_TAG]: UNKNOWN } }, true],
            ["whole tag map unknown at preview", { tags: UNKNOWN }, true],
            ["empty value", { tags: { Environment: "" } }, true],
        ];
        for (const [title, props, production] of cases) {
            it(`${title}: ${production ? "production" : "non-production"}`, () => {
                assert.strictEqual(environmentOf(props).production, production);
            });
        }

        it("names the environment of a non-production resource", () => {
            assert.deepStrictEqual(environmentOf({ tags: asgTags("staging") }), { production: false, name: "staging" });
        });

        it("the components tag with the key the policies read", () => {
            assert.strictEqual(ENVIRONMENT_TAG_KEY, ENVIRONMENT_TAG);
        });
    });

    describe("wso2-failover-nodes", () => {
        const oneNode = () => patch(secureStack(), "nodes-asg", { minSize: 1 });
        it("fires on an untagged one-node group", async () => {
            const f = await findingsOf("wso2-failover-nodes", oneNode());
            assert.deepStrictEqual(f.map((x) => [x.urn, x.enforcementLevel]), [[find(secureStack(), "nodes-asg").urn, "mandatory"]]);
            assert.match(f[0].message, /runs 1 production WSO2 node; at least 2/);
        });
        it("fires on a prod-tagged one-node group", async () => {
            const f = await findingsOf("wso2-failover-nodes", patch(oneNode(), "nodes-asg", { tags: asgTags("prod") }));
            assert.match(show(f), /runs 1 production WSO2 node/);
        });
        it("is silent on a dev-tagged one-node group in one subnet", async () => {
            const stack = patch(oneNode(), "nodes-asg", { tags: asgTags("dev"), vpcZoneIdentifiers: ["subnet-a"] });
            assert.deepStrictEqual(await findingsOf("wso2-failover-nodes", stack), []);
        });
        it("is silent on a dev-tagged instance (tag map)", async () => {
            const stack = [
                ...secureStack().filter((r) => r.name !== "nodes-asg"),
                res(INSTANCE, "sandbox", { subnetId: "subnet-a", tags: { Environment: "dev" } }),
            ];
            assert.deepStrictEqual(await findingsOf("wso2-failover-nodes", stack), []);
        });
        it("non-production nodes do not make up for missing production ones", async () => {
            // One production node in subnet-a; a dev group adds a node and a subnet that must not count.
            const stack = [
                ...patch(oneNode(), "nodes-asg", { vpcZoneIdentifiers: ["subnet-a"] }),
                res(ASG, "dev-asg", { minSize: 1, maxSize: 1, vpcZoneIdentifiers: ["subnet-b"], tags: asgTags("dev") }),
            ];
            const f = await findingsOf("wso2-failover-nodes", stack);
            assert.deepStrictEqual(f.map((x) => x.urn), [find(stack, "nodes-asg").urn, find(stack, "nodes-asg").urn], show(f));
            assert.match(show(f), /runs 1 production WSO2 node/);
            assert.match(show(f), /production nodes run in 1 subnet/);
        });
        it("judges untagged instances next to a dev-tagged group", async () => {
            const stack = [
                ...patch(secureStack(), "nodes-asg", { tags: asgTags("dev") }),
                res(INSTANCE, "prod-node", { subnetId: "subnet-a", vpcSecurityGroupIds: ["sg-nodes"] }),
            ];
            const f = await findingsOf("wso2-failover-nodes", stack);
            assert.deepStrictEqual(f.map((x) => x.urn), [find(stack, "prod-node").urn, find(stack, "prod-node").urn], show(f));
        });
    });

    describe("wso2-lb-deletion-protection", () => {
        const unprotected = () => patch(secureStack(), "edge-alb", { enableDeletionProtection: false });
        it("fires on an untagged load balancer", async () => {
            const f = await findingsOf("wso2-lb-deletion-protection", unprotected());
            assert.deepStrictEqual(f.map((x) => [x.urn, x.enforcementLevel]), [[find(secureStack(), "edge-alb").urn, "mandatory"]]);
            assert.match(f[0].message, /deletion protection is off on a production load balancer/);
        });
        it("fires on a prod-tagged load balancer", async () => {
            const f = await findingsOf("wso2-lb-deletion-protection", patch(unprotected(), "edge-alb", { tags: { [ENVIRONMENT_TAG]: "prod" } }));
            assert.strictEqual(f.length, 1, show(f));
        });
        it("fires when only the provider's default tags say production", async () => {
            const stack = patch(unprotected(), "edge-alb", { tags: { env: "dev" }, tagsAll: { env: "dev", Environment: "production" } });
            assert.strictEqual((await findingsOf("wso2-lb-deletion-protection", stack)).length, 1);
        });
        it("is silent on a dev-tagged load balancer", async () => {
            const stack = patch(unprotected(), "edge-alb", { tags: { [ENVIRONMENT_TAG]: "dev" } });
            assert.deepStrictEqual(await findingsOf("wso2-lb-deletion-protection", stack), []);
        });
    });

    describe("wso2-log-retention", () => {
        const logs = (days: number, tags?: Record<string, string>) => patch(secureStack(), "wso2-logs", { retentionInDays: days, tags });
        it("fires on an untagged log group kept 14 days", async () => {
            const f = await findingsOf("wso2-log-retention", logs(14));
            assert.deepStrictEqual(f.map((x) => x.enforcementLevel), ["mandatory"]);
            assert.match(f[0].message, /kept 14 days; at least 365 are required for a production log group/);
        });
        it("fires on a prod-tagged log group kept 14 days", async () => {
            const f = await findingsOf("wso2-log-retention", logs(14, { Environment: "Production" }));
            assert.match(show(f), /at least 365/);
        });
        it("fires on a dev-tagged log group kept 3 days", async () => {
            const f = await findingsOf("wso2-log-retention", logs(3, { [ENVIRONMENT_TAG]: "dev" }));
            assert.match(show(f), /kept 3 days; at least 7 are required for a log group of environment "dev"/);
        });
        it("passes a dev-tagged log group kept 14 days", async () => {
            assert.deepStrictEqual(await findingsOf("wso2-log-retention", logs(14, { [ENVIRONMENT_TAG]: "dev" })), []);
        });
        it("still bounds a dev-tagged log group: forever and above maxDays fire", async () => {
            const forever = patch(secureStack(), "wso2-logs", { retentionInDays: undefined, tags: { env: "dev" } });
            assert.match(show(await findingsOf("wso2-log-retention", forever)), /keeps logs forever/);
            assert.match(show(await findingsOf("wso2-log-retention", logs(5479, { env: "dev" }))), /at most 3653/);
        });
        it("nonProductionMinDays sets the non-production minimum, minDays stays the production one", async () => {
            const config = { "wso2-log-retention": { nonProductionMinDays: 30 } };
            assert.match(show(await findingsOf("wso2-log-retention", logs(14, { env: "staging" }), config)), /at least 30 are required/);
            assert.deepStrictEqual(await findingsOf("wso2-log-retention", logs(30, { env: "staging" }), config), []);
            assert.match(show(await findingsOf("wso2-log-retention", logs(30), config)), /at least 365/);
        });
        it("refuses a retention setting that is not a whole number of days, or above maxDays", async () => {
            await assert.rejects(findingsOf("wso2-log-retention", logs(14), { "wso2-log-retention": { nonProductionMinDays: "7" } }), /"wso2-log-retention.nonProductionMinDays" is "7"; expected a whole number of days/);
            await assert.rejects(findingsOf("wso2-log-retention", logs(14), { "wso2-log-retention": { minDays: 0 } }), /"wso2-log-retention.minDays" is 0/);
            await assert.rejects(findingsOf("wso2-log-retention", logs(14), { "wso2-log-retention": { nonProductionMinDays: 4000 } }), /"wso2-log-retention.nonProductionMinDays" \(4000\) is above maxDays \(3653\)/);
        });
    });

    describe("documentation", () => {
        const scoped = ["wso2-failover-nodes", "wso2-lb-deletion-protection", "wso2-log-retention"];
        const readme = fs.readFileSync(path.join(__dirname, "../../policies/README.md"), "utf8");
        for (const name of scoped) {
            it(`${name}: its description and its README row say it is scoped to production`, () => {
                const policy = rules.find((r) => r.policy.name === name)!.policy;
                assert.match(policy.description, /production/i);
                assert.match(policy.description, /tag/);
                const row = readme.split("\n").find((l) => l.startsWith(`| \`${name}\` |`));
                assert.ok(row, `README has no table row for ${name}`);
                assert.match(row!, /production/i);
            });
        }
        it("the README explains how the environment is read", () => {
            assert.match(readme, /### Production-scoped policies/);
            for (const key of [ENVIRONMENT_TAG, "`Environment`", "`env`", "`tagsAll`", "`nonProductionMinDays`"]) assert.ok(readme.includes(key), key);
        });
    });

    describe("the environment profiles", () => {
        it("the staging profile holds staging-tagged and untagged log groups to 90 days", async () => {
            const staging = require("../../policies/config/staging.json");
            assert.match(show(await findingsOf("wso2-log-retention", logs14("staging"), staging)), /at least 90/);
            assert.match(show(await findingsOf("wso2-log-retention", logs14(undefined), staging)), /at least 90/);
        });
        it("the dev profile accepts 7 days tagged or not", async () => {
            const dev = require("../../policies/config/dev.json");
            assert.deepStrictEqual(await findingsOf("wso2-log-retention", patch(secureStack(), "wso2-logs", { retentionInDays: 7 }), dev), []);
            assert.deepStrictEqual(await findingsOf("wso2-log-retention", patch(secureStack(), "wso2-logs", { retentionInDays: 7, tags: { env: "dev" } }), dev), []);
        });
    });
});
