/**
 * Host renderers: pure functions from typed input to the files that boot a hardened WSO2 node.
 * `renderNodeBoot` assembles them into EC2 user data plus the artifacts `wso2-harden plan` writes.
 */
import type { ArtifactKind, RenderedArtifact } from "../artifacts";
import { productHome } from "../../products";
import type { NodeBoot, NodeHostInput } from "./types";
import { renderCloudConfig, HostFile } from "./cloud-config";
import { firewallPorts, renderNftablesRuleset } from "./nftables";
import { renderSshBanner, renderSshdConfig, SSHD_PATHS } from "./sshd";
import { CLUSTER_PEERS_UNIT, renderBackupUnits, renderClusterPeersUnits, renderRestoreUnit, renderUpdateWindowDropIn, renderWso2Unit } from "./systemd";
import { renderDeploymentToml, renderSiDeploymentYaml } from "./product-config";
import { renderLog4j2Properties } from "./log4j2";
import { renderAuditRules } from "./auditd";
import { renderCloudWatchAgentConfig, renderUnattendedUpgradesConfig } from "./agents";
import { nodeScript, nodeSettings, renderNodeEnv } from "./node-scripts";
import { datasourceKeys } from "./datasources";
import { renderStepsBundle, stepsKey, type StepsBundle } from "./steps-bundle";
import type { ProductSpec } from "../../products";
import {
    AUDIT_RULES,
    CLOUDWATCH_AGENT_CONFIG,
    CONFIG_DIR,
    DB_LIB,
    HOST_SCRIPTS,
    MERGE_CONFIG_TOOL,
    NFTABLES_CONF,
    NODE_ENV_FILE,
    NODE_LIB,
    UNATTENDED_UPGRADES_CONF,
    UPDATE_WINDOW_DROPIN,
} from "./paths";

export * from "./types";
export * from "./paths";
export * from "./nftables";
export * from "./sshd";
export * from "./systemd";
export * from "./product-config";
export * from "./log4j2";
export * from "./auditd";
export * from "./agents";
export * from "./node-scripts";
export * from "./datasources";
export * from "./cloud-config";
export * from "./steps-bundle";

interface BootFile extends HostFile {
    kind: ArtifactKind;
    meta?: Record<string, unknown>;
    /** How the file reaches the node: in the user data, or in the steps bundle the fetch step unpacks. @default "user-data" */
    delivery?: "user-data" | "steps-bundle";
}

/** Steps installed as `/usr/local/sbin/<name>`; they hold no secret (they read secrets at run time). */
function stepFile(path: string): BootFile {
    return { path, content: nodeScript(path), permissions: "0755", kind: "script", delivery: "steps-bundle" };
}

/**
 * The steps that come in the bundle (everything after the fetch step), in the order they are listed:
 * which ones depends only on the product (cluster peers) and on whether it uses a shared database.
 */
export function bundledStepFiles(product: ProductSpec, database: boolean): BootFile[] {
    const files: BootFile[] = [
        stepFile(HOST_SCRIPTS.installProduct),
        stepFile(HOST_SCRIPTS.setupUser),
        stepFile(HOST_SCRIPTS.configure),
        stepFile(HOST_SCRIPTS.keystore),
        stepFile(HOST_SCRIPTS.secrets),
        stepFile(MERGE_CONFIG_TOOL),
        stepFile(HOST_SCRIPTS.backup),
        stepFile(HOST_SCRIPTS.restore),
    ];
    if (product.clusteringPorts.length > 0) files.push(stepFile(HOST_SCRIPTS.clusterPeers));
    if (database) {
        files.push(
            { ...stepFile(DB_LIB), permissions: "0644" },
            stepFile(HOST_SCRIPTS.dbClient),
            stepFile(HOST_SCRIPTS.dbBootstrap),
            stepFile(HOST_SCRIPTS.dbBackup),
            stepFile(HOST_SCRIPTS.dbRestore),
        );
    }
    return files;
}

