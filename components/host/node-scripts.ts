/**
 * The node's boot and maintenance steps are bash files in `node/` (shellchecked and testable one by one).
 * They take their values from the environment or from the settings file cloud-init writes
 * (`/etc/wso2/node.env`); this module reads the files and renders that settings file from typed input.
 */
import * as fs from "fs";
import * as path from "path";
import type { ProductSpec } from "../../products";
import { productHome } from "../../products";
import type { NodeHostInput } from "./types";
import { ADMIN_ENV_FILE, CONFIG_DIR, DB_LIB, HOST_SCRIPTS, MERGE_CONFIG_TOOL, NODE_ENV_FILE, NODE_LIB } from "./paths";
import { DATABASE_NODE_PACKAGES, DATABASE_VAULT_ALIAS, databaseNodeSettings, jdbcDriverDir } from "./datasources";
import { LOG4J2_MARKERS } from "./log4j2";
import { keystoreKeyPrefix } from "./steps-bundle";
import { NFT_TABLE } from "./nftables";
import { ADMIN_USERNAME_ENV, APP_PASSWORD_HASH_ENV, DEFAULT_KEY_ALIAS, NODE_IP_ENV, SECURE_VAULT_ALIASES, SECURE_VAULT_KEY_ALIAS } from "./product-config";

/** Directory of the step files in this repository. */
export const NODE_SCRIPT_DIR = path.join(__dirname, "node");

/** Default password of the keystores WSO2 ships. */
export const WSO2_DEFAULT_STORE_PASSWORD = "wso2carbon";

/** Path of the repository file installed at `hostPath` (a step or the shared library). */
export function nodeScriptFile(hostPath: string): string {
    const base = path.posix.basename(hostPath);
    return path.join(NODE_SCRIPT_DIR, /\.(sh|py)$/.test(base) ? base : `${base}.sh`);
}

/**
 * Content of the repository file installed at `hostPath`, as the node gets it: a bash file without its
 * comment-only lines (the shebang stays). EC2 takes at most 16 KiB of user data, compressed; the comments
 * are for the repository, where the file is read, tested and shellchecked as written.
 */
