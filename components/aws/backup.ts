/**
 * Backups (OS-BACKUPS): the bucket the nodes push configuration, keystores and artifacts to, and an
 * AWS Backup plan for the nodes' volumes.
 *
 * The bucket is versioned, encrypted with a rotating customer key, closed to the public (all four
 * blocks, ACLs disabled), reachable over TLS 1.2+ only, logged to an access-log bucket, expires old
 * versions, and in prod replicates to a second region (geographically distributed storage).
 */
import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as backup from "@pulumi/aws/backup";
import type { Environment } from "../../config/settings";
import { ArgChecker, ArgsError, logRetentionProblem, regionProblem } from "../../config/validate";
import { CLUSTER_TAG_KEY, PolicyStatement, assumeRolePolicy, customerKey, partitionOf, policyDocument, providerRegion } from "./common";

/** Days after which current backup objects move to infrequent access (S3's minimum for STANDARD_IA). */
const INFREQUENT_ACCESS_AFTER_DAYS = 30;
/** Days after which an unfinished multipart upload is aborted. */
const ABORT_MULTIPART_AFTER_DAYS = 7;

/** Statements every bucket policy here carries: deny plain HTTP and TLS older than 1.2. */
export function tlsOnlyStatements(bucketArn: string): PolicyStatement[] {
    const resources = [bucketArn, `${bucketArn}/*`];
    return [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: resources,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
            Sid: "DenyTlsOlderThan12",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: resources,
            Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
        },
    ];
}

interface HardenedBucketArgs {
    /** Customer key for SSE-KMS; undefined: SSE-S3 (AES256), the only encryption S3 access logging accepts. */
    kmsKeyArn?: pulumi.Input<string>;
    region?: string;
    lifecycle: s3.BucketLifecycleConfigurationArgs["rules"];
    /** Statements beyond TLS-only, given the bucket's ARN. */
    policyStatements?: (bucketArn: string) => pulumi.Input<PolicyStatement[]>;
    tags: Record<string, string>;
}

interface HardenedBucket {
    bucket: s3.Bucket;
    versioning: s3.BucketVersioning;
    /** Resources that must exist before objects are written or replicated. */
    settings: pulumi.Resource[];
}

