import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_KEYS } from "../config/schema";
import { spawnSync } from "child_process";
import { REPO } from "./support/cli";

describe("project files", () => {
    const project = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));

    it("Pulumi.yaml is the nodejs project wso2-hardening with main stacks/ and stackConfigDir stacks", () => {
        assert.equal(project.name, "wso2-hardening");
        assert.equal(project.runtime.name, "nodejs");
        assert.equal(project.main, "stacks/");
        assert.equal(project.stackConfigDir, "stacks");
    });

    it("Pulumi.yaml declares every config key with the type, description and default of config/schema.ts", () => {
        assert.deepEqual(Object.keys(project.config).sort(), Object.keys(CONFIG_KEYS).sort());
        for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
            const declared = project.config[key];
            assert.equal(declared.type, spec.type, key);
            assert.equal(declared.description, spec.description, key);
            assert.deepEqual(declared.default, spec.default, key);
            if (spec.type === "array") assert.deepEqual(declared.items, { type: "string" }, key);
        }
    });

    it("package.json pins the stack the project is built and tested with", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
        const deps = { ...pkg.dependencies, ...pkg.devDependencies };
        assert.equal(deps["@pulumi/pulumi"], "3.270.0");
        assert.equal(deps["@pulumi/aws"], "7.48.0");
        assert.equal(deps["@pulumi/kubernetes"], "4.34.2");
        assert.equal(deps["@pulumi/random"], "4.21.2");
        assert.equal(deps["@pulumi/policy"], "1.21.0");
        assert.match(deps.typescript, /^~5\.9/);
        assert.equal(pkg.bin["wso2-harden"], "cli/bin/wso2-harden.js");
        assert.ok(fs.existsSync(path.join(REPO, "package-lock.json")));
    });
});

/** The README's opening `sh` block: the commands a new machine runs, comments stripped. */
function readmeCommands(): string[] {
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    const block = /```sh\n([\s\S]*?)```/.exec(readme);
    assert.ok(block, "README has a sh block");
    return block[1].split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter((l) => l !== "");
}

