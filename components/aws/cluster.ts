/**
 * One WSO2 cluster on AWS: the edge-facing and the nodes' security groups with their rule tables, HTTPS
 * target groups with the product's health check, generated credentials, the backup bucket and volume
 * backup plan, and the node group. The load balancer itself is `EdgeLoadBalancer` (edge.ts), which
 * attaches `edgeSecurityGroupId` and forwards to `targetGroupArns`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import * as lb from "@pulumi/aws/lb";
import { CONFIG_KEYS } from "../../config/schema";
import { ConfigError, type Environment } from "../../config/settings";
import { isWorldCidr } from "../../config/cidr";
import {
    adminUsernameProblem,
    ArgChecker,
    cidrProblem,
    hostNameProblem,
    logRetentionProblem,
    onCalendarProblem,
    physicalNameProblem,
    publicPathProblem,
    regionProblem,
} from "../../config/validate";
import { PRODUCTS, type ProductId, type ProductSpec } from "../../products";
import { modelVersions } from "../../products/model/catalog";
import { instanceMemoryMiB } from "./instance-types";
import { derivedNames, nameLimitProblems } from "./names";
import { AdminCredentials } from "./secrets";
import { BackupStore, VolumeBackupPlan } from "./backup";
import { clusterTags, ENVIRONMENTS, providerRegion } from "./common";
import type { NetworkRef } from "./network";
import { NodeGroup } from "./nodes";
import type { DatabaseConnection } from "./database";
import { cidrArgs, edgeSecurityRules, nodeSecurityRules, ruleSuffix, SecurityGroupRole, SecurityRule, targetPorts } from "./security-rules";

export interface Wso2ClusterArgs {
    /** The WSO2 product: `apim`, `mi`, `is` or `si`. */
    product: ProductId;
    /**
     * Product version; one the configuration model knows (see `modelVersions`).
     * @default the catalog's version of the product
     */
    productVersion?: string;
    /** Where the cluster runs: a `Wso2Network`, or the same shape from your own VPC. */
    network: NetworkRef;
    /**
     * The shared database the nodes bootstrap and connect to, e.g. a `Wso2Database`'s `connection`.
     * @default undefined (the product's embedded H2)
     */
    database?: DatabaseConnection;
    /** Host name clients use: the product's `[server] hostname`. */
    domainName: string;
    /**
     * Environment tag; prod requires two or more nodes, no SSH from anywhere, `backupReplicaRegion`, and protects data.
     * @default "prod"
     */
    environment?: Environment;
    /**
     * Blue-green color tag of the cluster's resources (`main` for a standalone cluster).
     * @default "main"
     */
    color?: string;
    /**
     * Nodes of the auto-scaling group (1..20; two or more in prod).
     * @default 2
     */
    nodeCount?: number;
    /**
     * EC2 instance type of the nodes (4 GiB of memory or more).
     * @default "m6i.xlarge"
     */
    instanceType?: string;
    /**
     * Memory of `instanceType` in MiB, for the JVM heap; needed for types the built-in table lacks.
     * @default 0 (from the built-in table)
     */
    instanceMemoryMiB?: number;
    /**
     * AMI of the nodes.
     * @default "" (the latest official Debian 12 AMI of the instance's architecture)
     */
    amiId?: string;
    /**
     * The product distribution zip the nodes download at boot (`s3://bucket/key.zip`) and the SHA-256 they
     * verify it against; the nodes' role may read exactly that object. Required in prod unless
     * `productAmiId` is set.
     * @default none
     */
    distribution?: { s3Uri: string; sha256: string };
    /**
     * AMI that already holds the product in its home; used instead of `amiId`, and nothing is downloaded.
     * @default "" (none)
     */
    productAmiId?: string;
    /**
     * Networks the load balancer's group admits on 443 (and 80, which only redirects); empty for a blue-green
     * color whose edge admits the clients with a group of its own.
     * @default ["0.0.0.0/0"]
     */
    clientCidrs?: string[];
    /**
     * Path prefixes forwarded to the traffic port beyond the product's own public routes.
     * @default []
     */
    publicPaths?: string[];
    /**
     * Administrators' networks allowed to SSH to the nodes; empty: no SSH at all (access through SSM).
     * @default []
     */
    sshSourceCidrs?: string[];
    /**
     * SSH port of the nodes (not 22).
     * @default 2222
     */
    sshPort?: number;
    /**
     * Networks the nodes reach on 443 (AWS APIs, update mirrors).
     * @default ["0.0.0.0/0"]
     */
    egressCidrs?: string[];
    /**
     * Networks of the databases and user stores, reached on `databasePort`.
     * @default []
     */
    databaseCidrs?: string[];
    /**
     * Port of the databases.
     * @default 5432
     */
    databasePort?: number;
    /**
     * Outbound HTTP proxy host of the product.
     * @default "" (no proxy)
     */
    proxyHost?: string;
    /**
     * Outbound HTTP proxy port.
     * @default 3128
     */
    proxyPort?: number;
    /**
     * User name of the generated super admin.
     * @default "wso2-superadmin"
     */
    adminUsername?: string;
    /**
     * UID and GID of the `wso2` user on the nodes.
     * @default 802
     */
    wso2Uid?: number;
    /**
     * Days the nodes' logs and the backup buckets' access logs are kept (a CloudWatch Logs retention period).
     * @default 365
     */
    logRetentionDays?: number;
    /**
     * Days backups are kept.
     * @default 90
     */
    backupRetentionDays?: number;
    /**
     * When the nodes push their backup (systemd OnCalendar).
     * @default "daily"
     */
    backupSchedule?: string;
    /**
     * When each node refreshes the peer set of its clustering ports from the EC2 API (systemd OnCalendar; it
     * also runs at every boot, before the product starts). A new node reaches the others' clustering ports at their next refresh;
     * each refresh is one DescribeInstances call per node.
     * @default "minutely"
     */
    clusterPeersRefresh?: string;
    /**
     * Second region backups are replicated and copied to; required in prod, not the provider's region.
     * @default "" (no replica)
     */
    backupReplicaRegion?: string;
    /**
     * When the nodes apply security updates (systemd OnCalendar).
     * @default "Wed *-*-* 03:00"
     */
    updateWindow?: string;
    /**
     * Protect keys, buckets and vaults from `pulumi destroy` outside prod too (prod always protects them).
     * @default true
     */
    deletionProtection?: boolean;
}

