/**
 * The database WSO2's nodes share (API-M's apim_db and shared_db, IS's identity_db and shared_db, clustered
 * MI's coordination database): Amazon RDS for PostgreSQL created here, or an existing server.
 *
 * Managed (PROD-TLS-EXTERNAL, PROD-LEAST-PRIV-DATASTORE, PROD-BACKUP): storage, Performance Insights and the
 * master secret under a customer key; RDS keeps the master password in Secrets Manager (none in state);
 * private subnets only, not publicly accessible; its own security group, which admits only the groups
 * given to `admit`; TLS forced by the parameter group; automated backups for the configured days, in
 * production Multi-AZ, deletion protection, a final snapshot and backups replicated to a second region.
 * Both modes: a generated runtime user's secret (`{ "username", "password" }`), which the nodes' first boot
 * turns into a PostgreSQL user with data rights only (components/host/node/wso2-db-bootstrap.sh).
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as ec2 from "@pulumi/aws/ec2";
import * as kms from "@pulumi/aws/kms";
import * as rds from "@pulumi/aws/rds";
import * as secretsmanager from "@pulumi/aws/secretsmanager";
import * as vpc from "@pulumi/aws/vpc";
import type { Environment } from "../../config/settings";
import { customerKey } from "./common";

/** Name of the master user RDS creates (its password lives in the RDS-managed secret). */
export const MASTER_USERNAME = "wso2_master";
/** The PostgreSQL user the product connects as (data rights only). */
export const RUNTIME_USERNAME = "wso2_runtime";
/** Characters of the generated runtime password: safe in TOML, XML, a libpq environment and SQL literals. */
const PASSWORD_SPECIALS = "-_.~+=";

interface DatabaseArgsBase {
    environment: Environment;
    /** Database name per datasource key (`apim_db` -> `wso2am_db`); see products/databases.ts. */
    databases: Record<string, string>;
    /** Tags of every resource; should carry `wso2-hardening:environment`. */
    tags: Record<string, string>;
    /** A deleted runtime secret can be restored for this long. @default 30 in prod, 7 elsewhere */
    secretRecoveryWindowDays?: number;
    /** `protect` on the keys. @default true in prod */
    protect?: boolean;
}

export interface ManagedDatabaseArgs extends DatabaseArgsBase {
    mode: "managed";
    vpcId: pulumi.Input<string>;
    /** Private subnets in two or more zones (the subnet group). */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** @default 5432 */
    port?: number;
    /** PostgreSQL major version; minor versions upgrade automatically. @default "16" */
    engineVersion?: string;
    /** @default "db.r6g.large" in prod, "db.t4g.medium" elsewhere */
    instanceClass?: string;
    /** Allocated storage in GiB; grows automatically up to four times. @default 100 in prod, 20 elsewhere */
    allocatedStorageGiB?: number;
    /** Days automated backups are kept (1..35). @default 30 */
    backupRetentionDays?: number;
    /** Standby in a second zone. @default true in prod */
    multiAz?: boolean;
    /** Deletion protection and a final snapshot. @default true in prod */
    deletionProtection?: boolean;
    /** Region the automated backups are replicated to; required in prod. @default none */
    replicaRegion?: string;
    /** Provider for the replica region's resources. @default the `region` argument of each resource */
    replicaProvider?: pulumi.ProviderResource;
    /** Daily backup window (UTC), outside the maintenance window. @default "02:00-03:00" */
    backupWindow?: string;
    /** Weekly maintenance window (UTC), where minor upgrades land. @default "wed:03:30-wed:04:30" */
    maintenanceWindow?: string;
}

export interface ExistingDatabaseArgs extends DatabaseArgsBase {
    mode: "existing";
    /** Host name of the server; its certificate must name it. */
    endpoint: string;
    /** @default 5432 */
    port?: number;
    /** Secret of the administrative user (`{ "username", "password" }`) the bootstrap runs as. */
    masterSecretArn: string;
    /** Customer key of that secret, when it has one (the nodes need Decrypt on it). @default none */
    masterSecretKeyArn?: string;
}

export type DatabaseArgs = ManagedDatabaseArgs | ExistingDatabaseArgs;

/** What nodes need to use the database: where it is, its names, and the secrets (never their values). */
export interface DatabaseConnection {
    host: pulumi.Output<string>;
    port: number;
    databases: Record<string, string>;
    masterUsername: pulumi.Output<string>;
    masterSecretArn: pulumi.Output<string>;
    runtimeUsername: string;
    runtimeSecretArn: pulumi.Output<string>;
    /** Customer keys of those secrets (the nodes decrypt through Secrets Manager). */
    secretKeyArns: pulumi.Output<string>[];
}

