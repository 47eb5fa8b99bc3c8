/**
 * The project's own stacks, planned offline by `wso2-harden plan` with their environment's profile (and
 * prod also with the pack's strict defaults), have no mandatory violation of the pack.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "../..");

describe("policies: the project's own stacks", function () {
    this.timeout(120_000);
    let out: string;
    before(() => (out = fs.mkdtempSync(path.join(os.tmpdir(), "wso2-own-stacks-"))));
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    const runs: [string, string | undefined][] = [["dev", "dev"], ["staging", "staging"], ["prod", undefined]];
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
});