/** `Wso2ClusterArgs` with every default filled in, as the cluster's children take them. */
export type ClusterSettings = Required<
    Omit<Wso2ClusterArgs, "network" | "database" | "amiId" | "distribution" | "productAmiId" | "proxyHost" | "backupReplicaRegion" | "product">
> & {
    product: ProductSpec;
    amiId?: string;
    distribution?: { s3Uri: string; sha256: string };
    productAmiId?: string;
    proxyHost?: string;
    backupReplicaRegion?: string;
};

function configDefault<K extends keyof typeof CONFIG_KEYS>(key: K): (typeof CONFIG_KEYS)[K]["default"] {
    const value = CONFIG_KEYS[key].default;
    return Array.isArray(value) ? ([...value] as never) : value;
}

/**
 * Checks the arguments of `Wso2Cluster` against what AWS and WSO2 accept and fills in the defaults (the
 * stack configuration's, from `config/schema.ts`). Throws one `ArgsError` naming every bad argument.
 */
export function resolveClusterArgs(name: string, args: Wso2ClusterArgs): ClusterSettings {
    const check = new ArgChecker(`Wso2Cluster ${name}`);
    const why = (arg: string, value: unknown, problem: string | undefined) => problem && check.bad(arg, value, problem);
    why("name", name, physicalNameProblem(name));
    const product = PRODUCTS[args.product];
    if (product) {
        const derived = derivedNames(name, { role: "cluster", publicPaths: args.publicPaths ?? [], backupReplicaRegion: args.backupReplicaRegion }, product);
        for (const problem of nameLimitProblems(derived)) check.bad("name", name, problem);
    }
    if (!product) check.bad("product", args.product, `must be one of ${Object.keys(PRODUCTS).join(", ")}`);
    const productVersion = args.productVersion || product?.defaultVersion || "";
    if (product && !modelVersions(args.product).includes(productVersion)) {
        check.bad("productVersion", productVersion, `is not a ${args.product} version the configuration model knows (${modelVersions(args.product).join(", ")})`);
    }
    const s: ClusterSettings = {
        product,
        productVersion,
        domainName: args.domainName,
        environment: args.environment ?? (configDefault("environment") as Environment),
        color: args.color ?? "main",
        nodeCount: args.nodeCount ?? configDefault("nodeCount"),
        instanceType: args.instanceType ?? configDefault("instanceType"),
        instanceMemoryMiB: args.instanceMemoryMiB ?? configDefault("instanceMemoryMiB"),
        amiId: args.amiId || undefined,
        distribution: args.distribution,
        productAmiId: args.productAmiId || undefined,
        clientCidrs: args.clientCidrs ?? configDefault("clientCidrs"),
        publicPaths: args.publicPaths ?? configDefault("publicPaths"),
        sshSourceCidrs: args.sshSourceCidrs ?? configDefault("sshSourceCidrs"),
        sshPort: args.sshPort ?? configDefault("sshPort"),
        egressCidrs: args.egressCidrs ?? configDefault("egressCidrs"),
        databaseCidrs: args.databaseCidrs ?? configDefault("databaseCidrs"),
        databasePort: args.databasePort ?? configDefault("databasePort"),
        proxyHost: args.proxyHost || undefined,
        proxyPort: args.proxyPort ?? configDefault("proxyPort"),
        adminUsername: args.adminUsername ?? configDefault("adminUsername"),
        wso2Uid: args.wso2Uid ?? configDefault("wso2Uid"),
        logRetentionDays: args.logRetentionDays ?? configDefault("logRetentionDays"),
        backupRetentionDays: args.backupRetentionDays ?? configDefault("backupRetentionDays"),
        backupSchedule: args.backupSchedule ?? configDefault("backupSchedule"),
        clusterPeersRefresh: args.clusterPeersRefresh ?? configDefault("clusterPeersRefresh"),
        backupReplicaRegion: args.backupReplicaRegion || undefined,
        updateWindow: args.updateWindow ?? configDefault("updateWindow"),
        deletionProtection: args.deletionProtection ?? configDefault("deletionProtection"),
    };
    why("domainName", s.domainName, hostNameProblem(s.domainName ?? ""));
    if (!ENVIRONMENTS.includes(s.environment)) check.bad("environment", s.environment, `must be one of ${ENVIRONMENTS.join(", ")}`);
    if (!Number.isInteger(s.nodeCount) || s.nodeCount < 1 || s.nodeCount > 20) check.bad("nodeCount", s.nodeCount, "must be an integer from 1 to 20");
    else if (s.environment === "prod" && s.nodeCount < 2) check.bad("nodeCount", s.nodeCount, "must be at least 2 in prod (failover needs two nodes)");
    try {
        instanceMemoryMiB(s);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const p of e.problems) check.bad(p.key, p.value, p.problem);
    }
    for (const key of ["clientCidrs", "sshSourceCidrs", "egressCidrs", "databaseCidrs"] as const) {
        for (const c of s[key]) why(key, c, cidrProblem(c));
    }
    if (s.distribution) {
        if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9._/-]+\.zip$/.test(s.distribution.s3Uri)) {
            check.bad("distribution.s3Uri", s.distribution.s3Uri, "must be an S3 URI of a zip such as s3://releases/wso2am-4.3.0.zip");
        }
        if (!/^[0-9a-f]{64}$/.test(s.distribution.sha256) || /^(.)\1{63}$/.test(s.distribution.sha256)) {
            check.bad("distribution.sha256", s.distribution.sha256, "must be the 64 lower-case hex digits of the zip's SHA-256 (not a placeholder)");
        }
        if (s.productAmiId) check.bad("productAmiId", s.productAmiId, "must not be combined with distribution: the image holds the product, or the nodes download it");
    }
    if (s.productAmiId && s.amiId) check.bad("amiId", s.amiId, "must be empty when productAmiId is set (productAmiId is the nodes' image)");
    if (s.environment === "prod" && !s.distribution && !s.productAmiId) {
        check.bad("distribution", "", "is required in prod (or productAmiId): the S3 zip the nodes install and its SHA-256, or an image that holds the product");
    }
    if (s.environment === "prod") {
        for (const c of s.sshSourceCidrs) if (isWorldCidr(c)) check.bad("sshSourceCidrs", c, "must not allow SSH from anywhere in prod");
        if (!s.backupReplicaRegion) check.bad("backupReplicaRegion", "", "is required in prod: backups must be replicated to a second region");
    }
    if (s.backupReplicaRegion) why("backupReplicaRegion", s.backupReplicaRegion, regionProblem(s.backupReplicaRegion));
    for (const p of s.publicPaths) why("publicPaths", p, publicPathProblem(p));
    for (const [key, port, min] of [["sshPort", s.sshPort, 1024], ["databasePort", s.databasePort, 1], ["proxyPort", s.proxyPort, 1]] as const) {
        if (!Number.isInteger(port) || port < min || port > 65535) check.bad(key, port, `must be an integer from ${min} to 65535`);
    }
    if (s.sshPort === 22) check.bad("sshPort", 22, "must not be the default port 22");
    why("adminUsername", s.adminUsername, adminUsernameProblem(s.adminUsername));
    why("logRetentionDays", s.logRetentionDays, logRetentionProblem(s.logRetentionDays));
    if (!Number.isInteger(s.backupRetentionDays) || s.backupRetentionDays < 7 || s.backupRetentionDays > 3650) {
        check.bad("backupRetentionDays", s.backupRetentionDays, "must be an integer from 7 to 3650");
    }
    for (const key of ["backupSchedule", "clusterPeersRefresh", "updateWindow"] as const) why(key, s[key], onCalendarProblem(s[key]));
    check.done();
    return s;
}