/** Whole-argument checks, before anything is registered. */
export function checkDatabaseArgs(args: DatabaseArgs): void {
    const problems: string[] = [];
    const port = args.port ?? 5432;
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`port ${port} is not a port number`);
    if (Object.keys(args.databases).length === 0) problems.push("databases is empty: a product without a shared database needs no database component");
    for (const [key, name] of Object.entries(args.databases)) {
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) problems.push(`databases.${key} = ${JSON.stringify(name)} is not a lower-case SQL identifier`);
    }
    if (args.mode === "managed") {
        if (port < 1150) problems.push(`port ${port}: RDS accepts 1150..65535`);
        const retention = args.backupRetentionDays ?? 30;
        if (!Number.isInteger(retention) || retention < 1 || retention > 35) problems.push(`backupRetentionDays ${retention} must be between 1 and 35`);
        if (args.engineVersion !== undefined && !/^1[3-7]$/.test(args.engineVersion)) problems.push(`engineVersion ${args.engineVersion} must be a major version from 13 to 17`);
        if (args.environment === "prod" && !args.replicaRegion && !args.replicaProvider) problems.push("replicaRegion is required in prod: automated backups are replicated to a second region");
    } else {
        if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(args.endpoint)) problems.push(`endpoint ${JSON.stringify(args.endpoint)} is not a host name`);
        if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(args.masterSecretArn)) problems.push(`masterSecretArn ${JSON.stringify(args.masterSecretArn)} is not a Secrets Manager ARN`);
    }
    if (problems.length > 0) throw new Error(`database: ${problems.join("; ")}`);
}

/** The settings a managed instance gets for an environment: small and cheap outside prod, as real environments are. */
export function managedDefaults(args: ManagedDatabaseArgs) {
    const prod = args.environment === "prod";
    return {
        port: args.port ?? 5432,
        engineVersion: args.engineVersion ?? "16",
        instanceClass: args.instanceClass ?? (prod ? "db.r6g.large" : "db.t4g.medium"),
        allocatedStorageGiB: args.allocatedStorageGiB ?? (prod ? 100 : 20),
        backupRetentionDays: args.backupRetentionDays ?? 30,
        multiAz: args.multiAz ?? prod,
        deletionProtection: args.deletionProtection ?? prod,
        backupWindow: args.backupWindow ?? "02:00-03:00",
        maintenanceWindow: args.maintenanceWindow ?? "wed:03:30-wed:04:30",
    };
}

/** Server parameters: TLS only (1.2 and up), SCRAM passwords, connections logged. */
export function parameterGroupParameters(): { name: string; value: string; applyMethod: string }[] {
    return [
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
        { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "pending-reboot" },
        { name: "password_encryption", value: "scram-sha-256", applyMethod: "immediate" },
        { name: "log_connections", value: "1", applyMethod: "immediate" },
        { name: "log_disconnections", value: "1", applyMethod: "immediate" },
    ];
}

export class Wso2Database extends pulumi.ComponentResource {
    readonly connection: DatabaseConnection;
    /** Managed only. */
    readonly instance?: rds.Instance;
    readonly securityGroup?: ec2.SecurityGroup;
    readonly key?: kms.Key;
    readonly runtimeSecret: secretsmanager.Secret;
    private readonly port: number;
    private readonly tags: Record<string, string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wso2-hardening:aws:Wso2Database", name, {}, opts);
        checkDatabaseArgs(args);
        const prod = args.environment === "prod";
        const parent = { parent: this };
        const protect = args.protect ?? prod;
        const tags = args.tags;
        this.tags = tags;
        this.port = args.port ?? 5432;

        // One customer key for this database's data, insights and secrets (managed); the runtime secret's key otherwise.
        const key = customerKey(
            `${name}-db`,
            { description: args.mode === "managed" ? `${name}: WSO2 database storage, insights and secrets` : `${name}: WSO2 database runtime secret`, tags },
            { ...parent, protect },
        );
        this.key = key;

        const runtimePassword = new random.RandomPassword(
            `${name}-db-runtime`,
            { length: 32, special: true, overrideSpecial: PASSWORD_SPECIALS, minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 2 },
            parent,
        );
        this.runtimeSecret = new secretsmanager.Secret(
            `${name}-db-runtime`,
            {
                description: `${name}: PostgreSQL user ${RUNTIME_USERNAME} of the WSO2 nodes (data rights only)`,
                kmsKeyId: key.arn,
                recoveryWindowInDays: args.secretRecoveryWindowDays ?? (prod ? 30 : 7),
                tags,
            },
            parent,
        );
        new secretsmanager.SecretVersion(
            `${name}-db-runtime`,
            { secretId: this.runtimeSecret.id, secretString: pulumi.secret(pulumi.jsonStringify({ username: RUNTIME_USERNAME, password: runtimePassword.result })) },
            parent,
        );

        if (args.mode === "existing") {
            this.connection = {
                host: pulumi.output(args.endpoint),
                port: this.port,
                databases: args.databases,
                masterUsername: pulumi.output(""),
                masterSecretArn: pulumi.output(args.masterSecretArn),
                runtimeUsername: RUNTIME_USERNAME,
                runtimeSecretArn: this.runtimeSecret.arn,
                secretKeyArns: [key.arn, ...(args.masterSecretKeyArn ? [pulumi.output(args.masterSecretKeyArn)] : [])],
            };
            this.registerOutputs({ host: this.connection.host, runtimeSecretArn: this.connection.runtimeSecretArn });
            return;
        }

