import { CONFIG_KEYS, CONFIG_NAMESPACE, ConfigKey } from "./schema";
import { PRODUCTS, type ProductId } from "../products";
import { modelVersions } from "../products/model/catalog";
import { isWorldCidr } from "./cidr";
import {
    adminUsernameProblem,
    cidrProblem,
    hostNameProblem,
    LOG_RETENTION_DAYS,
    logRetentionProblem,
    onCalendarProblem,
    publicPathProblem,
    vpcCidrProblem,
} from "./validate";
import { DATASOURCE_KEYS, SQL_IDENTIFIER } from "../products/databases";

export type Environment = "dev" | "staging" | "prod";
export type { ProductId };
export type Platform = "aws" | "kubernetes";
export type StackRole = "standalone" | "cluster" | "edge";
export type Color = "blue" | "green";
export type DatabaseMode = "managed" | "existing";

/** Validated settings of one stack. Every field comes from a key of `CONFIG_KEYS`. */
export interface Settings {
    environment: Environment;
    product: ProductId;
    productVersion: string;
    platform: Platform;
    role: StackRole;
    /** Set when role is cluster. */
    color?: Color;
    activeColor: Color;
    canaryWeight: number;
    /** Routing before the last switch, kept for `wso2-harden switch --rollback`. */
    previousRouting?: { activeColor: Color; canaryWeight: number };
    stickinessSeconds: number;
    blueStack: string;
    greenStack: string;
    nodeCount: number;
    instanceType: string;
    instanceMemoryMiB: number;
    amiId?: string;
    /** The product zip the nodes install, with its SHA-256; absent when productAmiId holds the product. */
    distribution?: { s3Uri: string; sha256: string };
    productAmiId?: string;
    vpcId?: string;
    privateSubnetIds: string[];
    publicSubnetIds: string[];
    vpcCidr: string;
    availabilityZoneCount: number;
    clientCidrs: string[];
    sshSourceCidrs: string[];
    sshPort: number;
    domainName: string;
    certificateArn?: string;
    /** Hosted zone where the certificate's DNS validation record is created (when certificateArn is unset). */
    route53ZoneId?: string;
    /** Prefix of physical names; unset: `wso2-<stack>`. */
    namePrefix?: string;
    publicPaths: string[];
    logRetentionDays: number;
    backupRetentionDays: number;
    backupSchedule: string;
    clusterPeersRefresh: string;
    backupReplicaRegion?: string;
    deletionProtection: boolean;
    updateWindow: string;
    adminUsername: string;
    wso2Uid: number;
    proxyHost?: string;
    proxyPort: number;
    egressCidrs: string[];
    databaseCidrs: string[];
    databasePort: number;
    databaseMode: DatabaseMode;
    /** PostgreSQL major version of a managed database. */
    databaseEngineVersion: string;
    /** Unset: chosen by environment. */
    databaseInstanceClass?: string;
    /** 0: chosen by environment. */
    databaseStorageGiB: number;
    databaseBackupRetentionDays: number;
    /** Set when databaseMode is existing. */
    databaseEndpoint?: string;
    /** Set when databaseMode is existing. */
    databaseSecretArn?: string;
    /** Database name per datasource where it differs from the default. */
    databaseNames: Record<string, string>;
    image?: string;
    namespace: string;
    gatewayNamespace: string;
    gatewayName: string;
    eksClusterName?: string;
}

export interface ConfigProblem {
    key: string;
    value: unknown;
    problem: string;
}

/** Thrown before any resource is registered; names every bad key, its value and what is allowed. */
export class ConfigError extends Error {
    constructor(readonly problems: ConfigProblem[]) {
        super(
            "invalid configuration:\n" +
                problems
                    .map((p) => `  ${CONFIG_NAMESPACE}:${p.key} = ${JSON.stringify(p.value)}: ${p.problem}`)
                    .join("\n"),
        );
        this.name = "ConfigError";
    }
}

export { LOG_RETENTION_DAYS };