export function nodeScript(hostPath: string): string {
    const text = fs.readFileSync(nodeScriptFile(hostPath), "utf8");
    if (!nodeScriptFile(hostPath).endsWith(".sh")) return text;
    return text
        .split("\n")
        .filter((line, i) => (i === 0 && line.startsWith("#!")) || !/^\s*#/.test(line))
        .join("\n");
}

/** The steps' settings, by name; every value is one line without single quotes. */
export type NodeSettings = Record<string, string>;

function dirname(p: string): string {
    return p.slice(0, p.lastIndexOf("/"));
}

function words(key: string, list: readonly string[]): string {
    for (const w of list) if (!/^[A-Za-z0-9_./-]+$/.test(w)) throw new Error(`${key}: ${JSON.stringify(w)} has characters the node's steps do not accept`);
    return list.join(" ");
}

/** What a backup holds, relative to the product home (config, keystores, artifacts, scripts). */
export function backupPaths(product: ProductSpec): string[] {
    const l = product.layout;
    return [...new Set([dirname(l.configFile), dirname(l.keystore), dirname(l.truststore), ...l.artifactDirs, "bin"])];
}

/**
 * The steps `wso2-boot` runs, in order (each an installed script name). The package step brings the AWS
 * CLI the fetch step needs to unpack every later step from the cluster's bucket. With a shared database, the
 * driver and CA bundle go in place and the schema bootstrap runs (one node at a time) before the product starts.
 */
export function bootSteps(product: ProductSpec, database = false): string[] {
    const steps: string[] = [HOST_SCRIPTS.installPackages, HOST_SCRIPTS.fetchSteps, HOST_SCRIPTS.installProduct, HOST_SCRIPTS.setupUser, HOST_SCRIPTS.configure, HOST_SCRIPTS.keystore];
    if (database) steps.push(HOST_SCRIPTS.dbClient, HOST_SCRIPTS.dbBootstrap);
    if (product.clusteringPorts.length > 0) steps.push(HOST_SCRIPTS.clusterPeers);
    return steps.map((s) => path.posix.basename(s));
}

const storeType = (file: string) => (/\.(p12|pfx)$/i.test(file) ? "PKCS12" : "JKS");

/**
 * Every setting of every step for one node, checked: a value the steps could misread is refused naming
 * its input key.
 */
export function nodeSettings(input: NodeHostInput, steps?: { s3Uri: string; sha256: string }): NodeSettings {
    const spec = input.product;
    const version = input.productVersion || spec.defaultVersion;
    const home = productHome(spec, version);
    const clustering = spec.clusteringPorts.length > 0;
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(input.region)) throw new Error(`region: ${JSON.stringify(input.region)} is not an AWS region`);
    if (!Number.isInteger(input.wso2Uid) || input.wso2Uid < 100 || input.wso2Uid > 60000) {
        throw new Error(`wso2Uid: ${input.wso2Uid} must be an integer between 100 and 60000`);
    }
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(input.backupBucket)) throw new Error(`backupBucket: ${JSON.stringify(input.backupBucket)} is not an S3 bucket name`);
    const prefix = input.backupPrefix;
    if (!/^[A-Za-z0-9][A-Za-z0-9._\-/]*[A-Za-z0-9]$/.test(prefix) || prefix.includes("//") || prefix.includes("..")) {
        throw new Error(`backupPrefix: ${JSON.stringify(prefix)} must be a key prefix without leading or trailing '/', '//' or '..'`);
    }
    if (!/^[A-Za-z0-9 +\-=._:/@]{1,128}$/.test(input.clusterTag.key) || !/^[A-Za-z0-9 +\-=._:/@]{0,256}$/.test(input.clusterTag.value)) {
        throw new Error(`clusterTag: ${JSON.stringify(input.clusterTag)} is not a valid EC2 tag`);
    }
    const dist = input.distribution;
    if (dist !== undefined) {
        if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9._/-]+\.zip$/.test(dist.s3Uri)) {
            throw new Error(`distribution.s3Uri: ${JSON.stringify(dist.s3Uri)} must be an s3://bucket/key.zip URI`);
        }
        if (!/^[0-9a-f]{64}$/.test(dist.sha256)) throw new Error(`distribution.sha256: ${JSON.stringify(dist.sha256)} must be 64 lower-case hex digits`);
    }
    if (input.testAws && !/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(input.testAws.endpointUrl)) {
        throw new Error(`testAws.endpointUrl: ${JSON.stringify(input.testAws.endpointUrl)} must be http(s)://host[:port]`);
    }
    const homeRel = home.slice(1);
    const timers = ["wso2-backup.timer", "apt-daily-upgrade.timer", ...(clustering ? ["wso2-cluster-peers.timer"] : [])];
    const settings: NodeSettings = {
        REGION: input.region,
        WSO2_HOME: home,
        WSO2_UID: String(input.wso2Uid),
        CONFIG_DIR,
        BOOT_STEPS: bootSteps(spec, input.database !== undefined).join(" "),
        PRODUCT_UNIT: "wso2.service",
        SSH_ENABLED: input.sshSourceCidrs.length > 0 ? "yes" : "no",
        START_SCRIPT: spec.layout.startScript,
        STEPS_S3_URI: steps?.s3Uri ?? "",
        STEPS_SHA256: steps?.sha256 ?? "",
        DIST_S3_URI: dist?.s3Uri ?? "",
        DIST_SHA256: dist?.sha256 ?? "",
        WRITABLE_DIRS: words("writableDirs", spec.layout.writableDirs),
        LOG4J2_FILE: spec.layout.configFormat === "toml" ? `${dirname(spec.layout.configFile)}/log4j2.properties` : "",
        LOG4J2_BEGIN: LOG4J2_MARKERS.begin,
        LOG4J2_END: LOG4J2_MARKERS.end,
        TIMERS: timers.join(" "),
        KEYSTORE: spec.layout.keystore,
        KEYSTORE_TYPE: storeType(spec.layout.keystore),
        TRUSTSTORE: spec.layout.truststore,
        TRUSTSTORE_TYPE: storeType(spec.layout.truststore),
        KEY_ALIAS: DEFAULT_KEY_ALIAS,
        KEY_HOSTNAME: input.domainName,
        KEYSTORE_SECRET_ARN: input.keystoreSecretArn,
        KEYSTORE_S3_PREFIX: keystoreKeyPrefix(input.clusterName),
        ADMIN_SECRET_ARN: input.adminSecretArn,
        CONFIG_FORMAT: spec.layout.configFormat,
        CONFIG_FILE: spec.layout.configFile,
        RENDERED_CONFIG: `${CONFIG_DIR}/${path.posix.basename(spec.layout.configFile)}`,
        ADMIN_ENV_FILE,
        ADMIN_USERNAME_ENV,
        VAULT_ALIAS_ADMIN: SECURE_VAULT_ALIASES.adminPassword,
        VAULT_ALIAS_KEYSTORE: SECURE_VAULT_ALIASES.keystorePassword,
        VAULT_ALIAS_ENCRYPTION: SECURE_VAULT_ALIASES.encryptionKey,
        VAULT_ALIAS_APP: SECURE_VAULT_ALIASES.appPassword,
        // SI's Secure Vault: its keystore (the secrets step replaces the shipped one), key alias and files.
        VAULT_KEYSTORE: spec.layout.secureVault?.keystore ?? "",
        VAULT_KEY_ALIAS: spec.layout.secureVault ? SECURE_VAULT_KEY_ALIAS : "",
        VAULT_SECRETS_FILE: spec.layout.secureVault?.secretsFile ?? "",
        VAULT_MASTER_KEYS_FILE: spec.layout.secureVault?.masterKeysFile ?? "",
        NODE_IP_ENV,
        APP_PASSWORD_HASH_ENV,
        CLUSTER_TAG_KEY: input.clusterTag.key,
        CLUSTER_TAG_VALUE: input.clusterTag.value,
        NFT_TABLE,
        BACKUP_BUCKET: input.backupBucket,
        BACKUP_PREFIX: prefix,
        BACKUP_PATHS: words("backupPaths", [
            ...backupPaths(spec).map((p) => `${homeRel}/${p}`),
            CONFIG_DIR.slice(1),
            ...Object.values(HOST_SCRIPTS).map((p) => p.slice(1)),
            NODE_LIB.slice(1),
            DB_LIB.slice(1),
            MERGE_CONFIG_TOOL.slice(1),
        ]),
        DB_EXPORT_DIR: "/var/backups/wso2-db",
        EXTRA_PACKAGES: input.database ? DATABASE_NODE_PACKAGES.join(" ") : "",
        VAULT_ALIAS_DATABASE: input.database ? DATABASE_VAULT_ALIAS : "",
        ...(input.database
            ? databaseNodeSettings({
                  ...input.database,
                  product: spec.id,
                  region: input.region,
                  driverDir: jdbcDriverDir(spec.id),
              })
            : {}),
        WSO2_TEST_AWS_ENDPOINT_URL: input.testAws?.endpointUrl ?? "",
        WSO2_TEST_AWS_CREDENTIALS_FILE: input.testAws?.credentialsFile ?? "",
    };
    return settings;
}

/** The settings file: one `KEY='value'` line per setting (read by `load_settings` in node-lib.sh). */
export function renderNodeEnv(settings: NodeSettings): string {
    const lines = [`# Settings of the WSO2 node's steps (${NODE_ENV_FILE}); the environment overrides each.`];
    for (const [name, value] of Object.entries(settings)) {
        if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`bad node setting name ${name}`);
        if (/['\n\r]/.test(value)) throw new Error(`node setting ${name}: ${JSON.stringify(value)} contains a quote or a line break`);
        lines.push(`${name}='${value}'`);
    }
    return lines.join("\n") + "\n";
}

/** Reads a settings file as `load_settings` in node-lib.sh does: blank and `#` lines skipped, every other
 * line `NAME='value'`; anything else is an error naming the line. */
export function parseNodeEnv(text: string): NodeSettings {
    const settings: NodeSettings = {};
    for (const line of text.split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        const m = /^([A-Z][A-Z0-9_]*)='([^']*)'$/.exec(line);
        if (!m) throw new Error(`node settings: malformed line ${JSON.stringify(line)}`);
        settings[m[1]] = m[2];
    }
    return settings;
}