        const d = managedDefaults(args);
        this.securityGroup = new ec2.SecurityGroup(
            `${name}-db`,
            // No rule here: `admit` adds the node groups, one rule each, on the database port only.
            { vpcId: args.vpcId, description: `${name}: WSO2 database, reachable from the nodes only`, revokeRulesOnDelete: true, tags: { ...tags, Name: `${name}-db` } },
            parent,
        );
        const subnetGroup = new rds.SubnetGroup(`${name}-db`, { description: `${name}: private subnets of the WSO2 database`, subnetIds: args.subnetIds, tags }, parent);
        const parameterGroup = new rds.ParameterGroup(
            `${name}-db`,
            { description: `${name}: TLS-only PostgreSQL ${d.engineVersion}`, family: `postgres${d.engineVersion}`, parameters: parameterGroupParameters(), tags },
            parent,
        );
        this.instance = new rds.Instance(
            `${name}-db`,
            {
                engine: "postgres",
                engineVersion: d.engineVersion,
                autoMinorVersionUpgrade: true,
                allowMajorVersionUpgrade: false,
                instanceClass: d.instanceClass,
                allocatedStorage: d.allocatedStorageGiB,
                maxAllocatedStorage: d.allocatedStorageGiB * 4,
                storageType: "gp3",
                storageEncrypted: true,
                kmsKeyId: key.arn,
                port: d.port,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [this.securityGroup.id],
                publiclyAccessible: false,
                parameterGroupName: parameterGroup.name,
                caCertIdentifier: "rds-ca-rsa2048-g1",
                username: MASTER_USERNAME,
                manageMasterUserPassword: true,
                masterUserSecretKmsKeyId: key.arn,
                iamDatabaseAuthenticationEnabled: false,
                multiAz: d.multiAz,
                deletionProtection: d.deletionProtection,
                skipFinalSnapshot: !d.deletionProtection,
                finalSnapshotIdentifier: d.deletionProtection ? `${name}-db-final` : undefined,
                backupRetentionPeriod: d.backupRetentionDays,
                backupWindow: d.backupWindow,
                maintenanceWindow: d.maintenanceWindow,
                copyTagsToSnapshot: true,
                deleteAutomatedBackups: !d.deletionProtection,
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: key.arn,
                performanceInsightsRetentionPeriod: 7,
                enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                applyImmediately: false,
                tags,
            },
            { ...parent, protect },
        );

        if (args.replicaRegion || args.replicaProvider) {
            // The replica region needs a key of its own: a KMS key never leaves its region.
            const inReplica = args.replicaProvider ? { provider: args.replicaProvider } : {};
            const region = args.replicaProvider ? undefined : args.replicaRegion;
            const replicaKey = customerKey(
                `${name}-db-replica`,
                { description: `${name}: replicated WSO2 database backups`, region, tags },
                { ...parent, ...inReplica, protect },
            );
            new rds.InstanceAutomatedBackupsReplication(
                `${name}-db`,
                { sourceDbInstanceArn: this.instance.arn, kmsKeyId: replicaKey.arn, retentionPeriod: d.backupRetentionDays, region },
                { ...parent, ...inReplica },
            );
        }

        const masterSecretArn = this.instance.masterUserSecrets.apply((s) => s?.[0]?.secretArn ?? "");
        this.connection = {
            host: this.instance.address,
            port: d.port,
            databases: args.databases,
            masterUsername: pulumi.output(MASTER_USERNAME),
            masterSecretArn,
            runtimeUsername: RUNTIME_USERNAME,
            runtimeSecretArn: this.runtimeSecret.arn,
            secretKeyArns: [key.arn],
        };
        this.registerOutputs({ host: this.connection.host, runtimeSecretArn: this.connection.runtimeSecretArn, securityGroupId: this.securityGroup.id });
    }

    /**
     * Lets one group of nodes reach the database port: an ingress rule on the database's group and the
     * matching egress rule on the nodes' group, both naming the other group (no address range). Managed only.
     */
    admit(label: string, nodeSecurityGroupId: pulumi.Input<string>): void {
        if (!this.securityGroup) throw new Error(`database: admit(${label}) needs a managed database; an existing one is reached through databaseCidrs`);
        const rule = { ipProtocol: "tcp", fromPort: this.port, toPort: this.port, tags: this.tags };
        new vpc.SecurityGroupIngressRule(
            `${label}-db-from-nodes`,
            { ...rule, securityGroupId: this.securityGroup.id, referencedSecurityGroupId: nodeSecurityGroupId, description: `PostgreSQL over TLS from the ${label} nodes` },
            { parent: this.securityGroup },
        );
        new vpc.SecurityGroupEgressRule(
            `${label}-nodes-to-db`,
            { ...rule, securityGroupId: nodeSecurityGroupId, referencedSecurityGroupId: this.securityGroup.id, description: "PostgreSQL over TLS to the WSO2 database" },
            { parent: this.securityGroup },
        );
    }
}