/** `<datasource>=<name>` entries as a map, each datasource known and each name a lower-case SQL identifier. */
function databaseNameOverrides(entries: string[], bad: (key: string, value: unknown, problem: string) => void): Record<string, string> {
    const names: Record<string, string> = {};
    for (const entry of entries) {
        const [datasource, name, ...rest] = entry.split("=");
        if (rest.length > 0 || name === undefined || !(DATASOURCE_KEYS as readonly string[]).includes(datasource)) {
            bad("databaseNames", entry, `must be <datasource>=<name> with a datasource among ${DATASOURCE_KEYS.join(", ")}`);
        } else if (!SQL_IDENTIFIER.test(name)) {
            bad("databaseNames", entry, "must name a database with a lower-case SQL identifier (a-z, 0-9, _; at most 63 characters)");
        } else if (names[datasource] !== undefined) {
            bad("databaseNames", entry, `names ${datasource} twice`);
        } else {
            names[datasource] = name;
        }
    }
    if (new Set(Object.values(names)).size !== Object.keys(names).length) bad("databaseNames", entries, "must give each datasource its own database");
    return names;
}

/**
 * Reads and validates every key. `raw(key)` returns the string Pulumi config holds for the key
 * (arrays as JSON) or undefined when unset. Collects all problems, then throws one `ConfigError`.
 */
