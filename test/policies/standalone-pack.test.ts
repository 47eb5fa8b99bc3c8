/**
 * The pack on its own: `policies/` copied alone into a temporary directory, installed with npm offline
 * (its own package.json and the repository's resolved versions), started as the Pulumi CLI starts it
 * (`@pulumi/pulumi/cmd/run-policy-pack`), and asked over gRPC on loopback what it is and to judge.
 * It loads the compiled JavaScript its package.json names (`bin/index.js`), so nothing is type-checked
 * at start; its sources import nothing outside policies/.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policyMeta } from "../../policies/pack";
import { ensurePackBuilt, installStandalonePack, StartedPack, startPack } from "../support/standalone-pack";
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
