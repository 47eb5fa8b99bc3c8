import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { Namespace, ServiceAccount, Secret, ConfigMap, Service } from "kubernetes-models/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { CronJob } from "kubernetes-models/batch/v1";
import {
    Manifest,
    containerProductHome,
    cronFromOnCalendar,
    manifestArtifacts,
    renderArchiveScript,
    renderManifests,
    renderSecureVaultScript,
    renderSeedScript,
    renderUploadScript,
    writableDirs,
} from "../../components/kubernetes";
import { findCredentials } from "../../policies/rules/no-literal-credentials";
import { PRODUCTS } from "../../products";
import { BACKUP, IMAGE, input } from "./fixtures";

const MODELS: Record<string, new (m: any) => { validate(): void }> = {
    Namespace,
    ServiceAccount,
    Secret,
    ConfigMap,
    Service,
    Deployment,
    StatefulSet,
    NetworkPolicy,
    PodDisruptionBudget,
    CronJob,
};

const byKind = (ms: Manifest[], kind: string) => ms.filter((m) => m.kind === kind);
const one = (ms: Manifest[], kind: string, name: string) => {
    const m = ms.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(m, `${kind}/${name} is rendered`);
    return m as any;
};

/** The pod specs of every workload in the manifests, with where they come from. */
function podSpecs(ms: Manifest[]): { where: string; spec: any }[] {
    const out: { where: string; spec: any }[] = [];
    for (const m of ms as any[]) {
        if (m.kind === "Deployment" || m.kind === "StatefulSet") out.push({ where: `${m.kind}/${m.metadata.name}`, spec: m.spec.template.spec });
        if (m.kind === "CronJob") out.push({ where: `CronJob/${m.metadata.name}`, spec: m.spec.jobTemplate.spec.template.spec });
    }
    return out;
}

const RESTRICTED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/** The Pod Security "restricted" profile (v1.31) checked field by field, plus this project's extras. */
function restrictedProblems(spec: any): string[] {
    const p: string[] = [];
    for (const f of ["hostNetwork", "hostPID", "hostIPC", "hostUsers"]) if (spec[f] === true && f !== "hostUsers") p.push(`pod ${f}`);
    const podSc = spec.securityContext ?? {};
    if (podSc.sysctls?.length) p.push("pod sysctls");
    if (podSc.seLinuxOptions?.type) p.push("pod seLinuxOptions.type");
    for (const v of spec.volumes ?? []) {
        const type = Object.keys(v).find((k) => k !== "name");
        if (!RESTRICTED_VOLUME_TYPES.includes(type!)) p.push(`volume ${v.name} of type ${type}`);
    }
    if (spec.automountServiceAccountToken !== false) p.push("pod automountServiceAccountToken");
    const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    assert.ok(containers.length > 0);
    for (const c of containers) {
        const sc = c.securityContext ?? {};
        const where = `container ${c.name}`;
        if (sc.privileged !== false) p.push(`${where} privileged not false`);
        if (sc.allowPrivilegeEscalation !== false) p.push(`${where} allowPrivilegeEscalation`);
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) p.push(`${where} capabilities.drop ALL`);
        if ((sc.capabilities?.add ?? []).length) p.push(`${where} capabilities.add`);
        if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) p.push(`${where} runAsNonRoot`);
        const uid = sc.runAsUser ?? podSc.runAsUser;
        if (uid === undefined || uid === 0) p.push(`${where} runAsUser`);
        const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") p.push(`${where} seccompProfile`);
        if (sc.procMount && sc.procMount !== "Default") p.push(`${where} procMount`);
        if (sc.appArmorProfile?.type === "Unconfined") p.push(`${where} appArmor`);
        if (sc.readOnlyRootFilesystem !== true) p.push(`${where} readOnlyRootFilesystem`);
        for (const port of c.ports ?? []) if (port.hostPort) p.push(`${where} hostPort ${port.hostPort}`);
        if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory || !c.resources?.limits?.cpu) {
            p.push(`${where} requests and limits`);
        }
        if (!/@sha256:[0-9a-f]{64}$|:\d+\.\d+\.\d+$/.test(c.image)) p.push(`${where} image not pinned`);
    }
    return p;
}

