import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import type { RecordedArtifact } from "../../components/artifacts";

/** The stack file's config, as Pulumi hands it to the program (lists as JSON). */
function stackConfig(stack: string): Record<string, string> {
    const doc = parseYaml(fs.readFileSync(path.resolve(__dirname, `../../stacks/Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

const PASSWORD = "Gen3rated-by.random~for_the#test";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

/** Strips the SDK's secret wrappers (and notes that there was one). */
function unwrap(v: any, seen: { secret: boolean }): any {
    if (v === null || typeof v !== "object") return v;
    if (v["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") {
        seen.secret = true;
        return unwrap(v.value, seen);
    }
    if (Array.isArray(v)) return v.map((e) => unwrap(e, seen));
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, unwrap(e, seen)]));
}

describe("kubernetes: the k8s-prod stack under mocks", function () {
    const registered: Registered[] = [];
    let outputs: Record<string, any> = {};
    let artifacts: RecordedArtifact[] = [];

    before(async function () {
        const config = stackConfig("k8s-prod");
        pulumi.runtime.setAllConfig(config);
        await pulumi.runtime.setMocks(
            {
                newResource(args) {
                    registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                    const state: Record<string, any> = { ...args.inputs };
                    const id = `${args.name}-id`;
                    if (args.type === "random:index/randomPassword:RandomPassword") state.result = PASSWORD;
                    if (args.type === "aws:s3/bucket:Bucket") {
                        state.bucket = `${args.name}-0abc123`;
                        state.arn = `arn:aws:s3:::${state.bucket}`;
                    } else if (args.type.startsWith("aws:")) {
                        state.arn = `arn:aws:${args.type.split(":")[1].split("/")[0]}:eu-west-1:123456789012:${id}`;
                    }
                    return { id, state };
                },
                call(args) {
                    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/t", userId: "u" };
                    return args.inputs;
                },
            },
            "wso2-hardening",
            "k8s-prod",
        );
        // Loaded after the mocks, as Pulumi's mock tests require.
        const { loadSettings } = await import("../../config");
        const { deployKubernetes } = await import("../../stacks/kubernetes");
        const { drainArtifacts } = await import("../../components/artifacts");
        drainArtifacts();
        const result = deployKubernetes(loadSettings());
        outputs = await new Promise((resolve) => pulumi.all(result).apply(resolve));
        // The CronJob waits for the bucket's name: poll (bounded) until its registration and artifact are in.
        for (let i = 0; i < 250 && !registered.some((r) => r.type === "kubernetes:batch/v1:CronJob"); i++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        artifacts = drainArtifacts();
    });

    const ofType = (type: string) => registered.filter((r) => r.type === type);

    it("connects to the external database endpoint over verified TLS, as the runtime user, its password through Secure Vault", () => {
        const config = ofType("kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata.name === "wso2-apim-blue-config")!;
        const toml = parseToml(config.inputs.data["deployment.toml"]) as any;
        const host = stackConfig("k8s-prod")["wso2-hardening:databaseEndpoint"];
        for (const [datasource, name] of [["apim_db", "wso2am_db"], ["shared_db", "wso2shared_db"]]) {
            const d = toml.database[datasource];
            assert.equal(d.url, `jdbc:postgresql://${host}:5432/${name}?sslmode=verify-full&amp;sslrootcert=/run/secrets/wso2-database-ca/ca.pem`);
            assert.equal(d.username, "wso2_runtime");
            assert.equal(d.password, "$secret{database_password}");
        }
        const pod = ofType("kubernetes:apps/v1:StatefulSet")[0].inputs.spec.template.spec;
        const vault = pod.initContainers.find((c: any) => c.name === "secure-vault");
        assert.match(vault.command[2], /database_password="\$\(cat '\/run\/secrets\/wso2-database\/password'\)"/);
        assert.match(vault.command[2], /printf '%s = "\[%s\]"\\n' database_password "\$database_password"/);
        assert.ok(vault.volumeMounts.some((m: any) => m.name === "database-secret"));
        // The password Secret is mounted only where the vault is filled; the product sees the CA bundle alone.
        assert.ok(!pod.containers[0].volumeMounts.some((m: any) => m.name === "database-secret"));
        assert.ok(pod.containers[0].volumeMounts.some((m: any) => m.name === "database-ca" && m.mountPath === "/run/secrets/wso2-database-ca"));
        const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v.secret?.secretName]));
        assert.equal(volumes["database-secret"], "wso2-apim-database");
        assert.equal(volumes["database-ca"], "wso2-apim-database-ca");
    });

    it("registers the component with every Kubernetes resource the issue asks for", () => {
        assert.equal(ofType("wso2-hardening:kubernetes:Wso2Kubernetes").length, 1);
        const counts: Record<string, number> = {
            "kubernetes:core/v1:Namespace": 1,
            "kubernetes:core/v1:ServiceAccount": 2,
            "kubernetes:core/v1:Secret": 1,
            "kubernetes:core/v1:ConfigMap": 2,
            "kubernetes:core/v1:Service": 5,
            "kubernetes:apps/v1:StatefulSet": 2,
            "kubernetes:policy/v1:PodDisruptionBudget": 2,
            "kubernetes:networking.k8s.io/v1:NetworkPolicy": 6,
            "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": 1,
            "kubernetes:gateway.networking.k8s.io/v1:BackendTLSPolicy": 1,
            "kubernetes:batch/v1:CronJob": 1,
            "random:index/randomPassword:RandomPassword": 1,
            "aws:eks/podIdentityAssociation:PodIdentityAssociation": 1,
        };
        for (const [type, n] of Object.entries(counts)) assert.equal(ofType(type).length, n, type);
        const sts = ofType("kubernetes:apps/v1:StatefulSet")[0].inputs;
        assert.equal(sts.spec.replicas, 3, "nodeCount 3 from the stack file");
        assert.match(sts.spec.template.spec.containers[0].image, /@sha256:[0-9a-f]{64}$/);
    });

    it("puts the generated password in the Secret as a secret, and nowhere else", () => {
        const secret = ofType("kubernetes:core/v1:Secret")[0];
        const seen = { secret: false };
        const data = unwrap(secret.inputs.stringData, seen);
        assert.equal(seen.secret, true, "stringData is a Pulumi secret");
        assert.deepEqual(data, { username: "wso2-superadmin", password: PASSWORD });
        for (const r of registered.filter((x) => x !== secret && x.type !== "random:index/randomPassword:RandomPassword")) {
            assert.ok(!JSON.stringify(unwrap(r.inputs, { secret: false })).includes(PASSWORD), `${r.type} ${r.name}`);
        }
        for (const a of artifacts) assert.ok(!a.content.includes(PASSWORD), a.path);
        const random = ofType("random:index/randomPassword:RandomPassword")[0].inputs;
        assert.ok(random.length >= 24 && random.special === true);
    });

    it("records every Kubernetes resource as a k8s-manifest artifact equal to what was registered", () => {
        const k8s = registered.filter((r) => r.type.startsWith("kubernetes:"));
        assert.equal(artifacts.length, k8s.length);
        for (const r of k8s) {
            const inputs = unwrap(r.inputs, { secret: false });
            const a = artifacts.find((x) => x.path === `k8s-prod/wso2-apim/${inputs.kind.toLowerCase()}-${inputs.metadata.name}.yaml`);
            assert.ok(a, `${r.type} ${inputs.metadata.name}`);
            assert.equal(a.kind, "k8s-manifest");
            assert.equal(a.component, "wso2-apim");
            const doc = parseYaml(a.content);
            assert.deepEqual(doc.metadata, inputs.metadata);
            if (inputs.kind === "Secret") assert.equal(doc.stringData ?? doc.data, undefined);
            else if (inputs.spec) assert.deepEqual(doc.spec, inputs.spec);
        }
    });

    it("binds the backup job's identity to its ServiceAccount and scopes it to its prefix", () => {
        const association = ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")[0].inputs;
        assert.deepEqual(
            { clusterName: association.clusterName, namespace: association.namespace, serviceAccount: association.serviceAccount },
            { clusterName: "wso2-prod", namespace: "wso2", serviceAccount: "wso2-apim-backup" },
        );
        const role = ofType("aws:iam/role:Role").find((r) => r.name === "wso2-apim-backup")!;
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
        assert.equal(trust.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"], "wso2-apim-backup");
        const policy = JSON.parse(ofType("aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "wso2-apim-backup")!.inputs.policy);
        assert.equal(policy.Statement[0].Action, "s3:PutObject");
        assert.match(policy.Statement[0].Resource, /^arn:aws:s3:::wso2-apim-backups-0abc123\/k8s\/k8s-prod\/wso2-apim\/\*$/);
        const cron = ofType("kubernetes:batch/v1:CronJob")[0].inputs;
        assert.equal(cron.spec.schedule, "30 2 * * *");
        const env = Object.fromEntries(cron.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        assert.equal(env.BACKUP_BUCKET, "wso2-apim-backups-0abc123");
    });

    it("exports the stack outputs", () => {
        assert.equal(outputs.namespace, "wso2");
        assert.equal(outputs.serviceName, "wso2-apim");
        assert.equal(outputs.activeColor, "blue");
        assert.equal(outputs.backupBucket, "wso2-apim-backups-0abc123");
        assert.equal(outputs.backupPrefix, "k8s/k8s-prod/wso2-apim");
    });

    it("passes every Kubernetes policy of the pack on what it registered", async () => {
        const { kubernetesRules } = await import("../../policies/rules/kubernetes");
        const resources = registered
            .filter((r) => r.type.startsWith("kubernetes:"))
            .map((r) => ({ type: r.type, name: r.name, urn: `urn:pulumi:k8s-prod::wso2-hardening::${r.type}::${r.name}`, props: unwrap(r.inputs, { secret: false }) }));
        const messages: string[] = [];
        for (const rule of kubernetesRules) {
            const p = rule.policy as any;
            const report = (m: string) => messages.push(`${rule.meta.name}: ${m}`);
            if (p.validateResource) for (const r of resources) p.validateResource({ ...r, opts: {}, getConfig: () => ({}) }, report);
            else p.validateStack({ resources: resources.map((r) => ({ ...r, propertyDependencies: {} })), getConfig: () => ({}) }, report);
        }
        assert.deepEqual(messages, []);
    });
});
