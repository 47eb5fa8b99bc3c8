import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { readJson, REPO, runCli, tempDir } from "../support/cli";

/** The project's own stacks and a foreign insecure program, through the command a user runs. */
describe("wso2-harden plan on the project's stacks", () => {
    const root = tempDir("stacks");
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    for (const stack of ["dev", "staging", "prod"]) {
        it(`plan --stack ${stack} exits 0 under the pack's strict defaults`, () => {
            const out = path.join(root, stack);
            const r = runCli(["plan", "--stack", stack, "--out", out]);
            const report = fs.existsSync(path.join(out, "policy-report.json")) ? readJson(path.join(out, "policy-report.json")) : null;
            assert.equal(r.code, 0, r.stderr + r.stdout + JSON.stringify(report?.violations, null, 1));
            assert.equal(report.violations.filter((v: any) => v.enforcementLevel === "mandatory").length, 0);
            // check-config ran on every rendered product configuration: none has an error-level finding.
            const configs = readJson(path.join(out, "artifacts", "index.json")).filter((a: any) => a.productConfig);
            assert.ok(configs.length > 0, "the stack renders a product configuration");
            assert.deepEqual(report.configChecks.map((c: any) => c.path).sort(), configs.map((a: any) => a.path).sort());
            for (const c of report.configChecks) {
                assert.deepEqual(c.findings.filter((f: any) => f.severity === "error"), [], c.path);
                for (const t of Object.values(c.effective.tls) as any[]) assert.deepEqual(t.protocols, ["TLSv1.2", "TLSv1.3"], c.path);
            }
            assert.match(fs.readFileSync(path.join(out, "report.md"), "utf8"), /## Product configuration \(check-config\)\n\n### [^\n]+: 0 errors/);
        });
    }

    describe("the prod plan's artifacts", () => {
        const out = () => path.join(root, "prod");
        it("lists every rendered file with its kind, and every listed file exists", () => {
            const index = readJson(path.join(out(), "artifacts", "index.json"));
            const kinds = new Set(index.map((a: any) => a.kind));
            for (const k of ["cloud-config", "nftables", "sshd_config", "systemd-unit", "script", "deployment.toml", "log4j2.properties", "nginx.conf"]) {
                assert.ok(kinds.has(k), `no ${k} artifact`);
            }
            for (const a of index) {
                assert.ok(a.component, `${a.path} names its component`);
                assert.ok(fs.existsSync(path.join(out(), "artifacts", a.path)), a.path);
            }
            const fw = index.find((a: any) => a.kind === "nftables");
            assert.deepEqual(fw.ports.service, [8243, 9443]);
            assert.deepEqual(fw.ports.clustering, [4000, 5672, 9611, 9711]);
            assert.equal(fw.ports.ssh, null, "prod has no SSH sources: sshd is off, access through SSM");
        });

        it("never writes the generated admin password: secret outputs are masked and absent from user data", () => {
            const plan = readJson(path.join(out(), "plan.json"));
            const passwords = plan.resources.filter((r: any) => r.type === "random:index/randomPassword:RandomPassword");
            assert.ok(passwords.length > 0, "a generated password");
            for (const p of passwords) assert.equal(p.outputs.result, "[secret]");
            const text = fs.readFileSync(path.join(out(), "plan.json"), "utf8");
            assert.ok(!/plan-[0-9a-f]{20}/.test(text), "a mock password value leaked into plan.json");
        });

        it("report.md has a row per enforced guideline and the reachability diagram", () => {
            const md = fs.readFileSync(path.join(out(), "report.md"), "utf8");
            assert.match(md, /\| OS-CLUSTER-PORTS \| .* \| pass \|/);
            assert.match(md, /```mermaid\nflowchart LR/);
            assert.match(md, /\| wso2-prod\/nftables\.conf \| 8243, 9443 \| 4000, 5672, 9611, 9711 \| disabled \(SSM\) \|/);
        });
    });

    it("judges a foreign insecure program: every seeded violation, exit 1", () => {
        const out = path.join(root, "insecure");
        const r = runCli(["plan", "--program", path.join(REPO, "examples", "insecure"), "--stack", "dev", "--out", out]);
        assert.equal(r.code, 1, r.stderr + r.stdout);
        const expected: string[] = readJson(path.join(REPO, "examples", "insecure", "EXPECTED.json"));
        const report = readJson(path.join(out, "policy-report.json"));
        // Every seeded mistake fires at its policy's level: mandatory ones, and advisory ones (an imported
        // certificate near its expiry) as advisory.
        const fired = new Map<string, string>(report.violations.map((v: any) => [v.policyName, v.enforcementLevel]));
        for (const p of expected) assert.ok(fired.has(p), `${p} did not fire`);
        assert.equal(fired.get("wso2-certificate-expiry"), "advisory");
        for (const v of report.violations) assert.ok(v.guidelines.length > 0, `${v.policyName} names its guidelines`);
        const sarif = readJson(path.join(out, "policy-report.sarif"));
        assert.equal(sarif.runs[0].results.length, report.violations.length);
        assert.match(fs.readFileSync(path.join(out, "report.md"), "utf8"), /0\.0\.0\.0\/0 \(anywhere\)/);
    });

    describe("bad configuration exits 2 naming the key, and writes no plan", () => {
        const cases: [string, string[], RegExp][] = [
            ["unknown product", ["wso2-hardening:product=websphere"], /wso2-hardening:product = "websphere": must be one of apim, mi, is, si/],
            ["one node in prod", ["wso2-hardening:nodeCount=1"], /wso2-hardening:nodeCount = 1: must be at least 2 in prod/],
            ["negative node count", ["wso2-hardening:nodeCount=-3"], /wso2-hardening:nodeCount = -3: must be an integer between 1 and 20/],
            ["unknown environment", ["wso2-hardening:environment=qa"], /wso2-hardening:environment = "qa": must be one of dev, staging, prod/],
            ["malformed CIDR", ['wso2-hardening:clientCidrs=["10.0.0.0/33"]'], /wso2-hardening:clientCidrs = "10\.0\.0\.0\/33": is not a CIDR block/],
            ["SSH from anywhere in prod", ['wso2-hardening:sshSourceCidrs=["0.0.0.0/0"]'], /wso2-hardening:sshSourceCidrs = "0\.0\.0\.0\/0": must not allow SSH from anywhere in prod/],
            ["SSH from anywhere over IPv6 in prod", ['wso2-hardening:sshSourceCidrs=["::/0"]'], /wso2-hardening:sshSourceCidrs = "::\/0": must not allow SSH from anywhere in prod/],
        ];
        for (const [title, overrides, message] of cases) {
            it(title, () => {
                const out = path.join(root, `bad-${title.replace(/\W+/g, "-")}`);
                const r = runCli(["plan", "--stack", "prod", "--out", out, ...overrides.flatMap((o) => ["--config", o])]);
                assert.equal(r.code, 2, r.stdout + r.stderr);
                assert.match(r.stderr, message);
                assert.ok(!fs.existsSync(path.join(out, "plan.json")), "no plan written");
            });
        }
    });
});