export function parseSettings(raw: (key: string) => string | undefined): Settings {
    const problems: ConfigProblem[] = [];
    const bad = (key: string, value: unknown, problem: string) => problems.push({ key, value, problem });

    const str = (key: ConfigKey): string => {
        const v = raw(key);
        return v === undefined ? String(CONFIG_KEYS[key].default) : v.trim();
    };
    const oneOf = <T extends string>(key: ConfigKey, allowed: readonly T[]): T => {
        const v = str(key);
        if (!(allowed as readonly string[]).includes(v)) bad(key, v, `must be one of ${allowed.join(", ")}`);
        return v as T;
    };
    const int = (key: ConfigKey, min: number, max: number): number => {
        const v = raw(key);
        if (v === undefined) return CONFIG_KEYS[key].default as number;
        const n = Number(v.trim());
        if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) {
            bad(key, v, `must be an integer between ${min} and ${max}`);
            return CONFIG_KEYS[key].default as number;
        }
        if (n < min || n > max) bad(key, n, `must be an integer between ${min} and ${max}`);
        return n;
    };
    const bool = (key: ConfigKey): boolean => {
        const v = raw(key);
        if (v === undefined) return CONFIG_KEYS[key].default as boolean;
        if (v.trim() === "true") return true;
        if (v.trim() === "false") return false;
        bad(key, v, "must be true or false");
        return CONFIG_KEYS[key].default as boolean;
    };
    const list = (key: ConfigKey): string[] => {
        const v = raw(key);
        if (v === undefined) return [...(CONFIG_KEYS[key].default as readonly string[])];
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            parsed = v.trim() === "" ? [] : v.split(",").map((s) => s.trim());
        }
        if (!Array.isArray(parsed) || parsed.some((e) => typeof e !== "string")) {
            bad(key, v, "must be a list of strings (a JSON array)");
            return [];
        }
        return parsed as string[];
    };
    const cidrs = (key: ConfigKey): string[] => {
        const v = list(key);
        for (const c of v) {
            const why = cidrProblem(c);
            if (why) bad(key, c, why);
        }
        return v;
    };
    const optional = (key: ConfigKey, pattern: RegExp, what: string): string | undefined => {
        const v = str(key);
        if (v === "") return undefined;
        if (!pattern.test(v)) bad(key, v, `must be ${what}`);
        return v;
    };
    const required = (key: ConfigKey, pattern: RegExp, what: string): string => {
        const v = str(key);
        if (!pattern.test(v)) bad(key, v, `must be ${what}`);
        return v;
    };

    const environment = oneOf<Environment>("environment", ["dev", "staging", "prod"]);
    const product = oneOf<ProductId>("product", ["apim", "mi", "is", "si"]);
    const platform = oneOf<Platform>("platform", ["aws", "kubernetes"]);
    const role = oneOf<StackRole>("role", ["standalone", "cluster", "edge"]);
    const colorRaw = str("color");
    let color: Color | undefined;
    if (colorRaw !== "") {
        if (colorRaw !== "blue" && colorRaw !== "green") bad("color", colorRaw, "must be one of blue, green");
        else color = colorRaw;
    } else if (role === "cluster") {
        bad("color", colorRaw, "is required when role is cluster: blue or green");
    }
    const activeColor = oneOf<Color>("activeColor", ["blue", "green"]);
    const canaryWeight = int("canaryWeight", 0, 100);
    const previousRouting = () => {
        const c = str("previousActiveColor");
        const w = int("previousCanaryWeight", 0, 100);
        if (c === "") return undefined;
        if (c !== "blue" && c !== "green") {
            bad("previousActiveColor", c, "must be blue, green or empty");
            return undefined;
        }
        return { activeColor: c as Color, canaryWeight: w };
    };
    const distribution = (): Settings["distribution"] => {
        const s3Uri = optional("distributionS3Uri", /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9._/-]+\.zip$/, "an S3 URI of a zip such as s3://releases/wso2am-4.3.0.zip");
        const sha256 = str("distributionSha256").toLowerCase();
        if (s3Uri === undefined) {
            if (sha256 !== "") bad("distributionSha256", sha256, "is only meaningful with distributionS3Uri");
            return undefined;
        }
        if (!/^[0-9a-f]{64}$/.test(sha256)) bad("distributionSha256", sha256, "must be the 64 hex digits of the distribution's SHA-256 (sha256sum <zip>) when distributionS3Uri is set");
        else if (/^(.)\1{63}$/.test(sha256)) bad("distributionSha256", sha256, "is a placeholder, not a checksum: set the SHA-256 of your distribution zip");
        return { s3Uri, sha256 };
    };
    const nodeCount = int("nodeCount", 1, 20);
    const sshSourceCidrs = cidrs("sshSourceCidrs");
    const productVersion = optional("productVersion", /^\d+\.\d+\.\d+$/, "a version such as 4.3.0") ?? PRODUCTS[product]?.defaultVersion ?? "";
    // The configuration model knows what each version reads; a version it does not know cannot be configured safely.
    if (PRODUCTS[product] && productVersion && !modelVersions(product).includes(productVersion)) {
        bad("productVersion", productVersion, `is not a ${product} version the configuration model knows (${modelVersions(product).join(", ")})`);
    }
    const settings: Settings = {
        environment,
        product,
        productVersion,
        platform,
        role,
        color,
        activeColor,
        canaryWeight,
        previousRouting: previousRouting(),
        stickinessSeconds: int("stickinessSeconds", 0, 604800),
        blueStack: optional("blueStack", /^[A-Za-z0-9_.\-/]+$/, "a stack name or org/project/stack") ?? "",
        greenStack: optional("greenStack", /^[A-Za-z0-9_.\-/]+$/, "a stack name or org/project/stack") ?? "",
        nodeCount,
        instanceType: required("instanceType", /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type such as m6i.xlarge"),
        instanceMemoryMiB: int("instanceMemoryMiB", 0, 4194304),
        amiId: optional("amiId", /^ami-[0-9a-f]{8,17}$/, "an AMI id such as ami-0123456789abcdef0"),
        distribution: distribution(),
        productAmiId: optional("productAmiId", /^ami-[0-9a-f]{8,17}$/, "an AMI id such as ami-0123456789abcdef0"),
        vpcId: optional("vpcId", /^vpc-[0-9a-f]{8,17}$/, "a VPC id such as vpc-0123456789abcdef0"),
        privateSubnetIds: list("privateSubnetIds"),
        publicSubnetIds: list("publicSubnetIds"),
        vpcCidr: str("vpcCidr"),
        availabilityZoneCount: int("availabilityZoneCount", 2, 3),
        clientCidrs: cidrs("clientCidrs"),
        sshSourceCidrs,
        sshPort: int("sshPort", 1024, 65535),
        domainName: str("domainName").toLowerCase(),
        certificateArn: optional(
            "certificateArn",
            /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
            "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)",
        ),
        route53ZoneId: optional("route53ZoneId", /^Z[A-Z0-9]{1,31}$/, "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
        namePrefix: optional(
            "namePrefix",
            /^[a-z][a-z0-9-]*[a-z0-9]$/,
            "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (S3 and load-balancer names)",
        ),
        publicPaths: list("publicPaths"),
        logRetentionDays: int("logRetentionDays", 1, 3653),
        backupRetentionDays: int("backupRetentionDays", 7, 3650),
        backupSchedule: str("backupSchedule"),
        clusterPeersRefresh: str("clusterPeersRefresh"),
        backupReplicaRegion: optional("backupReplicaRegion", /^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as eu-west-1"),
        deletionProtection: bool("deletionProtection"),
        updateWindow: str("updateWindow"),
        adminUsername: str("adminUsername"),
        wso2Uid: int("wso2Uid", 100, 60000),
        proxyHost: optional("proxyHost", /^[A-Za-z0-9.-]+$/, "a host name or IPv4 address"),
        proxyPort: int("proxyPort", 1, 65535),
        egressCidrs: cidrs("egressCidrs"),
        databaseCidrs: cidrs("databaseCidrs"),
        databasePort: int("databasePort", 1, 65535),
        databaseMode: oneOf<DatabaseMode>("databaseMode", ["managed", "existing"]),
        databaseEngineVersion: required("databaseEngineVersion", /^(1[3-7])$/, "a PostgreSQL major version from 13 to 17"),
        databaseInstanceClass: optional("databaseInstanceClass", /^db\.[a-z0-9-]+\.[a-z0-9]+$/, "an RDS instance class such as db.r6g.large"),
        databaseStorageGiB: int("databaseStorageGiB", 0, 65536),
        databaseBackupRetentionDays: int("databaseBackupRetentionDays", 1, 35),
        databaseEndpoint: optional(
            "databaseEndpoint",
            /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
            "the database server's fully qualified host name (TLS verifies the certificate against it)",
        ),
        databaseSecretArn: optional(
            "databaseSecretArn",
            /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/,
            "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
        ),
        databaseNames: databaseNameOverrides(list("databaseNames"), bad),
        image: optional(
            "image",
            /^[a-z0-9.\-/:]+(@sha256:[0-9a-f]{64}|:\d+\.\d+\.\d+[A-Za-z0-9.\-]*)$/,
            "an image pinned by digest (repo@sha256:<64 hex>) or exact version tag (repo:4.3.0)",
        ),
        namespace: required("namespace", /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a DNS-1123 label"),
        gatewayNamespace: required("gatewayNamespace", /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a DNS-1123 label"),
        gatewayName: required("gatewayName", /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, "a DNS-1123 subdomain"),
        eksClusterName: optional("eksClusterName", /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, "an EKS cluster name (letters, digits, '-' and '_')"),
    };

    // Cross-key rules.
    const problem = (key: ConfigKey, value: string | number, why: string | undefined) => {
        if (why) bad(key, value, why);
    };
    problem("vpcCidr", settings.vpcCidr, vpcCidrProblem(settings.vpcCidr));
    problem("domainName", settings.domainName, hostNameProblem(settings.domainName));
    problem("logRetentionDays", settings.logRetentionDays, logRetentionProblem(settings.logRetentionDays));
    for (const key of ["backupSchedule", "clusterPeersRefresh", "updateWindow"] as const) problem(key, settings[key], onCalendarProblem(settings[key]));
    problem("adminUsername", settings.adminUsername, adminUsernameProblem(settings.adminUsername));
    if (settings.sshPort === 22) bad("sshPort", 22, "must not be the default port 22");
    for (const p of settings.publicPaths) problem("publicPaths", p, publicPathProblem(p));
    if (settings.vpcId) {
        for (const key of ["privateSubnetIds", "publicSubnetIds"] as const) {
            const ids = settings[key];
            if (ids.length < 2) bad(key, ids, "must list two or more subnets in different zones when vpcId is set");
            for (const id of ids) if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) bad(key, id, "is not a subnet id such as subnet-0123456789abcdef0");
        }
    } else {
        for (const key of ["privateSubnetIds", "publicSubnetIds"] as const) {
            if (settings[key].length > 0) bad(key, settings[key], "must be empty unless vpcId is set");
        }
    }
    // Pulumi hands the program the project's default for an unset key, so only a changed port is refused.
    if (settings.proxyHost === undefined && raw("proxyPort") !== undefined && settings.proxyPort !== CONFIG_KEYS.proxyPort.default) {
        bad("proxyPort", raw("proxyPort"), "is only meaningful with proxyHost");
    }
    if (settings.role === "edge") {
        for (const key of ["blueStack", "greenStack"] as const) {
            if (settings[key] === "") bad(key, "", "is required when role is edge: the stack reference of that color's cluster");
        }
        if (settings.blueStack !== "" && settings.blueStack === settings.greenStack) {
            bad("greenStack", settings.greenStack, "must differ from blueStack");
        }
    }
    if (settings.databaseStorageGiB !== 0 && settings.databaseStorageGiB < 20) {
        bad("databaseStorageGiB", settings.databaseStorageGiB, "must be 0 (by environment) or between 20 and 65536");
    }
    if (settings.databaseMode === "existing") {
        if (!settings.databaseEndpoint) bad("databaseEndpoint", "", "is required when databaseMode is existing: the database server's host name");
        if (!settings.databaseSecretArn && settings.platform === "aws") {
            bad("databaseSecretArn", "", "is required when databaseMode is existing on aws: the secret of its administrative user");
        }
    } else {
        for (const key of ["databaseEndpoint", "databaseSecretArn"] as const) {
            if (settings[key]) bad(key, settings[key], "must be empty unless databaseMode is existing");
        }
        if (settings.platform === "aws" && settings.databasePort < 1150) {
            bad("databasePort", settings.databasePort, "must be between 1150 and 65535 for a managed (RDS) database");
        }
    }
    if (settings.certificateArn && settings.route53ZoneId) {
        bad("route53ZoneId", settings.route53ZoneId, "must be empty when certificateArn is set: the listener uses that certificate, no other is requested");
    }
    if (settings.platform === "kubernetes" && settings.role !== "standalone") {
        bad("role", settings.role, "must be standalone on kubernetes: blue-green is done with color labels and the Service selector");
    }
    if (settings.platform === "kubernetes" && !settings.eksClusterName) {
        bad("eksClusterName", "", "is required on kubernetes: the backup job's workload identity is bound on that cluster");
    }

    if (settings.productAmiId && settings.distribution) {
        bad("productAmiId", settings.productAmiId, "must not be combined with distributionS3Uri: the image holds the product, or the nodes download it, not both");
    }
    if (settings.productAmiId && settings.amiId) {
        bad("amiId", settings.amiId, "must be empty when productAmiId is set (productAmiId is the nodes' image)");
    }
    // Production refuses what WSO2's guidelines rule out (NET-FAILOVER, OS-SSH).
    if (environment === "prod") {
        if (nodeCount < 2) bad("nodeCount", nodeCount, "must be at least 2 in prod (failover needs two nodes)");
        for (const c of sshSourceCidrs) {
            if (isWorldCidr(c)) bad("sshSourceCidrs", c, "must not allow SSH from anywhere in prod");
        }
        if (settings.platform === "aws" && settings.role !== "edge" && !settings.distribution && !settings.productAmiId) {
            bad(
                "distributionS3Uri",
                "",
                "is required in prod (or productAmiId): the nodes install the product from s3://bucket/key.zip verified against distributionSha256, or boot an image that holds it",
            );
        }
        if (settings.platform === "aws" && settings.role !== "edge" && !settings.backupReplicaRegion) {
            bad("backupReplicaRegion", "", "is required in prod: backups must be replicated to a second region");
        }
        if (settings.platform === "kubernetes" && !settings.image) {
            bad("image", "", "is required in prod on kubernetes: an image pinned by digest (repo@sha256:...) or exact version tag");
        }
    }

    if (problems.length > 0) throw new ConfigError(problems);
    return settings;
}
