/**
 * `--policy-config`: every bad policy configuration is refused before anything is planned, with exit 2
 * and a message naming the policy and key; the JSON-schema checks are those the Pulumi CLI applies to
 * each policy's `configSchema` (types, bounds), the rest is the pack's own (names, settings, contradictions).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO, runCli, tempDir } from "../support/cli";

const ONE = path.join(REPO, "test", "fixtures", "one-resource");

const CASES: [string, unknown, RegExp][] = [
    ["a misspelled policy name", { "wso2-imdsv2-requird": { enforcementLevel: "advisory" } }, /"wso2-imdsv2-requird" names no policy of the pack/],
    ["a wrong type (schema)", { "wso2-imdsv2-required": { maxHopLimit: "2" } }, /"wso2-imdsv2-required\.maxHopLimit" must be integer \(got "2"\)/],
    ["a value below the schema's minimum (maxHopLimit: 0)", { "wso2-imdsv2-required": { maxHopLimit: 0 } }, /"wso2-imdsv2-required\.maxHopLimit" must be >= 1 \(got 0\)/],
    ["a wrong type inside an array (schema)", { "wso2-cluster-ports-members-only": { clusteringPorts: [4000, "x"] } }, /"wso2-cluster-ports-members-only\.clusteringPorts\.1" must be integer/],
    ["a misspelled setting", { "wso2-imdsv2-required": { maxHopLimt: 2 } }, /"wso2-imdsv2-required\.maxHopLimt" is not a setting of this policy/],
    ["minDays above maxDays", { "wso2-log-retention": { minDays: 400, maxDays: 300 } }, /"wso2-log-retention\.minDays" \(400\) is above maxDays \(300\)/],
    ["an unknown enforcement level", { "wso2-failover-nodes": { enforcementLevel: "mandatry" } }, /"wso2-failover-nodes\.enforcementLevel" is "mandatry"/],
    ["an unknown level for all policies", { all: "strict" }, /"all" must be one of/],
    ["a suppression without a reason", { "wso2-lb-deletion-protection": { suppressions: [{ resource: "edge" }] } }, /"wso2-lb-deletion-protection\.suppressions\[0\]\.reason" must be a string/],
];

describe("wso2-harden plan --policy-config: bad configuration is refused before anything is planned", function () {
    this.timeout(120_000);
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    for (const [title, config, message] of CASES) {
        it(`${title}: exit 2 naming the key`, () => {
            const o = tempDir("policy-config");
            dirs.push(o);
            const file = path.join(o, "config.json");
            fs.writeFileSync(file, JSON.stringify(config));
            const r = runCli(["plan", "--stack", "dev", "--program", ONE, "--out", o, "--policy-config", file]);
            assert.equal(r.code, 2, r.stdout + r.stderr);
            assert.match(r.stderr, message);
            assert.ok(!fs.existsSync(path.join(o, "plan.json")), "nothing is planned");
        });
    }

    it("lists every problem of a file at once", () => {
        const o = tempDir("policy-config");
        dirs.push(o);
        const file = path.join(o, "config.json");
        fs.writeFileSync(file, JSON.stringify({ "wso2-imdsv2-required": { maxHopLimit: 0 }, "wso2-log-retention": { minDays: 400, maxDays: 300 }, nope: "advisory" }));
        const r = runCli(["plan", "--stack", "dev", "--program", ONE, "--out", o, "--policy-config", file]);
        assert.equal(r.code, 2);
        for (const key of ["wso2-imdsv2-required.maxHopLimit", "wso2-log-retention.minDays", '"nope"']) assert.ok(r.stderr.includes(key), `${key} in ${r.stderr}`);
    });

    it("the profiles shipped in policies/config are accepted", () => {
        for (const profile of ["dev", "staging", "prod"]) {
            const o = tempDir("policy-config");
            dirs.push(o);
            const r = runCli(["plan", "--stack", "dev", "--program", ONE, "--out", o, "--policy-config", path.join(REPO, "policies", "config", `${profile}.json`)]);
            assert.equal(r.code, 0, r.stdout + r.stderr);
        }
    });
});