/** Seconds a draining target keeps its in-flight requests. */
const DEREGISTRATION_DELAY_SECONDS = 60;

/** Target-group arguments for one node port, health-checked with the product's first health check. */
export function targetGroupArgs(product: ProductSpec, port: number, vpcId: pulumi.Input<string>, tags: Record<string, string>): lb.TargetGroupArgs {
    const check = product.healthChecks[0];
    return {
        vpcId,
        port,
        protocol: "HTTPS",
        protocolVersion: "HTTP1",
        targetType: "instance",
        deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
        healthCheck: {
            enabled: true,
            protocol: check.protocol,
            port: String(check.port),
            path: check.path,
            matcher: check.matcher,
            interval: 15,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
        },
        tags: { ...tags, "wso2-hardening:port": String(port) },
    };
}

export class Wso2Cluster extends pulumi.ComponentResource {
    /** Group to attach to the load balancer: 443/80 from clients (not with role cluster), out only to these nodes. */
    readonly edgeSecurityGroup: ec2.SecurityGroup;
    readonly nodeSecurityGroup: ec2.SecurityGroup;
    readonly edgeSecurityGroupId: pulumi.Output<string>;
    readonly nodeSecurityGroupId: pulumi.Output<string>;
    /** Target group ARN per node port (every port a public route uses, and the traffic port). */
    readonly targetGroupArns: Record<number, pulumi.Output<string>>;
    readonly credentials: AdminCredentials;
    readonly backups: BackupStore;
    readonly volumeBackups: VolumeBackupPlan;
    readonly nodes: NodeGroup;
    readonly autoScalingGroupName: pulumi.Output<string>;
    readonly adminSecretArn: pulumi.Output<string>;
    readonly backupBucketName: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: Wso2ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveClusterArgs(name, args);
        super("wso2-hardening:aws:Wso2Cluster", name, {}, opts);
        const { product } = settings;
        const { network } = args;
        const parent = { parent: this };
        // The nodes' backup egress goes through the S3 gateway endpoint: the regional S3 prefix list.
        const s3PrefixListId = ec2.getPrefixListOutput({ name: pulumi.interpolate`com.amazonaws.${providerRegion(this)}.s3` }, parent).id;
        const tags = clusterTags(name, {
            "wso2-hardening:environment": settings.environment,
            "wso2-hardening:product": product.id,
            "wso2-hardening:color": settings.color,
        });