/** A versioned, encrypted, non-public, TLS-only bucket with ACLs disabled and a lifecycle. */
function hardenedBucket(name: string, args: HardenedBucketArgs, opts: pulumi.CustomResourceOptions): HardenedBucket {
    const region = args.region;
    const child = { parent: opts.parent };
    const bucket = new s3.Bucket(name, { forceDestroy: false, region, tags: args.tags }, opts);
    const ownership = new s3.BucketOwnershipControls(name, { bucket: bucket.id, region, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    const publicAccess = new s3.BucketPublicAccessBlock(
        name,
        { bucket: bucket.id, region, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        child,
    );
    const versioning = new s3.BucketVersioning(name, { bucket: bucket.id, region, versioningConfiguration: { status: "Enabled" } }, child);
    const encryption = new s3.BucketServerSideEncryptionConfiguration(
        name,
        {
            bucket: bucket.id,
            region,
            rules: [
                args.kmsKeyArn
                    ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }
                    : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
            ],
        },
        child,
    );
    const policy = new s3.BucketPolicy(
        name,
        {
            bucket: bucket.id,
            region,
            policy: bucket.arn.apply((arn) =>
                pulumi
                    .output(args.policyStatements?.(arn) ?? [])
                    .apply((extra) => JSON.stringify(policyDocument([...tlsOnlyStatements(arn), ...(extra as PolicyStatement[])]))),
            ),
        },
        // A policy is refused while the public-access block is being applied.
        { parent: opts.parent, dependsOn: [publicAccess] },
    );
    const lifecycle = new s3.BucketLifecycleConfiguration(name, { bucket: bucket.id, region, rules: args.lifecycle }, { parent: opts.parent, dependsOn: [versioning] });
    return { bucket, versioning, settings: [ownership, publicAccess, versioning, encryption, policy, lifecycle] };
}


/** Days noncurrent access-log versions are kept (log objects are never overwritten; this is a safety net). */
const NONCURRENT_ACCESS_LOG_DAYS = 30;

interface LogAccessArgs {
    /** Logical name of the log bucket. */
    logBucketName: string;
    /** The bucket whose server access is logged. */
    source: HardenedBucket;
    /** The source bucket's region (S3 delivers access logs only to a bucket of the same region). */
    region?: string;
    logRetentionDays: number;
    tags: Record<string, string>;
}

/**
 * Server access logging of `source` into a hardened bucket of its own (`logBucketName`), SSE-S3
 * encrypted (the only encryption S3 access logging accepts) and expiring after `logRetentionDays`.
 */
function logAccess(name: string, args: LogAccessArgs, opts: pulumi.CustomResourceOptions): s3.Bucket {
    const { source, region } = args;
    const logs = hardenedBucket(
        args.logBucketName,
        {
            region,
            lifecycle: [
                {
                    id: "access-logs",
                    status: "Enabled",
                    filter: {},
                    expiration: { days: args.logRetentionDays },
                    noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_ACCESS_LOG_DAYS },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_AFTER_DAYS },
                },
            ],
            // With ACLs disabled, S3 delivers access logs under the bucket policy, for the source bucket only.
            policyStatements: (logArn) =>
                source.bucket.arn.apply((sourceArn): PolicyStatement[] => [
                    {
                        Sid: "S3ServerAccessLogsFromTheSourceBucket",
                        Effect: "Allow",
                        Principal: { Service: "logging.s3.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: `${logArn}/*`,
                        Condition: { ArnLike: { "aws:SourceArn": sourceArn } },
                    },
                ]),
            tags: args.tags,
        },
        opts,
    );
    new s3.BucketLogging(
        name,
        { bucket: source.bucket.id, region, targetBucket: logs.bucket.id, targetPrefix: `s3-access/${name}/` },
        { parent: opts.parent, dependsOn: logs.settings },
    );
    return logs.bucket;
}


/**
 * Days a backup archive's data outlives its expiry (or a deletion) as a noncurrent version: long enough
 * to undo a mistaken deletion, short enough that `backupRetentionDays` bounds what is kept.
 */
export const NONCURRENT_BACKUP_DAYS = 7;

/** Key prefix of the nodes' backups (`nodes/<cluster>/...`, see NodeGroup), the only keys that expire. */
export const BACKUPS_KEY_PREFIX = "nodes/";

/**
 * Lifecycle of versioned backup data. Archives get unique keys, so they never become noncurrent by
 * being overwritten: the current version itself expires after `retentionDays` (leaving a delete marker),
 * its noncurrent version `NONCURRENT_BACKUP_DAYS` later, and the then-lone delete marker is removed.
 * S3 refuses `expiredObjectDeleteMarker` beside `days` in one expiration, and an expiration not after
 * the transition, hence two rules and a transition only when archives live past it.
 */
export function backupLifecycleRules(retentionDays: number): s3.BucketLifecycleConfigurationArgs["rules"] {
    return [
        {
            id: "backups-expire",
            status: "Enabled",
            // Node backups only: the nodes' steps bundles (under steps/) must outlive any retention, or a node
            // launched later could not boot.
            filter: { prefix: BACKUPS_KEY_PREFIX },
            ...(retentionDays > INFREQUENT_ACCESS_AFTER_DAYS ? { transitions: [{ days: INFREQUENT_ACCESS_AFTER_DAYS, storageClass: "STANDARD_IA" }] } : {}),
            expiration: { days: retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_BACKUP_DAYS },
            abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_AFTER_DAYS },
        },
        {
            id: "backups-delete-markers",
            status: "Enabled",
            filter: { prefix: BACKUPS_KEY_PREFIX },
            expiration: { expiredObjectDeleteMarker: true },
        },
    ];
}

