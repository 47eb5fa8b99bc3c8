import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { readJson, REPO, runCli, tempDir } from "../support/cli";

const ONE = path.join(REPO, "test", "fixtures", "one-resource");
const REFS = path.join(REPO, "test", "fixtures", "stack-refs");

describe("wso2-harden plan (contract of DESIGN.md)", () => {
    const dirs: string[] = [];
    const out = (name: string) => {
        const d = tempDir(name);
        dirs.push(d);
        return d;
    };
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    it("plans a foreign program and writes plan, reports and the artifact index", () => {
        const o = out("one");
        const r = runCli(["plan", "--program", ONE, "--stack", "dev", "--out", o]);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const plan = readJson(path.join(o, "plan.json"));
        assert.equal(plan.project, "one-resource");
        assert.equal(plan.stack, "dev");
        const key = plan.resources.find((x: any) => x.type === "aws:kms/key:Key");
        assert.ok(key, "the KMS key is in the plan");
        for (const field of ["urn", "type", "name", "id", "parent", "inputs", "outputs"]) assert.ok(field in key, field);
        assert.match(key.outputs.arn, /^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/);
        assert.equal(key.parent, plan.resources.find((x: any) => x.type === "pulumi:pulumi:Stack").urn);
        const report = readJson(path.join(o, "policy-report.json"));
        assert.ok(Array.isArray(report.violations));
        const sarif = readJson(path.join(o, "policy-report.sarif"));
        assert.equal(sarif.version, "2.1.0");
        assert.ok(sarif.runs[0].tool.driver.rules.length > 0, "the pack's policies are SARIF rules");
        assert.deepEqual(readJson(path.join(o, "artifacts", "index.json")), []);
        assert.match(fs.readFileSync(path.join(o, "report.md"), "utf8"), /^# Plan of one-resource \/ dev/);
    });

    it("gives deterministic ids: two plans of the same stack are identical", () => {
        const a = out("det-a");
        const b = out("det-b");
        assert.equal(runCli(["plan", "--program", ONE, "--stack", "dev", "--out", a]).code, 0);
        assert.equal(runCli(["plan", "--program", ONE, "--stack", "dev", "--out", b]).code, 0);
        assert.equal(fs.readFileSync(path.join(a, "plan.json"), "utf8"), fs.readFileSync(path.join(b, "plan.json"), "utf8"));
    });

    it("resolves a StackReference to a stack of the same program by planning it first", () => {
        const o = out("refs");
        const r = runCli(["plan", "--program", REFS, "--stack", "consumer", "--out", o]);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const plan = readJson(path.join(o, "plan.json"));
        const copy = plan.resources.find((x: any) => x.name === "copy");
        assert.match(copy.inputs.description, /^shared-[0-9a-f]{7}:42$/);
        assert.ok(!plan.resources.some((x: any) => x.name === "shared"), "the producer's resources stay in its own plan");
    });

    it("never writes secret values: secret inputs, secret outputs and secure config are masked", () => {
        const o = out("secrets");
        assert.equal(runCli(["plan", "--program", REFS, "--stack", "consumer", "--out", o]).code, 0);
        const text = fs.readFileSync(path.join(o, "plan.json"), "utf8");
        assert.ok(!text.includes("s3cr3t-value"), "secret value leaked into plan.json");
        const secret = readJson(path.join(o, "plan.json")).resources.find((x: any) => x.name === "secret");
        assert.equal(secret.inputs.value, "[secret]");
        assert.equal(secret.outputs.value, "[secret]");
    });

    it("--config overrides one key, parsing JSON values", () => {
        const o = out("override");
        const r = runCli(["plan", "--program", REFS, "--stack", "producer", "--out", o, "--config", "greeting=bonjour"]);
        assert.equal(r.code, 0, r.stderr);
        const p = readJson(path.join(o, "plan.json")).resources.find((x: any) => x.name === "shared");
        assert.equal(p.inputs.description, "bonjour");
        assert.equal(readJson(path.join(o, "plan.json")).outputs.answer, 42);
    });

    describe("bad usage exits 2 and writes nothing", () => {
        const cases: [string, string[], RegExp][] = [
            ["no --stack", ["plan", "--program", ONE], /--stack <name> is required/],
            ["unknown option", ["plan", "--stack", "dev", "--program", ONE, "--frobnicate"], /unknown option '--frobnicate'/],
            ["unknown stack", ["plan", "--stack", "nope", "--program", ONE], /no stack file .*Pulumi\.nope\.yaml/],
            ["no Pulumi.yaml", ["plan", "--stack", "dev", "--program", path.join(REPO, "test")], /no Pulumi\.yaml/],
            ["malformed --config", ["plan", "--stack", "dev", "--program", ONE, "--config", "novalue"], /expected <namespace:key>=<value>/],
            ["unknown command", ["deploy"], /unknown command 'deploy'/],
        ];
        for (const [title, args, message] of cases) {
            it(title, () => {
                const o = out("usage");
                const r = runCli([...args, "--out", o]);
                assert.equal(r.code, 2, r.stdout + r.stderr);
                assert.match(r.stderr, message);
                assert.ok(!fs.existsSync(path.join(o, "plan.json")), "no plan written");
            });
        }
        it("a policy config naming an unknown policy", () => {
            const o = out("badpc");
            const f = path.join(o, "pc.json");
            fs.writeFileSync(f, JSON.stringify({ "no-such-policy": "advisory" }));
            const r = runCli(["plan", "--stack", "dev", "--program", ONE, "--out", o, "--policy-config", f]);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /policy config "no-such-policy" names no policy of the pack/);
        });
    });

    it("--help documents every flag the parser accepts", () => {
        const r = runCli(["plan", "--help"]);
        assert.equal(r.code, 0);
        for (const flag of ["--stack", "--program", "--out", "--config", "--policy-config"]) assert.ok(r.stdout.includes(flag), flag);
    });
});