/** Commands a shell script runs, without comments, `set` options and the `cd` to the repository. */
function scriptCommands(file: string): string[] {
    return fs
        .readFileSync(path.join(REPO, file), "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("set ") && !/^cd "\$\(dirname "\$0"\)\/\.\."$/.test(l));
}

/** Debian packages `scripts/setup.sh` installs (its `apt-get install` list) and its PyPI requirements. */
function setupPackages(): { apt: string[]; pypi: string[] } {
    const script = fs.readFileSync(path.join(REPO, "scripts/setup.sh"), "utf8").replace(/\\\n/g, " ");
    const apt = /apt-get install ([^\n]*)/.exec(script);
    const pip = /pip" install ([^\n]*)/.exec(script);
    assert.ok(apt && pip, "setup.sh installs with apt-get and pip");
    const words = (s: string) => s.split(/\s+/).filter((w) => w !== "" && !w.startsWith("-"));
    return { apt: words(apt[1]), pypi: words(pip[1]).map((w) => w.replace(/^"|"$/g, "").replace(/[[=].*$/, "")) };
}

/**
 * Every external program the tests (and their helpers) run: `requireTool("x")`, the spawn family and the
 * helpers' `run`/`runOk` with a literal command, and literal paths under /usr (nginx, tomcat10, PostgreSQL).
 */
function toolsTheTestsRun(): Map<string, string[]> {
    const tools = new Map<string, string[]>();
    const add = (tool: string, file: string) => tools.set(tool, [...(tools.get(tool) ?? []), file]);
    const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
    for (const file of walk(path.join(REPO, "test")).filter((f) => f !== __filename)) {
        const src = fs.readFileSync(file, "utf8");
        const rel = path.relative(REPO, file);
        const usesHelpers = /import \{[^}]*\brun(Ok)?\b[^}]*\} from "(\.\/|\.\.\/host\/)helpers"/.test(src) || rel === "test/host/helpers.ts";
        const calls = [/requireTool\("([^"]+)"\)/g, /\b(?:spawn|spawnSync|execFile|execFileSync)\(\s*"([^"]+)"/g];
        if (usesHelpers) calls.push(/\brun(?:Ok)?\(\s*"([^"]+)"/g);
        for (const re of calls) for (const m of src.matchAll(re)) add(m[1], rel);
        for (const m of src.matchAll(/"(\/usr\/(?:s?bin|lib|share)\/[^"*]+)"/g)) add(m[1], rel);
    }
    return tools;
}

describe("a fresh machine: README's two commands", () => {
    it(".ci/run runs exactly the README's opening commands: set-up, then every test", () => {
        const commands = readmeCommands();
        assert.deepEqual(commands, ["bash scripts/setup.sh", "npm run test:all"]);
        assert.deepEqual(scriptCommands(".ci/run"), commands);
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
        assert.equal(pkg.scripts["test:all"], "bash scripts/test-all.sh");
    });

    it("test:all type-checks first, then runs npm test and test:boot side by side and fails when either fails", function () {
        this.timeout(30000);
        assert.equal(spawnSync("shellcheck", [path.join(REPO, "scripts/test-all.sh")], { encoding: "utf8" }).status, 0, "shellcheck scripts/test-all.sh");
        const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "test-all-"));
        try {
            fs.mkdirSync(path.join(dir, "scripts"));
            fs.mkdirSync(path.join(dir, "bin"));
            fs.copyFileSync(path.join(REPO, "scripts/test-all.sh"), path.join(dir, "scripts/test-all.sh"));
            // A stand-in npm: records each command with the time it starts and ends; exit codes from the environment.
            fs.writeFileSync(
                path.join(dir, "bin/npm"),
                [
                    "#!/bin/sh",
                    'what="$1 $2"; echo "start $what" >>"$CALLS"',
                    'case "$what" in',
                    '  "run typecheck") rc=$TYPECHECK_RC ;;',
                    '  "run test:boot") sleep 1; echo "booted"; rc=$BOOT_RC ;;',
                    '  "test ") sleep 1; rc=$TEST_RC ;;',
                    "esac",
                    'echo "end $what" >>"$CALLS"; exit "$rc"',
                    "",
                ].join("\n"),
                { mode: 0o755 },
            );
            const runAll = (typecheck: number, tests: number, boot: number) => {
                const calls = path.join(dir, `calls-${typecheck}${tests}${boot}`);
                const env = { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, CALLS: calls, TYPECHECK_RC: String(typecheck), TEST_RC: String(tests), BOOT_RC: String(boot) };
                const r = spawnSync("bash", [path.join(dir, "scripts/test-all.sh")], { encoding: "utf8", env, timeout: 20000 });
                return { status: r.status, stdout: r.stdout, calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [] };
            };
            const ok = runAll(0, 0, 0);
            assert.equal(ok.status, 0);
            assert.equal(ok.calls[0], "start run typecheck");
            assert.equal(ok.calls[1], "end run typecheck");
            // Side by side: both start before either ends.
            assert.deepEqual(ok.calls.slice(2, 4).sort(), ["start run test:boot", "start test "]);
            assert.match(ok.stdout, /^\[test:boot\] booted$/m);
            assert.equal(runAll(0, 1, 0).status, 1, "a failing npm test fails test:all");
            assert.equal(runAll(0, 0, 1).status, 1, "a failing boot test fails test:all");
            const noTypes = runAll(2, 0, 0);
            assert.equal(noTypes.status, 1, "a failing type check fails test:all");
            assert.deepEqual(noTypes.calls, ["start run typecheck", "end run typecheck"], "nothing runs after a failed type check");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("package.json's engines are what the pinned SDK and the locked dependencies declare", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
        const lock = JSON.parse(fs.readFileSync(path.join(REPO, "package-lock.json"), "utf8"));
        assert.equal(lock.packages["node_modules/@pulumi/pulumi"].engines.node, ">=22");
        assert.equal(pkg.engines.node, ">=22.9.0");
        // Every locked package's own range accepts 22.9.0 (npm's ranges here are unions of caret and >= ranges).
        const accepts = (range: string, [maj, min]: number[]) =>
            range.split("||").some((alt) => {
                const m = /^\s*(\^|>=\s*|)(\d+)(?:\.(\d+))?(?:\.\d+)?\s*$/.exec(alt);
                if (!m) return true;
                const [rMaj, rMin] = [Number(m[2]), Number(m[3] ?? 0)];
                if (m[1] === "^") return maj === rMaj && min >= rMin;
                if (m[1] === "") return maj === rMaj;
                return maj > rMaj || (maj === rMaj && min >= rMin);
            });
        for (const [name, meta] of Object.entries<any>(lock.packages)) {
            const range = meta.engines?.node;
            if (typeof range === "string") assert.ok(accepts(range, [22, 9]), `${name} (${range}) refuses Node 22.9`);
        }
    });

    it("scripts/setup.sh installs every program the tests run (Debian packages, their dependencies, or PyPI)", function () {
        if (spawnSync("sh", ["-c", "command -v dpkg-query"]).status !== 0) this.skip();
        const { apt, pypi } = setupPackages();
        // What Debian gives every system, what the README asks for, and what setup.sh takes from PyPI.
        const prerequisites = new Set(["node", "npm", "npx"]);
        const fromPypi: Record<string, string> = { moto_server: "moto", aws: "awscli" };
        const installed = spawnSync("dpkg-query", ["-W", "-f=${Package}\t${Essential}\t${Pre-Depends}, ${Depends}\t${Provides}\n"], { encoding: "utf8" }).stdout;
        const essential = new Set<string>();
        const depends = new Map<string, string[]>();
        const providers = new Map<string, string[]>();
        const names = (field: string) => field.split(/[,|]/).map((d) => d.trim().replace(/[\s:(].*$/, "")).filter((d) => d !== "");
        for (const line of installed.split("\n").filter((l) => l !== "")) {
            const [name, ess, deps, provides] = line.split("\t");
            if (ess === "yes") essential.add(name);
            depends.set(name, names(deps));
            for (const p of names(provides ?? "")) providers.set(p, [...(providers.get(p) ?? []), name]);
        }
        const closure = new Set<string>();
        const visit = (p: string) => {
            if (closure.has(p)) return;
            closure.add(p);
            for (const d of [...(depends.get(p) ?? []), ...(providers.get(p) ?? [])]) visit(d);
        };
        apt.forEach(visit);

        const tools = toolsTheTestsRun();
        for (const t of ["moto_server", "sshd", "nft", "/usr/sbin/nginx", "/usr/share/tomcat10", "keytool"]) assert.ok(tools.has(t), `the scan finds ${t}`);
        const problems: string[] = [];
        // Each tool's file as found on the PATH, its target, and Debian's own locations (a PATH may list a shim first).
        const candidates = new Map<string, string[]>();
        for (const [tool, files] of tools) {
            if (prerequisites.has(tool)) continue;
            if (fromPypi[tool]) {
                if (!pypi.includes(fromPypi[tool])) problems.push(`${tool} (${files[0]}): setup.sh's pip line lacks ${fromPypi[tool]}`);
                continue;
            }
            const where = tool.startsWith("/") ? tool : spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
            if (!where) {
                problems.push(`${tool} (${files[0]}) is not installed here`);
                continue;
            }
            const paths = [where, ...(tool.startsWith("/") ? [] : ["/usr/bin", "/usr/sbin", "/bin", "/sbin"].map((d) => `${d}/${tool}`))];
            candidates.set(tool, [...new Set(paths.flatMap((f) => (fs.existsSync(f) ? [f, fs.realpathSync(f)] : [f])))]);
        }
        // One dpkg-query for every path: "pkg[:arch][, pkg...]: /path" per owned path (diversions skipped).
        const owned = new Map<string, string[]>();
        const answer = spawnSync("dpkg-query", ["-S", ...new Set([...candidates.values()].flat())], { encoding: "utf8" }).stdout;
        for (const line of answer.split("\n")) {
            const m = /^([^:][^ ]*(?:, [^ ]+)*): (\/.*)$/.exec(line);
            if (!m || line.startsWith("diversion by ")) continue;
            owned.set(m[2], [...(owned.get(m[2]) ?? []), ...m[1].split(", ").map((p) => p.replace(/:.*$/, ""))]);
        }
        for (const [tool, paths] of candidates) {
            const packages = [...new Set(paths.flatMap((f) => owned.get(f) ?? []))];
            const file = tools.get(tool)![0];
            if (packages.length === 0) problems.push(`${tool} (${file}): ${paths[0]} belongs to no Debian package`);
            else if (!packages.some((p) => essential.has(p) || closure.has(p))) problems.push(`${tool} (${file}): ${packages.join(", ")} is not installed by setup.sh`);
        }
        assert.deepEqual(problems, []);
    });
});
