import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { readJson, REPO, tempDir } from "../support/cli";
import { installProgram, packLibrary } from "../support/package";
import { startPack } from "../support/standalone-pack";
import { packName, policyMeta } from "../../policies/pack";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb.js", { paths: [pulumiDir] }));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));

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
                // The pack's own build output and dependencies are not sources.
                if (e.isDirectory() && ["policies/bin", "policies/node_modules"].includes(child.split(path.sep).join("/"))) continue;
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
        const of = (type: string) => plan.resources.filter((x: any) => x.type === type);
        // The program's own VPC, under its own names; no network of the library's.
        assert.deepEqual(of("aws:ec2/vpc:Vpc").map((x: any) => x.name), ["acme-core"]);
        assert.deepEqual(of("wso2-hardening:aws:Wso2Network"), []);
        // Two products side by side, each a cluster and an edge named by the program.
        const clusters = of("wso2-hardening:aws:Wso2Cluster");
        assert.deepEqual(clusters.map((x: any) => x.name).sort(), ["acme-apis", "acme-login"]);
        assert.deepEqual(of("wso2-hardening:aws:EdgeLoadBalancer").map((x: any) => x.name).sort(), ["acme-apis", "acme-login"]);
        const products = of("aws:ec2/launchTemplate:LaunchTemplate").map((x: any) => x.inputs.tags["wso2-hardening:product"]).sort();
        assert.deepEqual(products, ["apim", "is"]);
        // The clusters' groups are in the program's VPC.
        const vpcId = of("aws:ec2/vpc:Vpc")[0].id;
        for (const g of of("aws:ec2/securityGroup:SecurityGroup")) assert.equal(g.inputs.vpcId, vpcId, g.name);
        const report = readJson(path.join(out, "policy-report.json"));
        assert.deepEqual(report.violations.filter((v: any) => v.enforcementLevel === "mandatory"), []);
    });

    it("serves the installed policy pack (dist/policies) as the Pulumi CLI starts it, with every policy", async () => {
        const pack = await startPack(path.join(installed, "dist", "policies"));
        try {
            const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
            const info = await new Promise<any>((resolve, reject) => client.getAnalyzerInfo(new Empty(), (e: Error | null, r: any) => (e ? reject(e) : resolve(r))));
            client.close();
            assert.equal(info.getName(), packName);
            assert.deepEqual(info.getPoliciesList().map((p: any) => p.getName()).sort(), policyMeta.map((m) => m.name).sort());
        } finally {
            pack.child.kill();
        }
    });

    it("type-checks the program against the installed declarations (tsc)", () => {
        const r = inProgram(program, process.execPath, [path.join(program, "node_modules", "typescript", "bin", "tsc"), "-p", "."]);
        assert.equal(r.code, 0, r.output);
    });
});