export interface BackupStoreArgs {
    /**
     * Days a backup is kept (7..3650).
     * @default 90
     */
    retentionDays?: number;
    /**
     * Second region the bucket replicates to (geographically distributed storage); required when environment is prod.
     * @default undefined (no replica)
     */
    replicaRegion?: string;
    /**
     * Days the buckets' server access logs are kept (a CloudWatch Logs retention period, for one policy across logs).
     * @default 365
     */
    logRetentionDays?: number;
    /**
     * Protect buckets and keys from `pulumi destroy` outside prod too (prod always protects them).
     * @default false
     */
    deletionProtection?: boolean;
    /**
     * Environment tag; prod protects buckets and keys and requires `replicaRegion`.
     * @default "prod"
     */
    environment?: Environment;
    /**
     * Tags of every resource.
     * @default {}
     */
    tags?: Record<string, string>;
}

/** Checks the arguments of `BackupStore` and fills in the defaults. */
export function resolveBackupStoreArgs(name: string, args: BackupStoreArgs): Required<Omit<BackupStoreArgs, "replicaRegion">> & Pick<BackupStoreArgs, "replicaRegion"> {
    const check = new ArgChecker(`BackupStore ${name}`);
    const resolved = {
        retentionDays: args.retentionDays ?? 90,
        replicaRegion: args.replicaRegion,
        logRetentionDays: args.logRetentionDays ?? 365,
        deletionProtection: args.deletionProtection ?? false,
        environment: args.environment ?? "prod",
        tags: args.tags ?? {},
    };
    if (!Number.isInteger(resolved.retentionDays) || resolved.retentionDays < 7 || resolved.retentionDays > 3650) {
        check.bad("retentionDays", resolved.retentionDays, "must be an integer from 7 to 3650");
    }
    if (resolved.replicaRegion !== undefined) {
        const why = regionProblem(resolved.replicaRegion);
        if (why) check.bad("replicaRegion", resolved.replicaRegion, why);
    } else if (resolved.environment === "prod") {
        check.bad("replicaRegion", undefined, "is required in prod: backups must be replicated to a second region");
    }
    const why = logRetentionProblem(resolved.logRetentionDays);
    if (why) check.bad("logRetentionDays", resolved.logRetentionDays, why);
    check.done();
    return resolved;
}

/** The provider's region, refused when it is the replica's: a replica in the same region does not survive its loss. */
function regionBesidesReplica(component: string, region: pulumi.Output<string>, replicaRegion: string | undefined): pulumi.Output<string> {
    return region.apply((r) => {
        if (replicaRegion === r) {
            throw new ArgsError(component, [{ arg: "replicaRegion", value: replicaRegion, problem: `must differ from the provider's region ${r}: a replica in the same region does not survive its loss` }]);
        }
        return r;
    });
}

export class BackupStore extends pulumi.ComponentResource {
    readonly bucket: s3.Bucket;
    readonly key: kms.Key;
    readonly accessLogBucket: s3.Bucket;
    /** Set when `replicaRegion` is. */
    readonly replicaBucket?: s3.Bucket;
    readonly replicaKey?: kms.Key;
    /** Server access logs of the replica bucket, in the replica's region; set when `replicaRegion` is. */
    readonly replicaAccessLogBucket?: s3.Bucket;
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: BackupStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveBackupStoreArgs(name, args);
        super("wso2-hardening:aws:BackupStore", name, {}, opts);
        const { tags } = settings;
        const region = regionBesidesReplica(`BackupStore ${name}`, providerRegion(this), settings.replicaRegion);
        // Backups outlive a mistaken `pulumi destroy` (and keys must outlive what they encrypt).
        const protect = settings.deletionProtection || settings.environment === "prod";
        const kept = { parent: this, protect };

        this.key = customerKey(`${name}-key`, { description: `${name}: backup objects`, tags }, kept);