        this.edgeSecurityGroup = new ec2.SecurityGroup(
            `${name}-edge`,
            { vpcId: network.vpcId, description: `${name}: load balancer of ${product.name}`, revokeRulesOnDelete: true, tags: { ...tags, Name: `${name}-edge` } },
            parent,
        );
        this.nodeSecurityGroup = new ec2.SecurityGroup(
            `${name}-nodes`,
            { vpcId: network.vpcId, description: `${name}: ${product.name} nodes`, revokeRulesOnDelete: true, tags: { ...tags, Name: `${name}-nodes` } },
            parent,
        );
        const groups: Record<SecurityGroupRole, ec2.SecurityGroup> = { edge: this.edgeSecurityGroup, nodes: this.nodeSecurityGroup };
        const addRules = (role: SecurityGroupRole, rules: SecurityRule[]) => {
            for (const rule of rules) {
                const peer =
                    rule.peer.kind === "cidr"
                        ? cidrArgs(rule.peer.cidr)
                        : rule.peer.kind === "group"
                          ? { referencedSecurityGroupId: groups[rule.peer.group].id }
                          : rule.peer.kind === "vpc"
                            ? { cidrIpv4: network.vpcCidr }
                            : { prefixListId: s3PrefixListId };
                const ruleArgs = {
                    securityGroupId: groups[role].id,
                    ipProtocol: rule.protocol,
                    fromPort: rule.port,
                    toPort: rule.port,
                    description: rule.description,
                    ...peer,
                    tags,
                };
                const ruleName = `${name}-${role}-${ruleSuffix(rule)}`;
                if (rule.direction === "ingress") new vpc.SecurityGroupIngressRule(ruleName, ruleArgs, { parent: groups[role] });
                else new vpc.SecurityGroupEgressRule(ruleName, ruleArgs, { parent: groups[role] });
            }
        };
        // In a blue-green pair the edge stack owns the clients' ingress (a group of its own on the shared load
        // balancer): a color has no clientCidrs, and its group only carries the way out to its own nodes.
        addRules("edge", edgeSecurityRules(settings, product));
        addRules("nodes", nodeSecurityRules(settings, product));

