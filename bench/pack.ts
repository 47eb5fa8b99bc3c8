/**
 * The pack as the Pulumi CLI runs it: `policies/` copied alone and installed offline (as
 * test/policies/standalone-pack.test.ts does), started through `@pulumi/pulumi/cmd/run-policy-pack`,
 * beside an empty pack started the same way from the same node_modules (the floor: Node, the policy SDK,
 * the runner's own TypeScript set-up). Prints the median start time (process start to the port printed)
 * of each, and milliseconds per resource of Analyze over gRPC on loopback for each.
 *
 *   node -r ts-node/register/transpile-only bench/pack.ts [starts] [resources]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { secureStack } from "../test/policies/fixtures";
import { ensurePackBuilt, installStandalonePack, startPack, writeEmptyPack } from "../test/support/standalone-pack";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const structpb = require(require.resolve("google-protobuf/google/protobuf/struct_pb.js", { paths: [pulumiDir] }));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));

const STARTS = Number(process.argv[2] ?? 5);
const RESOURCES = Number(process.argv[3] ?? 500);

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

async function measure(dir: string, reqs: any[]): Promise<{ startMs: number; startCpuMs: number; analyzeMs: number }> {
    const starts: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < STARTS; i++) {
        const p = await startPack(dir);
        starts.push(p.startMs);
        cpu.push(p.startCpuMs ?? NaN);
        if (i < STARTS - 1) p.child.kill("SIGKILL");
        else {
            const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${p.port}`, grpc.credentials.createInsecure());
            const analyze = (req: any) => new Promise<void>((resolve, reject) => client.analyze(req, (err: any) => (err ? reject(err) : resolve())));
            try {
                for (const r of reqs.slice(0, 50)) await analyze(r); // warm-up
                const t = process.hrtime.bigint();
                for (const r of reqs) await analyze(r);
                const analyzeMs = Number(process.hrtime.bigint() - t) / 1e6 / reqs.length;
                return { startMs: median(starts), startCpuMs: median(cpu), analyzeMs };
            } finally {
                client.close();
                p.child.kill("SIGKILL");
            }
        }
    }
    throw new Error("no start measured");
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
        console.log(`standalone pack start (run-policy-pack, median of ${STARTS}): ${ours.startMs.toFixed(0)} ms`);
        console.log(`empty pack start, the floor (same runner and node_modules): ${empty.startMs.toFixed(0)} ms`);
        console.log(`pack start above the floor: ${(ours.startMs - empty.startMs).toFixed(0)} ms (goal: pack start <= 1000 ms)`);
        console.log(`CPU to first answer (user+system, immune to load), pack / empty: ${ours.startCpuMs.toFixed(0)} ms / ${empty.startCpuMs.toFixed(0)} ms`);
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