        const main = hardenedBucket(
            name,
            { kmsKeyArn: this.key.arn, lifecycle: backupLifecycleRules(settings.retentionDays), tags },
            kept,
        );
        this.bucket = main.bucket;

        this.accessLogBucket = logAccess(name, { logBucketName: `${name}-access-logs`, source: main, logRetentionDays: settings.logRetentionDays, tags }, kept);

        if (settings.replicaRegion) {
            const replicaRegion = settings.replicaRegion;
            this.replicaKey = customerKey(`${name}-replica-key`, { description: `${name}: replicated backup objects`, region: replicaRegion, tags }, kept);
            const replica = hardenedBucket(
                `${name}-replica`,
                { kmsKeyArn: this.replicaKey.arn, region: replicaRegion, lifecycle: backupLifecycleRules(settings.retentionDays), tags },
                kept,
            );
            this.replicaBucket = replica.bucket;
            // Server access logs go to a bucket of the same region: the replica's log bucket lives beside it.
            this.replicaAccessLogBucket = logAccess(
                `${name}-replica`,
                { logBucketName: `${name}-replica-logs`, source: replica, region: replicaRegion, logRetentionDays: settings.logRetentionDays, tags },
                kept,
            );
            const role = new iam.Role(`${name}-replication`, { assumeRolePolicy: JSON.stringify(assumeRolePolicy("s3.amazonaws.com")), tags }, { parent: this });
            new iam.RolePolicy(
                `${name}-replication`,
                {
                    role: role.id,
                    policy: pulumi
                        .all([main.bucket.arn, replica.bucket.arn, this.key.arn, this.replicaKey.arn, region])
                        .apply(([source, destination, sourceKey, destinationKey, region]) =>
                            JSON.stringify(replicationPolicy({ source, destination, sourceKey, destinationKey, region, replicaRegion })),
                        ),
                },
                { parent: this },
            );
            new s3.BucketReplicationConfig(
                name,
                {
                    bucket: main.bucket.id,
                    role: role.arn,
                    rules: [
                        {
                            id: "to-second-region",
                            status: "Enabled",
                            filter: {},
                            deleteMarkerReplication: { status: "Enabled" },
                            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                            destination: {
                                bucket: replica.bucket.arn,
                                storageClass: "STANDARD_IA",
                                encryptionConfiguration: { replicaKmsKeyId: this.replicaKey.arn },
                            },
                        },
                    ],
                },
                // Both buckets must be versioned before replication is configured.
                { parent: this, dependsOn: [main.versioning, replica.versioning] },
            );
        }

        this.bucketName = main.bucket.bucket;
        this.bucketArn = main.bucket.arn;
        this.keyArn = this.key.arn;
        this.registerOutputs({ bucketName: this.bucketName, keyArn: this.keyArn, replicaBucket: this.replicaBucket?.bucket });
    }
}

/** Least privilege for S3 replication: read versions at the source, replicate into the destination. */
export function replicationPolicy(p: {
    source: string;
    destination: string;
    sourceKey: string;
    destinationKey: string;
    region: string;
    replicaRegion: string;
}) {
    return policyDocument([
        { Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: p.source },
        {
            Effect: "Allow",
            Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
            Resource: `${p.source}/*`,
        },
        { Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: `${p.destination}/*` },
        {
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: p.sourceKey,
            Condition: { StringEquals: { "kms:ViaService": `s3.${p.region}.amazonaws.com` } },
        },
        {
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:GenerateDataKey"],
            Resource: p.destinationKey,
            Condition: { StringEquals: { "kms:ViaService": `s3.${p.replicaRegion}.amazonaws.com` } },
        },
    ]);
}

/**
 * What the backup selection picks: EBS volumes AND tagged with this cluster. AWS Backup ORs `resources`
 * with `selectionTags` (a volume/* pattern beside a tag would take every volume of the account) but ANDs
 * `resources` with `conditions`; without the volume pattern the condition alone would also pick the
 * instances (tagged with the cluster too), backing their volumes up twice as AMIs.
 */