        this.targetGroupArns = {};
        const targetGroups: lb.TargetGroup[] = [];
        for (const port of targetPorts(settings, product)) {
            const group = new lb.TargetGroup(`${name}-${port}`, targetGroupArgs(product, port, network.vpcId, tags), parent);
            targetGroups.push(group);
            this.targetGroupArns[port] = group.arn;
        }

        this.credentials = new AdminCredentials(`${name}-credentials`, { settings, tags }, parent);
        const backupArgs = {
            retentionDays: settings.backupRetentionDays,
            replicaRegion: settings.backupReplicaRegion,
            deletionProtection: settings.deletionProtection,
            environment: settings.environment,
            tags,
        };
        this.backups = new BackupStore(`${name}-backups`, { ...backupArgs, logRetentionDays: settings.logRetentionDays }, parent);
        this.volumeBackups = new VolumeBackupPlan(
            `${name}-volumes`,
            { ...backupArgs, clusterName: name, kmsKeyArn: this.backups.keyArn, replicaKmsKeyArn: this.backups.replicaKey?.arn },
            parent,
        );
        this.nodes = new NodeGroup(
            name,
            {
                settings,
                product,
                subnetIds: network.privateSubnetIds,
                securityGroupId: this.nodeSecurityGroup.id,
                targetGroupArns: targetGroups.map((g) => g.arn),
                lbSourceCidrs: network.publicSubnetCidrs,
                adminSecretArn: this.credentials.adminSecretArn,
                keystoreSecretArn: this.credentials.keystoreSecretArn,
                secretsKeyArn: this.credentials.keyArn,
                backupBucketName: this.backups.bucketName,
                backupBucketArn: this.backups.bucketArn,
                backupKeyArn: this.backups.keyArn,
                database: args.database && {
                    host: args.database.host,
                    port: args.database.port,
                    databases: args.database.databases,
                    masterSecretArn: args.database.masterSecretArn,
                    runtimeSecretArn: args.database.runtimeSecretArn,
                    runtimeUsername: args.database.runtimeUsername,
                },
                databaseSecretArns: args.database ? [args.database.masterSecretArn, args.database.runtimeSecretArn] : undefined,
                databaseKeyArns: args.database?.secretKeyArns,
                tags,
            },
            parent,
        );

        this.edgeSecurityGroupId = this.edgeSecurityGroup.id;
        this.nodeSecurityGroupId = this.nodeSecurityGroup.id;
        this.autoScalingGroupName = this.nodes.autoScalingGroupName;
        this.adminSecretArn = this.credentials.adminSecretArn;
        this.backupBucketName = this.backups.bucketName;
        this.logGroupName = this.nodes.logGroup.name;
        this.registerOutputs({
            edgeSecurityGroupId: this.edgeSecurityGroupId,
            nodeSecurityGroupId: this.nodeSecurityGroupId,
            targetGroupArns: this.targetGroupArns,
            autoScalingGroupName: this.autoScalingGroupName,
            adminSecretArn: this.adminSecretArn,
            backupBucketName: this.backupBucketName,
            logGroupName: this.logGroupName,
        });
    }
}