/** The steps bundle of a node of `product` (the object the cluster uploads and its nodes fetch). */
export function nodeStepsBundle(product: ProductSpec, database: boolean): StepsBundle {
    return renderStepsBundle(bundledStepFiles(product, database));
}

function basename(path: string): string {
    return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Every file of a node with its artifact kind, in the order the cloud-config writes them (the bundled steps
 * last), and the steps bundle holding those marked `delivery: "steps-bundle"`, with its key in the bucket.
 */
export function renderNodeFiles(input: NodeHostInput): { files: BootFile[]; stepsBundle: NodeBoot["stepsBundle"] } {
    const spec = input.product;
    const version = input.productVersion || spec.defaultVersion;
    const clustering = spec.clusteringPorts.length > 0;
    const firewall = { product: spec, lbSourceCidrs: input.lbSourceCidrs, sshSourceCidrs: input.sshSourceCidrs, sshPort: input.sshPort };
    // The product configuration carries what check-config needs to judge it (the plan runs it on every one).
    const configMeta = { productConfig: true, product: spec.id, productVersion: version };
    const productConfig = {
        product: spec,
        productVersion: version,
        hostname: input.domainName,
        clustering: { scheme: "aws" as const, region: input.region, tagKey: input.clusterTag.key, tagValue: input.clusterTag.value },
        proxy: input.proxy,
        hsts: input.environment !== "dev",
        databases: input.database ? datasourceKeys({ ...input.database, product: spec.id }) : undefined,
    };
    const unit = (path: string, content: string): BootFile => ({ path, content, permissions: "0644", kind: "systemd-unit" });

    const files: BootFile[] = [
        {
            path: NFTABLES_CONF,
            content: renderNftablesRuleset(firewall),
            permissions: "0750",
            kind: "nftables",
            meta: { ports: firewallPorts(firewall) },
        },
        { path: SSHD_PATHS.dropIn, content: renderSshdConfig({ port: input.sshPort }), permissions: "0600", kind: "sshd_config" },
        { path: SSHD_PATHS.banner, content: renderSshBanner(), permissions: "0644", kind: "config" },
    ];
    if (spec.layout.configFormat === "toml") {
        files.push(
            { path: `${CONFIG_DIR}/deployment.toml`, content: renderDeploymentToml(productConfig), permissions: "0640", kind: "deployment.toml", meta: configMeta },
            { path: `${CONFIG_DIR}/log4j2.properties`, content: renderLog4j2Properties({ product: spec, productVersion: version }), permissions: "0640", kind: "log4j2.properties" },
        );
    } else {
        files.push({ path: `${CONFIG_DIR}/deployment.yaml`, content: renderSiDeploymentYaml(productConfig), permissions: "0640", kind: "config", meta: configMeta });
    }
    files.push(
        { path: AUDIT_RULES, content: renderAuditRules({ product: spec, productVersion: version }), permissions: "0640", kind: "auditd-rules" },
        {
            path: CLOUDWATCH_AGENT_CONFIG,
            content: renderCloudWatchAgentConfig({ product: spec, productVersion: version, region: input.region, logGroupName: input.logGroupName }),
            permissions: "0640",
            kind: "config",
        },
        { path: UNATTENDED_UPGRADES_CONF, content: renderUnattendedUpgradesConfig(), permissions: "0644", kind: "config" },
        unit(UPDATE_WINDOW_DROPIN, renderUpdateWindowDropIn(input.updateWindow)),
        unit("/etc/systemd/system/wso2.service", renderWso2Unit({ product: spec, productVersion: version, instanceMemoryMiB: input.instanceMemoryMiB })),
    );
    const backupUnits = renderBackupUnits(input.backupSchedule);
    files.push(unit("/etc/systemd/system/wso2-backup.service", backupUnits.service), unit("/etc/systemd/system/wso2-backup.timer", backupUnits.timer));
    files.push(unit("/etc/systemd/system/wso2-restore@.service", renderRestoreUnit()));
    if (clustering) {
        const peers = renderClusterPeersUnits(input.clusterPeersRefresh);
        files.push(unit(`/etc/systemd/system/${CLUSTER_PEERS_UNIT}`, peers.service), unit("/etc/systemd/system/wso2-cluster-peers.timer", peers.timer));
    }
    const bundled = bundledStepFiles(spec, input.database !== undefined);
    const bundle = renderStepsBundle(bundled);
    const stepsBundle = { ...bundle, key: stepsKey(input.clusterName, bundle.sha256) };
    const steps = { s3Uri: `s3://${input.backupBucket}/${stepsBundle.key}`, sha256: bundle.sha256 };
    files.push(
        { path: NODE_ENV_FILE, content: renderNodeEnv(nodeSettings(input, steps)), permissions: "0644", kind: "config" },
        { path: NODE_LIB, content: nodeScript(NODE_LIB), permissions: "0644", kind: "script" },
        { path: HOST_SCRIPTS.boot, content: nodeScript(HOST_SCRIPTS.boot), permissions: "0755", kind: "script" },
        { path: HOST_SCRIPTS.installPackages, content: nodeScript(HOST_SCRIPTS.installPackages), permissions: "0755", kind: "script" },
        { path: HOST_SCRIPTS.fetchSteps, content: nodeScript(HOST_SCRIPTS.fetchSteps), permissions: "0755", kind: "script" },
        ...bundled,
    );
    return { files, stepsBundle };
}

/**
 * What cloud-init runs after writing the files: `wso2-boot`, which runs the steps of `bootSteps` in order
 * as units and starts the product, failing the cloud-init run at the first step that fails.
 */
export function bootCommands(): string[][] {
    return [[HOST_SCRIPTS.boot]];
}

function validate(input: NodeHostInput): void {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(input.clusterName)) {
        throw new Error(`clusterName: ${JSON.stringify(input.clusterName)} must be a lower-case DNS label such as wso2-prod`);
    }
    if (!Number.isInteger(input.wso2Uid) || input.wso2Uid < 100 || input.wso2Uid > 60000) {
        throw new Error(`wso2Uid: ${input.wso2Uid} must be an integer between 100 and 60000`);
    }
    for (const [key, arn] of [["adminSecretArn", input.adminSecretArn], ["keystoreSecretArn", input.keystoreSecretArn]] as const) {
        if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/.test(arn)) {
            throw new Error(`${key}: ${JSON.stringify(arn)} is not a Secrets Manager secret ARN`);
        }
    }
}