export function volumeSelection(partition: string, clusterName: string): Pick<backup.SelectionArgs, "resources" | "conditions"> {
    return {
        resources: [`arn:${partition}:ec2:*:*:volume/*`],
        conditions: [{ stringEquals: [{ key: `aws:ResourceTag/${CLUSTER_TAG_KEY}`, value: clusterName }] }],
    };
}

export interface VolumeBackupPlanArgs {
    /** Volumes tagged with this cluster name (`wso2-hardening:cluster`) are backed up. */
    clusterName: string;
    /** Customer key of the vault. */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * Days a recovery point is kept.
     * @default 90
     */
    retentionDays?: number;
    /**
     * Region recovery points are copied to; needs `replicaKmsKeyArn`.
     * @default undefined (no copy)
     */
    replicaRegion?: string;
    /**
     * Customer key of the copy vault in `replicaRegion`.
     * @default undefined
     */
    replicaKmsKeyArn?: pulumi.Input<string>;
    /**
     * Protect the vaults from `pulumi destroy` outside prod too.
     * @default false
     */
    deletionProtection?: boolean;
    /**
     * Environment; prod protects the vaults.
     * @default "prod"
     */
    environment?: Environment;
    /**
     * Tags of every resource.
     * @default {}
     */
    tags?: Record<string, string>;
}

/** Daily AWS Backup of the nodes' EBS volumes, kept `retentionDays`, copied to the replica region. */
export class VolumeBackupPlan extends pulumi.ComponentResource {
    readonly vault: backup.Vault;
    readonly plan: backup.Plan;
    readonly copyVault?: backup.Vault;

    constructor(name: string, args: VolumeBackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.replicaRegion && !args.replicaKmsKeyArn) {
            throw new ArgsError(`VolumeBackupPlan ${name}`, [{ arg: "replicaKmsKeyArn", value: undefined, problem: "is required when replicaRegion is set" }]);
        }
        super("wso2-hardening:aws:VolumeBackupPlan", name, {}, opts);
        const tags = args.tags ?? {};
        const environment = args.environment ?? "prod";
        const partition = providerRegion(this).apply(partitionOf);
        const protect = (args.deletionProtection ?? false) || environment === "prod";
        const lifecycle = { deleteAfter: args.retentionDays ?? 90 };

        this.vault = new backup.Vault(name, { kmsKeyArn: args.kmsKeyArn, tags }, { parent: this, protect });
        if (args.replicaRegion) {
            this.copyVault = new backup.Vault(
                `${name}-copy`,
                { kmsKeyArn: args.replicaKmsKeyArn, region: args.replicaRegion, tags },
                { parent: this, protect },
            );
        }
        this.plan = new backup.Plan(
            name,
            {
                rules: [
                    {
                        ruleName: "daily-volumes",
                        targetVaultName: this.vault.name,
                        schedule: "cron(0 3 * * ? *)",
                        startWindow: 60,
                        completionWindow: 360,
                        lifecycle,
                        copyActions: this.copyVault ? [{ destinationVaultArn: this.copyVault.arn, lifecycle }] : undefined,
                    },
                ],
                tags,
            },
            { parent: this },
        );
        const role = new iam.Role(`${name}-backup`, { assumeRolePolicy: JSON.stringify(assumeRolePolicy("backup.amazonaws.com")), tags }, { parent: this });
        for (const policy of ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]) {
            new iam.RolePolicyAttachment(
                `${name}-${policy}`,
                { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/${policy}` },
                { parent: this },
            );
        }
        new backup.Selection(
            name,
            {
                planId: this.plan.id,
                iamRoleArn: role.arn,
                resources: partition.apply((p) => volumeSelection(p, args.clusterName).resources as string[]),
                conditions: volumeSelection("aws", args.clusterName).conditions,
            },
            { parent: this },
        );
        this.registerOutputs({ vaultName: this.vault.name, planId: this.plan.id });
    }
}
