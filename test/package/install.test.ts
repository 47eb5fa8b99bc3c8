import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { readJson, REPO, tempDir } from "../support/cli";
import { installProgram, packLibrary } from "../support/package";

const EXAMPLE = path.join(REPO, "examples", "library");

/** Runs a command in the installed program, bounded in time. */
function inProgram(dir: string, command: string, args: string[], timeoutMs = 180_000) {
    const r = spawnSync(command, args, { cwd: dir, encoding: "utf8", timeout: timeoutMs });
    return { code: r.status, output: `${r.stdout}\n${r.stderr}${r.error ? `\n${r.error.message}` : ""}` };
}

describe("the library as an installed package (npm pack, npm ci --offline into a fresh program)", function () {
    // Pack (tsc build), install (copying ~270 MB of dependencies from the npm cache), plan and tsc: minutes on a busy machine.
    this.timeout(900_000);
    let root: string;
    let program: string;
    let installed: string;

    before(function () {
        root = tempDir("package");
        const packed = packLibrary(root);
        program = path.join(root, "program");
        const install = installProgram(EXAMPLE, program, packed.value);
        installed = path.join(program, "node_modules", "wso2-hardening");
        process.stdout.write(`      npm pack ${packed.seconds.toFixed(1)} s; npm ci --offline ${install.seconds.toFixed(1)} s\n`);
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("ships compiled JavaScript with declarations, the CLI launcher and the pack's files, and no TypeScript sources", () => {
        const pkg = readJson(path.join(installed, "package.json"));
        assert.notEqual(pkg.private, true);
        for (const target of Object.values<{ types: string; default: string } | string>(pkg.exports)) {
            const files = typeof target === "string" ? [target] : [target.types, target.default];
            for (const f of files) assert.ok(fs.existsSync(path.join(installed, f)), `exports names ${f}, which the package lacks`);
        }
        assert.ok(fs.existsSync(path.join(installed, pkg.types)));
        assert.ok(fs.existsSync(path.join(installed, "dist", "cli", "main.js")));
        assert.ok(!fs.existsSync(path.join(installed, "cli", "main.ts")), "the CLI runs compiled, not from sources");
        for (const f of ["PulumiPolicy.yaml", "package.json", "index.js", "config/prod.json"]) {
            assert.ok(fs.existsSync(path.join(installed, "dist", "policies", f)), `dist/policies/${f}`);
        }
        assert.equal(readJson(path.join(installed, "dist", "policies", "package.json")).main, "index.js");
        const sources: string[] = [];
        const walk = (dir: string) => {
            for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
                if (e.isDirectory()) walk(path.join(dir, e.name));
                else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) sources.push(path.relative(installed, path.join(dir, e.name)));
            }
        };
        walk(installed);
        assert.deepEqual(sources, []);
    });

    it("copies every run-time asset of the sources (shell scripts, pack files) beside the compiled code", () => {
        const assets: string[] = [];
        const walk = (rel: string) => {
            for (const e of fs.readdirSync(path.join(REPO, rel), { withFileTypes: true })) {
                const child = path.join(rel, e.name);
                if (e.isDirectory()) walk(child);
                else if (!e.name.endsWith(".ts") && e.name !== "tsconfig.json") assets.push(child);
            }
        };
        for (const dir of ["config", "products", "components", "policies"]) walk(dir);
        assert.ok(assets.length > 0);
        for (const a of assets) assert.ok(fs.existsSync(path.join(installed, "dist", a)), `dist/${a} is missing from the package`);
    });

    it("plans the program with the installed `wso2-harden plan --program` and finds no mandatory violation", () => {
        const out = path.join(root, "plan");
        const r = inProgram(program, path.join(program, "node_modules", ".bin", "wso2-harden"), ["plan", "--stack", "dev", "--program", ".", "--out", out]);
        assert.equal(r.code, 0, r.output);
        const plan = readJson(path.join(out, "plan.json"));
        assert.equal(plan.project, "acme-wso2");
        assert.ok(plan.resources.some((x: any) => x.type === "aws:ec2/vpc:Vpc"), "the library's resources are planned");
        const report = readJson(path.join(out, "policy-report.json"));
        assert.deepEqual(report.violations.filter((v: any) => v.enforcementLevel === "mandatory"), []);
    });

    it("type-checks the program against the installed declarations (tsc)", () => {
        const r = inProgram(program, process.execPath, [path.join(program, "node_modules", "typescript", "bin", "tsc"), "-p", "."]);
        assert.equal(r.code, 0, r.output);
    });
});
