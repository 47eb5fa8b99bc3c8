/**
 * The pack through the analyzer functions the Pulumi engine calls (`@pulumi/policy/server`), on real
 * `AnalyzeRequest`/`AnalyzeStackRequest` protobuf messages, and served by Pulumi's own policy-pack runner
 * over gRPC on loopback with a `--policy-pack-config` profile.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { packArgs, packName, packVersion, policyMeta } from "../../policies/pack";
import type { PlannedResource } from "../../policies/evaluate";
import { find, patch, secureStack } from "./fixtures";
import { ensurePackBuilt } from "../support/standalone-pack";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const server = require("@pulumi/policy/server");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// Resolve protobuf and gRPC the way @pulumi/pulumi does, so `instanceof` checks inside it hold.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const structpb = require(require.resolve("google-protobuf/google/protobuf/struct_pb.js", { paths: [pulumiDir] }));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const LEVEL = ["advisory", "mandatory", "disabled", "remediate"];

interface Diag {
    policyName: string;
    urn: string;
    message: string;
    enforcementLevel: string;
}

function options(): any {
    return new analyzerpb.AnalyzerResourceOptions();
}

function analyzeRequest(r: PlannedResource): any {
    const req = new analyzerpb.AnalyzeRequest();
    req.setType(r.type);
    req.setUrn(r.urn);
    req.setName(r.name);
    req.setProperties(structpb.Struct.fromJavaScript(r.inputs));
    req.setOptions(options());
    return req;
}

function stackRequest(resources: PlannedResource[]): any {
    const req = new analyzerpb.AnalyzeStackRequest();
    req.setResourcesList(resources.map((r) => {
        const a = new analyzerpb.AnalyzerResource();
        a.setType(r.type);
        a.setUrn(r.urn);
        a.setName(r.name);
        a.setProperties(structpb.Struct.fromJavaScript(r.outputs ?? r.inputs));
        a.setOptions(options());
        const deps = a.getPropertydependenciesMap();
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            const d = new analyzerpb.AnalyzerPropertyDependencies();
            d.setUrnsList(urns);
            deps.set(k, d);
        }
        return a;
    }));
    return req;
}

function diagnostics(response: any): Diag[] {
    return response.getDiagnosticsList().map((d: any) => ({
        policyName: d.getPolicyname(),
        urn: d.getUrn(),
        message: d.getMessage(),
        enforcementLevel: LEVEL[d.getEnforcementlevel()],
    }));
}

function call(fn: (call: { request: any }, cb: (err: any, res: any) => void) => void, request: any): Promise<any> {
    return new Promise((resolve, reject) => fn({ request }, (err, res) => (err ? reject(err) : resolve(res))));
}

const analyze = server.makeAnalyzeRpcFun(packName, packVersion, "mandatory", packArgs.policies);
const analyzeStack = server.makeAnalyzeStackRpcFun(packName, packVersion, "mandatory", packArgs.policies);

async function analyzeAll(resources: PlannedResource[]): Promise<Diag[]> {
    const out: Diag[] = [];
    for (const r of resources) out.push(...diagnostics(await call(analyze, analyzeRequest(r))));
    out.push(...diagnostics(await call(analyzeStack, stackRequest(resources))));
    return out;
}

describe("policies through the engine's analyzer functions", () => {
    it("the hardened stack passes Analyze and AnalyzeStack", async () => {
        assert.deepStrictEqual(await analyzeAll(secureStack()), []);
    });

    it("Analyze reports a resource violation as mandatory (the engine attaches the request's URN)", async () => {
        const stack = patch(secureStack(), "nodes-lt", { metadataOptions: { httpTokens: "optional" } });
        const diags = diagnostics(await call(analyze, analyzeRequest(find(stack, "nodes-lt"))));
        assert.deepStrictEqual(diags.map((d) => [d.policyName, d.enforcementLevel]), [["wso2-imdsv2-required", "mandatory"]]);
        assert.match(diags[0].message, /IMDSv1 is allowed/);
    });

    it("AnalyzeStack reports stack-policy violations on the offending resource", async () => {
        const stack = patch(secureStack(), "nodes-cluster", { referencedSecurityGroupId: undefined, cidrIpv4: "0.0.0.0/0" });
        const diags = diagnostics(await call(analyzeStack, stackRequest(stack)));
        assert.deepStrictEqual(diags.map((d) => [d.policyName, d.urn]).sort(), [
            ["wso2-cluster-ports-members-only", find(stack, "nodes-cluster").urn],
            ["wso2-no-world-open-ports", find(stack, "nodes-cluster").urn],
        ]);
    });

    it("a preview with unknown values: references followed through dependencies, unknown settings reported as unproven", async () => {
        const stack = secureStack();
        const preview = stack.map((r) => ({ ...r, inputs: { ...r.inputs }, outputs: { ...r.outputs } }));
        // As on a first preview: ids, ARNs and bucket names of created resources are unknown.
        for (const r of preview) {
            for (const props of [r.inputs, r.outputs!]) {
                for (const key of ["securityGroupId", "referencedSecurityGroupId", "bucket", "loadBalancerArn", "listenerArn", "resourceArn", "id", "arn"]) {
                    if (typeof props[key] === "string" && props[key].startsWith("sg-") || ["bucket", "loadBalancerArn", "listenerArn", "resourceArn", "id", "arn"].includes(key) && props[key] !== undefined) {
                        props[key] = UNKNOWN;
                    }
                }
            }
        }
        const urnOfId = new Map(stack.flatMap((r) => [[r.outputs!.id, r.urn], [r.outputs!.arn, r.urn]] as [string, string][]).filter(([k]) => k));
        preview.forEach((r, i) => {
            const deps: Record<string, string[]> = {};
            for (const [k, v] of Object.entries(stack[i].inputs)) {
                const target = typeof v === "string" ? urnOfId.get(v) : undefined;
                if (target && target !== r.urn) deps[k] = [target];
            }
            r.propertyDependencies = deps;
        });
        // Nested references of the load balancer: its groups and its log bucket, known only through dependencies.
        find(preview, "edge-alb").propertyDependencies = { securityGroups: [find(stack, "edge-sg").urn], accessLogs: [find(stack, "logs-bucket").urn] };
        patch(preview, "edge-alb", { securityGroups: UNKNOWN, accessLogs: { bucket: UNKNOWN, enabled: true } });
        // The database's group list and its parameter group's (auto-generated) name, likewise.
        const db = find(preview, "db");
        db.propertyDependencies = { ...db.propertyDependencies, vpcSecurityGroupIds: [find(stack, "db-sg").urn], parameterGroupName: [find(stack, "db-params").urn] };
        patch(preview, "db", { vpcSecurityGroupIds: [UNKNOWN], parameterGroupName: UNKNOWN });
        assert.deepStrictEqual(await analyzeAll(preview), []);

        // A security setting that is itself unknown is reported, not passed.
        patch(preview, "nodes-lt", { metadataOptions: { httpTokens: UNKNOWN } });
        patch(preview, "edge-https", { sslPolicy: UNKNOWN });
        const diags = await analyzeAll(preview);
        assert.deepStrictEqual(diags.map((d) => d.policyName).sort(), ["wso2-imdsv2-required", "wso2-lb-tls-policy"]);
        for (const d of diags) assert.match(d.message, /could not be proven at preview/);
        // Advisory, as the server reports values its own proxy finds unknown: a first preview is never blocked.
        assert.deepStrictEqual(diags.map((d) => d.enforcementLevel), ["advisory", "advisory"]);
    });

    it("production-only policies read environment tags as the engine sends them (dev-tagged: silent; untagged: strict)", async () => {
        const relaxed = () => {
            const stack = patch(secureStack(), "nodes-asg", { minSize: 1 });
            patch(stack, "edge-alb", { enableDeletionProtection: false });
            return patch(stack, "wso2-logs", { retentionInDays: 14 });
        };
        const untagged = await analyzeAll(relaxed());
        assert.deepStrictEqual(untagged.map((d) => d.policyName).sort(), ["wso2-failover-nodes", "wso2-lb-deletion-protection", "wso2-log-retention"]);
        const dev = relaxed();
        patch(dev, "nodes-asg", { tags: [{ key: "wso2-hardening:environment", value: "dev", propagateAtLaunch: false }] });
        patch(dev, "edge-alb", { tags: { Environment: "dev" } });
        patch(dev, "wso2-logs", { tags: { "wso2-hardening:environment": "dev" } });
        assert.deepStrictEqual(await analyzeAll(dev), []);
    });

    it("Remediate fixes IMDSv2, public-access blocks and invalid headers when the pack remediates", async () => {
        const remediate = server.makeRemediateRpcFun(packName, packVersion, "remediate", packArgs.policies);
        const stack = secureStack();
        patch(stack, "nodes-lt", { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } });
        patch(stack, "backup-bucket-pab", { ignorePublicAcls: false, restrictPublicBuckets: undefined });
        patch(stack, "edge-alb", { dropInvalidHeaderFields: false });
        const fixed = async (name: string) => {
            const res = await call(remediate, analyzeRequest(find(stack, name)));
            return res.getRemediationsList().map((r: any) => [r.getPolicyname(), r.getProperties()?.toJavaScript()]);
        };
        const lt = await fixed("nodes-lt");
        assert.deepStrictEqual(lt.map((r: any[]) => r[0]), ["wso2-imdsv2-required"]);
        assert.deepStrictEqual(lt[0][1].metadataOptions, { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" });
        assert.strictEqual(lt[0][1].userData, find(stack, "nodes-lt").inputs.userData);
        const pab = await fixed("backup-bucket-pab");
        assert.deepStrictEqual(pab.map((r: any[]) => r[0]), ["wso2-public-access-block-complete"]);
        assert.deepStrictEqual([pab[0][1].blockPublicAcls, pab[0][1].blockPublicPolicy, pab[0][1].ignorePublicAcls, pab[0][1].restrictPublicBuckets], [true, true, true, true]);
        const alb = await fixed("edge-alb");
        assert.deepStrictEqual(alb.map((r: any[]) => [r[0], r[1].dropInvalidHeaderFields]), [["wso2-lb-drop-invalid-headers", true]]);
        // A compliant resource is left alone.
        assert.deepStrictEqual(await fixed("backup-key"), []);
    });
});

describe("policies served by Pulumi's policy-pack runner over gRPC", function () {
    let child: ChildProcess | undefined;
    let client: any;

    before(async function () {
        this.timeout(90_000);
        ensurePackBuilt(); // the runner loads policies/bin/index.js, the pack's compiled main
        const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
        child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: path.join(__dirname, "../../policies"), stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        const port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`the pack did not start within 60 s: ${stderr}`)), 60_000);
            child!.stdout!.on("data", (d) => {
                const m = /^(\d+)\s*$/m.exec(String(d));
                if (m) {
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                }
            });
            child!.on("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`the pack exited with ${code}: ${stderr}`));
            });
        });
        client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        child?.kill("SIGKILL");
    });

    const rpc = (method: string, request: any): Promise<any> =>
        new Promise((resolve, reject) => client[method](request, { deadline: Date.now() + 20_000 }, (err: any, res: any) => (err ? reject(err) : resolve(res))));

    it("announces every policy with its config schema, severity and guideline tags", async () => {
        const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb.js", { paths: [pulumiDir] }));
        const info = await rpc("getAnalyzerInfo", new Empty());
        assert.strictEqual(info.getName(), "wso2-hardening");
        const policies = info.getPoliciesList();
        assert.deepStrictEqual(policies.map((p: any) => p.getName()), policyMeta.map((m) => m.name));
        for (const p of policies) {
            const meta = policyMeta.find((m) => m.name === p.getName())!;
            assert.deepStrictEqual(p.getTagsList().filter((t: string) => t.startsWith("guideline:")), meta.guidelines.map((g) => `guideline:${g}`));
            assert.ok(p.getConfigschema().getProperties().toJavaScript().suppressions, p.getName());
        }
    });

    it("applies a --policy-pack-config profile sent through Configure (dev relaxes failover)", async () => {
        const stack = patch(secureStack(), "nodes-asg", { minSize: 1 });
        let diags = diagnostics(await rpc("analyzeStack", stackRequest(stack)));
        assert.deepStrictEqual(diags.map((d) => [d.policyName, d.enforcementLevel]), [["wso2-failover-nodes", "mandatory"]]);

        const dev = require("../../policies/config/dev.json");
        const req = new analyzerpb.ConfigureAnalyzerRequest();
        const map = req.getPolicyconfigMap();
        for (const [name, entry] of Object.entries<any>(dev)) {
            const { enforcementLevel, ...props } = entry;
            const pc = new analyzerpb.PolicyConfig();
            pc.setEnforcementlevel(LEVEL.indexOf(enforcementLevel ?? "mandatory"));
            pc.setProperties(structpb.Struct.fromJavaScript(props));
            map.set(name, pc);
        }
        await rpc("configure", req);
        diags = diagnostics(await rpc("analyzeStack", stackRequest(stack)));
        assert.deepStrictEqual(diags.map((d) => [d.policyName, d.enforcementLevel]), [["wso2-failover-nodes", "advisory"]]);
    });
});