function shellcheck(script: string): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-sh-"));
    try {
        const file = path.join(dir, "script.sh");
        fs.writeFileSync(file, script);
        execFileSync("shellcheck", ["--shell=sh", "--severity=style", file], { stdio: "pipe" });
    } catch (e: any) {
        assert.fail(`shellcheck: ${e.stdout?.toString() ?? e.message}`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("kubernetes: manifests", () => {
    const ms = renderManifests(input(), BACKUP);

    it("validates every manifest against the Kubernetes schemas (kubernetes-models)", () => {
        const custom = ["HTTPRoute", "BackendTLSPolicy"];
        for (const m of ms) {
            if (custom.includes(m.kind)) continue;
            const Model = MODELS[m.kind];
            assert.ok(Model, `a model for ${m.kind}`);
            assert.doesNotThrow(() => new Model(m).validate(), `${m.kind}/${m.metadata.name}`);
        }
        const kinds = new Set(ms.map((m) => m.kind));
        for (const k of [...Object.keys(MODELS).filter((k) => k !== "Deployment"), ...custom]) assert.ok(kinds.has(k), `renders a ${k}`);
    });

    it("the schemas catch a broken manifest, so the check above means something", () => {
        const broken = JSON.parse(JSON.stringify(one(ms, "StatefulSet", "wso2-apim-blue")));
        broken.spec.template.spec.containers[0].ports[0].containerPort = "8243";
        assert.throws(() => new StatefulSet(broken).validate(), /containerPort/);
    });

    it("labels the namespace to enforce, audit and warn on restricted, at a pinned version", () => {
        const ns = one(ms, "Namespace", "wso2");
        for (const mode of ["enforce", "audit", "warn"]) {
            assert.equal(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`], "restricted");
            assert.match(ns.metadata.labels[`pod-security.kubernetes.io/${mode}-version`], /^v1\.\d+$/);
        }
    });

    it("meets the restricted profile field by field in every pod, with a read-only root filesystem", () => {
        const pods = podSpecs(ms);
        assert.equal(pods.length, 3, "two colors and the backup job");
        for (const { where, spec } of pods) assert.deepEqual(restrictedProblems(spec), [], where);
        // The checker itself fires on what it must.
        const loose = JSON.parse(JSON.stringify(pods[0].spec));
        loose.containers[0].securityContext.allowPrivilegeEscalation = true;
        loose.initContainers[0].securityContext.capabilities = { drop: [], add: ["NET_ADMIN"] };
        loose.volumes.push({ name: "host", hostPath: { path: "/" } });
        loose.securityContext.runAsUser = 0;
        delete loose.containers[0].securityContext.runAsUser;
        assert.equal(restrictedProblems(loose).length, 5);
    });

    it("runs as UID 802 by default and as wso2Uid when set, never as root", () => {
        const spec = one(ms, "StatefulSet", "wso2-apim-blue").spec.template.spec;
        assert.equal(spec.securityContext.runAsUser, 802);
        assert.equal(spec.securityContext.fsGroup, 802);
        const other = one(renderManifests(input({ uid: 10802 }), BACKUP), "StatefulSet", "wso2-apim-green").spec.template.spec;
        assert.equal(other.securityContext.runAsUser, 10802);
        for (const c of [...other.initContainers, ...other.containers]) assert.equal(c.securityContext.runAsUser, 10802);
        assert.throws(() => renderManifests(input({ uid: 0 }), BACKUP), /wso2Uid/);
    });

    it("mounts emptyDir volumes for exactly the directories the product writes, plus /tmp", () => {
        for (const product of ["apim", "mi", "is"] as const) {
            const spec = PRODUCTS[product];
            const home = containerProductHome(spec, "");
            const rendered = renderManifests(input({}, product), BACKUP);
            const workload = rendered.find((m) => m.kind === "StatefulSet" || m.kind === "Deployment") as any;
            const pod = workload.spec.template.spec;
            const emptyDirs = new Set(pod.volumes.filter((v: any) => v.emptyDir).map((v: any) => v.name));
            const main = pod.containers[0];
            const writable = main.volumeMounts.filter((m: any) => emptyDirs.has(m.name)).map((m: any) => m.mountPath).sort();
            const expected = [...spec.layout.writableDirs.map((d) => `${home}/${d}`), `${home}/${spec.layout.configFile.replace(/\/[^/]+$/, "")}`, "/tmp"].sort();
            assert.deepEqual(writable, [...new Set(expected)].sort(), product);
            for (const m of main.volumeMounts.filter((m: any) => !emptyDirs.has(m.name))) assert.equal(m.readOnly, true, `${product} ${m.mountPath}`);
            for (const v of pod.volumes.filter((v: any) => v.emptyDir)) assert.match(v.emptyDir.sizeLimit, /^\d+(Mi|Gi)$/);
        }
    });

    it("probes the product's health-check API: startup, readiness and liveness", () => {
        const c = one(ms, "StatefulSet", "wso2-apim-blue").spec.template.spec.containers[0];
        const hc = PRODUCTS.apim.healthChecks[0];
        for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
            assert.deepEqual(c[probe].httpGet, { path: hc.path, port: hc.port, scheme: "HTTPS" }, probe);
        }
        assert.ok(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds >= 300, "a cold start gets at least five minutes");
        const mi = renderManifests(input({}, "mi"), BACKUP).find((m) => m.kind === "Deployment") as any;
        assert.equal(mi.spec.template.spec.containers[0].livenessProbe.httpGet.path, "/liveness");
        assert.equal(mi.spec.template.spec.containers[0].readinessProbe.httpGet.path, "/healthz");
    });

    it("runs clustering products as StatefulSets spread over zones and nodes, with a PDB per color", () => {
        for (const color of ["blue", "green"]) {
            const sts = one(ms, "StatefulSet", `wso2-apim-${color}`);
            assert.equal(sts.spec.replicas, 3);
            assert.equal(sts.spec.serviceName, `wso2-apim-${color}-members`);
            const keys = sts.spec.template.spec.topologySpreadConstraints.map((t: any) => [t.topologyKey, t.whenUnsatisfiable]);
            assert.deepEqual(keys, [["topology.kubernetes.io/zone", "DoNotSchedule"], ["kubernetes.io/hostname", "DoNotSchedule"]]);
            const pdb = one(ms, "PodDisruptionBudget", `wso2-apim-${color}`);
            assert.deepEqual(pdb.spec.selector.matchLabels, sts.spec.selector.matchLabels);
            assert.equal(pdb.spec.maxUnavailable, 1);
            for (const [k, v] of Object.entries(sts.spec.selector.matchLabels)) assert.equal(sts.spec.template.metadata.labels[k], v);
        }
        assert.equal(byKind(renderManifests(input({}, "mi"), BACKUP), "Deployment").length, 2, "MI does not cluster: Deployments");
        assert.throws(() => renderManifests(input({ replicas: 1 }), BACKUP), /nodeCount: 1 must be at least 2 in prod/);
    });

    it("gives the service accounts no API token", () => {
        for (const sa of byKind(ms, "ServiceAccount")) assert.equal((sa as any).automountServiceAccountToken, false);
    });

    it("refuses an image that is not pinned by digest or exact tag", () => {
        for (const image of ["wso2/wso2am:latest", "wso2/wso2am", "wso2/wso2am:4", "wso2/wso2am@sha256:abc"]) {
            assert.throws(() => renderManifests(input({ image }), BACKUP), /image: .* must be pinned/);
        }
        assert.doesNotThrow(() => renderManifests(input({ image: "wso2/wso2am:4.3.0" }), BACKUP));
        for (const c of podSpecs(ms).flatMap((p) => [...(p.spec.initContainers ?? []), ...p.spec.containers])) {
            assert.ok(c.image === IMAGE || /aws-cli:\d+\.\d+\.\d+$/.test(c.image), c.image);
        }
    });

    it("puts the rendered deployment.toml in a ConfigMap with secrets referenced, never inline", () => {
        const cm = one(ms, "ConfigMap", "wso2-apim-blue-config");
        const toml = cm.data["deployment.toml"];
        const doc = parseToml(toml) as any;
        assert.equal(doc.super_admin.password, "$secret{admin_password}");
        assert.equal(doc.keystore.primary.password, "$secret{keystore_password}");
        assert.equal(doc.server.hostname, "api.example.com");
        assert.deepEqual(findCredentials(toml), []);
        assert.equal(doc.clustering.membership_scheme, "wka");
        assert.deepEqual(doc.clustering.members, [0, 1, 2].map((i) => `wso2-apim-blue-${i}.wso2-apim-blue-members.wso2.svc.cluster.local:4000`));
        const secret = one(ms, "Secret", "wso2-apim-admin");
        assert.equal(secret.data, undefined);
        assert.equal(secret.stringData, undefined);
        const env = one(ms, "StatefulSet", "wso2-apim-blue").spec.template.spec.containers[0].env;
        for (const e of env) assert.ok(e.valueFrom?.secretKeyRef || !/PASS|SECRET|TOKEN/i.test(e.name), e.name);
        assert.deepEqual(env.find((e: any) => e.name === "WSO2_ADMIN_USERNAME").valueFrom.secretKeyRef, { name: "wso2-apim-admin", key: "username" });
        // Members advertise their own pod address, never loopback.
        assert.equal(doc.clustering.local_member_host, "$env{WSO2_NODE_IP}");
        assert.deepEqual(env.find((e: any) => e.name === "WSO2_NODE_IP").valueFrom, { fieldRef: { fieldPath: "status.podIP" } });
    });

    it("writes every manifest as YAML artifacts and refuses a Secret with data", () => {
        const artifacts = manifestArtifacts("k8s-prod/wso2-apim", ms);
        assert.equal(artifacts.length, ms.length);
        assert.equal(new Set(artifacts.map((a) => a.path)).size, ms.length, "one path per manifest");
        for (const a of artifacts) {
            assert.equal(a.kind, "k8s-manifest");
            assert.match(a.path, /^k8s-prod\/wso2-apim\/[a-z]+-[a-z0-9-]+\.yaml$/);
            assert.ok(parseYaml(a.content).kind);
        }
        const leaky = { apiVersion: "v1", kind: "Secret", metadata: { name: "x" }, stringData: { password: "p" } };
        assert.throws(() => manifestArtifacts("d", [leaky]), /never be written/);
    });

    it("passes shellcheck on every script the pods run", () => {
        for (const product of ["apim", "mi", "is"] as const) {
            shellcheck(renderSeedScript(PRODUCTS[product], ""));
            shellcheck(renderSecureVaultScript(PRODUCTS[product], ""));
            shellcheck(renderArchiveScript(input({}, product)));
        }
        shellcheck(renderUploadScript());
    });

    it("the seed script copies what the image ships into the writable volumes and installs the configuration", () => {
        // Runs the real script in a private mount namespace where the image's paths are scratch tmpfs.
        const spec = PRODUCTS.apim;
        const home = containerProductHome(spec, "");
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-seed-"));
        try {
            const script = path.join(work, "seed.sh");
            fs.writeFileSync(script, renderSeedScript(spec, ""));
            const setup = [
                "set -eu",
                "mount -t tmpfs none /home",
                `mkdir -p '${home}/repository/deployment/server/webapps' '${home}/repository/conf/security'`,
                `echo app > '${home}/repository/deployment/server/webapps/devportal.war'`,
                `echo shipped > '${home}/repository/conf/deployment.toml'`,
                `echo vault > '${home}/repository/conf/security/secret-conf.properties'`,
                "mkdir -p /etc/wso2-rendered /seed",
                "mount -t tmpfs none /etc/wso2-rendered && mount -t tmpfs none /seed",
                "echo rendered > /etc/wso2-rendered/deployment.toml",
                ...writableDirs(spec).map((d) => `mkdir -p /seed/rw-${d.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`),
                `sh '${script}'`,
                "cat /seed/rw-repository-deployment-server/webapps/devportal.war /seed/rw-repository-conf/deployment.toml /seed/rw-repository-conf/security/secret-conf.properties",
                "ls -A /seed/rw-repository-logs | wc -l",
            ].join("\n");
            const out = execFileSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", setup], { encoding: "utf8", timeout: 20000 });
            assert.deepEqual(out.trim().split("\n"), ["app", "rendered", "vault", "0"]);
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });

    it("the archive script packs the configuration of both colors and the keystores, and nothing else", () => {
        const spec = PRODUCTS.apim;
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-archive-"));
        try {
            const script = path.join(work, "archive.sh");
            fs.writeFileSync(script, renderArchiveScript(input()));
            const setup = [
                "set -eu",
                "mkdir -p /backup-source /archive",
                "mount -t tmpfs none /backup-source && mount -t tmpfs none /archive",
                // Mounted ConfigMaps and Secrets are symlinks into a timestamped directory.
                ...["blue", "green"].map((c) => `mkdir -p /backup-source/config/${c}/..2025 && echo ${c} > /backup-source/config/${c}/..2025/deployment.toml && ln -s ..2025 /backup-source/config/${c}/..data && ln -s ..data/deployment.toml /backup-source/config/${c}/deployment.toml`),
                "mkdir -p /backup-source/keystores",
                "echo ks > /backup-source/keystores/wso2carbon.jks && echo ts > /backup-source/keystores/client-truststore.jks && echo pw > /backup-source/keystores/password",
                `sh '${script}'`,
                "ls /archive",
                "tar -tzf /archive/*.tar.gz | sort",
            ].join("\n");
            const out = execFileSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", setup], { encoding: "utf8", timeout: 20000 }).trim().split("\n");
            assert.match(out[0], /^wso2-apim-\d{8}T\d{6}Z\.tar\.gz$/);
            const files = out.slice(1).filter((f) => !f.endsWith("/"));
            assert.deepEqual(files, ["./config/blue/deployment.toml", "./config/green/deployment.toml", "./keystores/client-truststore.jks", "./keystores/wso2carbon.jks"]);
            assert.ok(spec.layout.keystore.endsWith("wso2carbon.jks"));
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });

    it("schedules backups from the systemd OnCalendar forms of backupSchedule", () => {
        assert.equal(cronFromOnCalendar("daily"), "0 0 * * *");
        assert.equal(cronFromOnCalendar("*-*-* 02:30"), "30 2 * * *");
        assert.equal(cronFromOnCalendar("Mon,Thu *-*-* 03:05:00"), "5 3 * * 1,4");
        for (const bad of ["*-*-* 25:00", "Funday *-*-* 03:00", "2025-01-01 03:00", "minutely"]) {
            assert.throws(() => cronFromOnCalendar(bad), /backupSchedule: /, bad);
        }
        const cron = one(ms, "CronJob", "wso2-apim-backup");
        assert.equal(cron.spec.schedule, BACKUP.schedule);
        assert.equal(cron.spec.concurrencyPolicy, "Forbid");
        const upload = cron.spec.jobTemplate.spec.template.spec.containers[0];
        const env = Object.fromEntries(upload.env.map((e: any) => [e.name, e.value]));
        assert.equal(env.BACKUP_BUCKET, BACKUP.bucket);
        assert.equal(env.BACKUP_KMS_KEY_ARN, BACKUP.kmsKeyArn);
        assert.ok(!upload.env.some((e: any) => /^AWS_(ACCESS|SECRET)/.test(e.name)), "no static keys: the workload identity");
        assert.equal(cron.spec.jobTemplate.spec.template.spec.serviceAccountName, "wso2-apim-backup");
    });

    it("refuses SI's deployment.yaml", () => {
        assert.throws(() => renderManifests(input({}, "si"), BACKUP), /product: si/);
    });
});