/**
 * User data and artifacts of one node of `input.clusterName`. Artifact paths are
 * `<clusterName>/<file name>`; each artifact's content is exactly what the node gets, from the cloud-config
 * or, for the steps after the fetch step (`meta.delivery: "steps-bundle"`), from the steps bundle.
 */
export function renderNodeBoot(input: NodeHostInput): NodeBoot {
    validate(input);
    const { files, stepsBundle } = renderNodeFiles(input);
    const userData = renderCloudConfig({ files: files.filter((f) => f.delivery !== "steps-bundle"), commands: bootCommands() });
    const artifacts: RenderedArtifact[] = [
        {
            kind: "cloud-config",
            path: `${input.clusterName}/cloud-config.yaml`,
            content: userData,
            meta: { product: input.product.id, productHome: productHome(input.product, input.productVersion) },
        },
        ...files.map((f) => ({
            kind: f.kind,
            path: `${input.clusterName}/${basename(f.path)}`,
            content: f.content,
            meta: { ...f.meta, hostPath: f.path, ...(f.delivery === "steps-bundle" ? { delivery: f.delivery } : {}) },
        })),
        {
            kind: "steps-bundle",
            path: `${input.clusterName}/steps.tar.gz.b64`,
            content: stepsBundle.content.toString("base64"),
            meta: { encoding: "base64", bucket: input.backupBucket, key: stepsBundle.key, sha256: stepsBundle.sha256 },
        },
    ];
    return { userData, artifacts, stepsBundle };
}
