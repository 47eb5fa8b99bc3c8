/**
 * Suppressions (pack config and resource tags) keep the finding visible through `takeSuppressions`,
 * refuse short reasons, and config mistakes are named.
 */
import * as assert from "assert";
import { evaluatePack, takeSuppressions } from "../../policies/pack";
import { find, patch, secureStack } from "./fixtures";

const brokenAlb = () => patch(secureStack(), "edge-alb", { enableDeletionProtection: false });

describe("policies: suppressions", () => {
    beforeEach(() => takeSuppressions());

    it("a config suppression with a reason hides the finding from violations and records it", async () => {
        const stack = brokenAlb();
        const reason = "dev stack is torn down every night";
        const findings = await evaluatePack(stack, { config: { "wso2-lb-deletion-protection": { suppressions: [{ resource: "edge-alb", reason }] } } });
        assert.deepStrictEqual(findings, []);
        assert.deepStrictEqual(takeSuppressions(), [{ policyName: "wso2-lb-deletion-protection", urn: find(stack, "edge-alb").urn, reason }]);
        assert.deepStrictEqual(takeSuppressions(), [], "takeSuppressions clears the registry");
    });

    it("a suppression by URN works for stack policies too", async () => {
        const stack = patch(secureStack(), "nodes-asg", { minSize: 1 });
        const urn = find(stack, "nodes-asg").urn;
        const findings = await evaluatePack(stack, { config: { "wso2-failover-nodes": { suppressions: [{ resource: urn, reason: "single-node sandbox for demos" }] } } });
        assert.deepStrictEqual(findings, []);
        assert.deepStrictEqual(takeSuppressions().map((s) => [s.policyName, s.urn]), [["wso2-failover-nodes", urn]]);
    });

    it("a resource tag suppresses with its value as the reason", async () => {
        const stack = brokenAlb();
        patch(stack, "edge-alb", { tags: { "wso2-hardening:suppress:wso2-lb-deletion-protection": "replaced by blue-green on every release" } });
        assert.deepStrictEqual(await evaluatePack(stack), []);
        assert.deepStrictEqual(takeSuppressions(), [{ policyName: "wso2-lb-deletion-protection", urn: find(stack, "edge-alb").urn, reason: "replaced by blue-green on every release" }]);
    });

    it("a tag for another policy suppresses nothing", async () => {
        const stack = brokenAlb();
        patch(stack, "edge-alb", { tags: { "wso2-hardening:suppress:wso2-lb-access-logs": "not the policy that fires here" } });
        const findings = await evaluatePack(stack);
        assert.deepStrictEqual(findings.map((f) => f.policyName), ["wso2-lb-deletion-protection"]);
        assert.deepStrictEqual(takeSuppressions(), []);
    });

    it("a reason shorter than 10 characters is refused and the finding reported with that said", async () => {
        const stack = brokenAlb();
        patch(stack, "edge-alb", { tags: { "wso2-hardening:suppress:wso2-lb-deletion-protection": "dev only" } });
        const findings = await evaluatePack(stack);
        assert.deepStrictEqual(findings.map((f) => [f.policyName, f.enforcementLevel]), [["wso2-lb-deletion-protection", "mandatory"]]);
        assert.match(findings[0].message, /suppression refused: its reason "dev only" is shorter than 10 characters/);
        assert.deepStrictEqual(takeSuppressions(), []);

        const viaConfig = await evaluatePack(brokenAlb(), { config: { "wso2-lb-deletion-protection": { suppressions: [{ resource: "edge-alb", reason: "   short  " }] } } });
        assert.match(viaConfig[0].message, /suppression refused/);
    });

    it("suppresses only the named resource", async () => {
        const stack = patch(brokenAlb(), "nodes-lt", { metadataOptions: { httpTokens: "optional" } });
        const findings = await evaluatePack(stack, { config: { "wso2-imdsv2-required": { suppressions: [{ resource: "edge-alb", reason: "wrong resource named here" }] } } });
        assert.deepStrictEqual(findings.map((f) => f.policyName).sort(), ["wso2-imdsv2-required", "wso2-lb-deletion-protection"]);
    });
});

describe("policies: configuration", () => {
    it("the environment profiles relax exactly what they say", async () => {
        const devStack = patch(patch(secureStack(), "nodes-asg", { minSize: 1 }), "edge-alb", { enableDeletionProtection: false });
        patch(devStack, "wso2-logs", { retentionInDays: 14 });
        const dev = await evaluatePack(devStack, { config: require("../../policies/config/dev.json") });
        assert.deepStrictEqual(dev.map((f) => [f.policyName, f.enforcementLevel]).sort(), [["wso2-failover-nodes", "advisory"], ["wso2-lb-deletion-protection", "advisory"]]);
        const prod = await evaluatePack(devStack, { config: require("../../policies/config/prod.json") });
        assert.deepStrictEqual(prod.map((f) => [f.policyName, f.enforcementLevel]).sort(), [
            ["wso2-failover-nodes", "mandatory"],
            ["wso2-lb-deletion-protection", "mandatory"],
            ["wso2-log-retention", "mandatory"],
        ]);
        const staging = await evaluatePack(patch(devStack, "wso2-logs", { retentionInDays: 90 }), { config: require("../../policies/config/staging.json") });
        assert.deepStrictEqual(staging.map((f) => [f.policyName, f.enforcementLevel]).sort(), [["wso2-failover-nodes", "mandatory"], ["wso2-lb-deletion-protection", "advisory"]]);
    });

    it("the dev profile remediates IMDSv2 instead of only reporting it", async () => {
        const stack = patch(secureStack(), "nodes-lt", { metadataOptions: { httpTokens: "optional" } });
        const findings = await evaluatePack(stack, { config: require("../../policies/config/dev.json") });
        assert.deepStrictEqual(findings.map((f) => [f.policyName, f.enforcementLevel]), [["wso2-imdsv2-required", "remediate"]]);
    });

    it("a policy can be disabled, and 'all' sets every level", async () => {
        const stack = brokenAlb();
        assert.deepStrictEqual(await evaluatePack(stack, { config: { "wso2-lb-deletion-protection": "disabled" } }), []);
        const all = await evaluatePack(stack, { config: { all: "advisory" } });
        assert.deepStrictEqual(all.map((f) => f.enforcementLevel), ["advisory"]);
    });

    it("refuses unknown policies, settings and levels, naming the key", async () => {
        await assert.rejects(evaluatePack(secureStack(), { config: { "wso2-no-such-policy": "advisory" } }), /"wso2-no-such-policy" names no policy/);
        await assert.rejects(evaluatePack(secureStack(), { config: { "wso2-log-retention": { enforcementLevel: "strict" as any } } }), /"wso2-log-retention.enforcementLevel" is "strict"/);
        await assert.rejects(evaluatePack(secureStack(), { config: { "wso2-log-retention": { minDayz: 3 } } }), /"wso2-log-retention.minDayz" is not a setting/);
        await assert.rejects(evaluatePack(secureStack(), { config: { "wso2-log-retention": { suppressions: [{ resource: "", reason: "long enough reason" }] } } }), /"wso2-log-retention.suppressions\[0\].resource"/);
    });

    it("every profile names only policies and settings of the pack", async () => {
        for (const env of ["dev", "staging", "prod"]) {
            await evaluatePack(secureStack(), { config: require(`../../policies/config/${env}.json`) });
        }
    });
});
