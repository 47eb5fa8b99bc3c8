/**
 * The WSO2 nodes: a launch template (IMDSv2 only, hop limit 1, encrypted gp3 with a customer key, no
 * public IP, detailed monitoring, user data from the host renderers) and an auto-scaling group over the
 * private subnets with load-balancer health checks (NET-FAILOVER, PROD-HEALTH-CHECK), with a least
 * privilege instance role and a CloudWatch log group.
 */
import * as zlib from "zlib";
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as autoscaling from "@pulumi/aws/autoscaling";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as s3 from "@pulumi/aws/s3";
import type { Settings } from "../../config/settings";
import type { ProductSpec } from "../../products";
import { recordArtifacts } from "../artifacts";
import { keystoreKeyPrefix, nodeStepsBundle, renderNodeBoot, stepsKey, stepsKeyPrefix } from "../host";
import type { NodeDatabase, NodeHostInput } from "../host/types";
import {
    CLUSTER_TAG_KEY,
    ENVIRONMENT_TAG_KEY,
    PolicyDocument,
    accountId,
    assumeRolePolicy,
    clusterTags,
    customerKey,
    keyPolicy,
    partitionOf,
    policyDocument,
    logsKeyStatement,
    providerRegion,
} from "./common";
import { instanceArchitecture, instanceMemoryMiB } from "./instance-types";
import { BACKUPS_KEY_PREFIX } from "./backup";

/** Owner of the official Debian AMIs (https://wiki.debian.org/Cloud/AmazonEC2Image). */
export const DEBIAN_AMI_OWNER = "136693071363";
/** Root device name of the Debian AMIs. */
const ROOT_DEVICE = "/dev/xvda";
const ROOT_VOLUME_GIB = 40;
/** WSO2 needs a few minutes to start; load-balancer health counts only after this grace period. */
const HEALTH_CHECK_GRACE_SECONDS = 600;
/** EC2 refuses user data above 16 KiB (before base64). */
const USER_DATA_LIMIT = 16384;

/**
 * Base64 user data for a launch template: the cloud-config as is when it fits, gzip-compressed (which
 * cloud-init detects) when it does not; an error when even that is too large.
 */
export function encodeUserData(cloudConfig: string): string {
    const plain = Buffer.from(cloudConfig, "utf8");
    if (plain.length <= USER_DATA_LIMIT) return plain.toString("base64");
    const packed = zlib.gzipSync(plain, { level: 9 });
    if (packed.length > USER_DATA_LIMIT) {
        throw new Error(`user data is ${packed.length} bytes gzip-compressed; EC2 accepts at most ${USER_DATA_LIMIT}`);
    }
    return packed.toString("base64");
}

export interface NodeRolePolicyInput {
    region: string;
    /** Secrets the nodes read at boot: admin credentials and keystore password. */
    secretArns: string[];
    secretsKeyArn: string;
    backupBucketArn: string;
    /** This cluster's backups prefix: its nodes' backups under `<prefix>/<node id>/`. */
    backupPrefix: string;
    /** Prefix of this cluster's shared keystore (outside the backups' prefix, which expires). */
    keystorePrefix: string;
    /** Prefix of this cluster's steps bundles in the backup bucket (read-only for the nodes). */
    stepsPrefix: string;
    backupKeyArn: string;
    logGroupArn: string;
    /** ARN of the product distribution object the install step downloads. @default none (the image holds the product) */
    distributionObjectArn?: string;
    /** The database's master and runtime secrets and their keys, when the product uses a shared database. */
    databaseSecretArns?: string[];
    databaseKeyArns?: string[];
}

/** ARN of the object an `s3://bucket/key` URI names. */
export function s3ObjectArn(partition: string, s3Uri: string): string {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(s3Uri);
    if (!m) throw new Error(`distributionS3Uri: ${JSON.stringify(s3Uri)} is not an s3://bucket/key URI`);
    return `arn:${partition}:s3:::${m[1]}/${m[2]}`;
}

/**
 * The nodes' own permissions beyond SSM core, one statement per step that needs it:
 * - keystore and secrets steps: read this cluster's two secrets (decrypting only through Secrets Manager);
 * - keystore, backup and restore steps: list, get and put under this cluster's prefix of the backup bucket
 *   (the shared keystore, and every node's backups: restoring onto a replacement node reads the backups of
 *   the node it replaces), never delete; other clusters' prefixes stay unreadable;
 * - install step: get the one distribution object;
 * - peer refresh: ec2:DescribeInstances, which EC2 cannot scope to resources ("*" is the only resource
 *   Describe actions accept); the filter by cluster tag is the script's, not IAM's;
 * - the CloudWatch agent: ship logs to this cluster's log group.
 */
export function nodeRolePolicy(p: NodeRolePolicyInput): PolicyDocument {
    const clusterObjects = [`${p.backupBucketArn}/${p.backupPrefix}/*`, `${p.backupBucketArn}/${p.keystorePrefix}/*`];
    return policyDocument([
        { Sid: "ReadThisClustersSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: p.secretArns },
        {
            Sid: "DecryptSecretsThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: p.secretsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${p.region}.amazonaws.com` } },
        },
        {
            Sid: "ListOwnClustersPrefix",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: p.backupBucketArn,
            Condition: { StringLike: { "s3:prefix": [`${p.backupPrefix}/*`, `${p.keystorePrefix}/*`] } },
        },
        { Sid: "ReadOwnClustersKeystoreAndBackups", Effect: "Allow", Action: "s3:GetObject", Resource: clusterObjects },
        // The fetch step reads the cluster's steps bundle; nodes never write there (the bundle's SHA-256 is in
        // the user data as well, so even a writer could not change what a node runs).
        { Sid: "ReadOwnClustersSteps", Effect: "Allow", Action: "s3:GetObject", Resource: `${p.backupBucketArn}/${p.stepsPrefix}/*` },
        { Sid: "PutBackupsAndKeystoreUnderOwnClustersPrefix", Effect: "Allow", Action: "s3:PutObject", Resource: clusterObjects },
        {
            // Multipart uploads need Decrypt as well as GenerateDataKey.
            Sid: "EncryptBackupsThroughS3",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: p.backupKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${p.region}.amazonaws.com` } },
        },
        {
            Sid: "ShipLogsToOwnLogGroup",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [p.logGroupArn, `${p.logGroupArn}:*`],
        },
        {
            Sid: "AgentMetrics",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": "CWAgent" } },
        },
        ...(p.databaseSecretArns?.length
            ? [
                  // First boot bootstraps the schema as the master; the product connects as the runtime user.
                  { Sid: "ReadTheDatabaseSecrets", Effect: "Allow" as const, Action: "secretsmanager:GetSecretValue", Resource: p.databaseSecretArns },
                  {
                      Sid: "DecryptDatabaseSecretsThroughSecretsManager",
                      Effect: "Allow" as const,
                      Action: "kms:Decrypt",
                      Resource: p.databaseKeyArns ?? [],
                      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${p.region}.amazonaws.com` } },
                  },
              ]
            : []),
        ...(p.distributionObjectArn ? [{ Sid: "ReadTheProductDistribution", Effect: "Allow" as const, Action: "s3:GetObject", Resource: p.distributionObjectArn }] : []),
        // EC2 Describe actions accept no resource but "*".
        { Sid: "FindClusterPeers", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
    ]);
}

/** What the nodes take from the cluster's arguments (see `Wso2ClusterArgs`, whose defaults are filled in). */
export type NodeSettings = Pick<
    Settings,
    | "environment"
    | "productVersion"
    | "nodeCount"
    | "instanceType"
    | "instanceMemoryMiB"
    | "amiId"
    | "distribution"
    | "productAmiId"
    | "wso2Uid"
    | "domainName"
    | "sshSourceCidrs"
    | "sshPort"
    | "backupSchedule"
    | "clusterPeersRefresh"
    | "updateWindow"
    | "proxyHost"
    | "proxyPort"
    | "logRetentionDays"
    | "deletionProtection"
>;

export interface NodeGroupArgs {
    settings: NodeSettings;
    product: ProductSpec;
    /** Private subnets in two or more zones. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupId: pulumi.Input<string>;
    targetGroupArns: pulumi.Input<string>[];
    /** CIDRs the load balancer connects from (filling the host firewall's `lb_sources`). */
    lbSourceCidrs: pulumi.Input<pulumi.Input<string>[]>;
    adminSecretArn: pulumi.Input<string>;
    keystoreSecretArn: pulumi.Input<string>;
    secretsKeyArn: pulumi.Input<string>;
    backupBucketName: pulumi.Input<string>;
    backupBucketArn: pulumi.Input<string>;
    backupKeyArn: pulumi.Input<string>;
    /** The shared database the nodes bootstrap and connect to. @default none (the product's embedded H2) */
    database?: { [K in keyof NodeDatabase]: pulumi.Input<NodeDatabase[K]> };
    /** Secrets of the shared database (master for the first-boot bootstrap, runtime user) and their keys. @default none */
    databaseSecretArns?: pulumi.Input<string>[];
    databaseKeyArns?: pulumi.Input<string>[];
    tags: Record<string, string>;
}

export class NodeGroup extends pulumi.ComponentResource {
    readonly key: kms.Key;
    readonly role: iam.Role;
    readonly logGroup: cloudwatch.LogGroup;
    readonly launchTemplate: ec2.LaunchTemplate;
    readonly autoScalingGroup: autoscaling.Group;
    readonly autoScalingGroupName: pulumi.Output<string>;
    /** Prefix of the backup bucket this group writes under. */
    readonly backupPrefix: string;

    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wso2-hardening:aws:NodeGroup", name, {}, opts);
        const { settings, product, tags } = args;
        const memoryMiB = instanceMemoryMiB(settings);
        const region = providerRegion(this);
        const partition = region.apply(partitionOf);
        const parent = { parent: this };
        const protect = settings.deletionProtection || settings.environment === "prod";
        const account = accountId(parent);
        this.backupPrefix = `${BACKUPS_KEY_PREFIX}${name}`;

        // Volumes and logs key: auto scaling launches encrypted volumes as its service-linked role, and
        // CloudWatch Logs encrypts this account's log groups; neither acts through this account's IAM.
        // The service-linked role is named by condition, not as principal: a principal must already exist
        // when the key is created, and the role appears only with the account's first auto-scaling group.
        this.key = customerKey(
            `${name}-data`,
            {
                description: `${name}: node volumes and logs`,
                policy: pulumi.all([account, region]).apply(([acct, region]) => {
                    const partition = partitionOf(region);
                    const onlyAutoScaling = {
                        StringEquals: {
                            "aws:PrincipalArn": `arn:${partition}:iam::${acct}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
                            "kms:CallerAccount": acct,
                        },
                    };
                    return JSON.stringify(
                        keyPolicy(partition, acct, [
                            {
                                Sid: "AutoScalingUsesTheKeyForVolumes",
                                Effect: "Allow",
                                Principal: { AWS: "*" },
                                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                                Resource: "*",
                                Condition: onlyAutoScaling,
                            },
                            {
                                Sid: "AutoScalingGrantsVolumeAttachment",
                                Effect: "Allow",
                                Principal: { AWS: "*" },
                                Action: "kms:CreateGrant",
                                Resource: "*",
                                Condition: { ...onlyAutoScaling, Bool: { "kms:GrantIsForAWSResource": true } },
                            },
                            logsKeyStatement(partition, region, acct),
                        ]),
                    );
                }),
                tags,
            },
            { parent: this, protect },
        );

        this.logGroup = new cloudwatch.LogGroup(
            `${name}-logs`,
            { name: `/wso2/${name}/nodes`, retentionInDays: settings.logRetentionDays, kmsKeyId: this.key.arn, tags },
            parent,
        );

        this.role = new iam.Role(
            `${name}-node`,
            { description: `${name}: WSO2 nodes`, assumeRolePolicy: JSON.stringify(assumeRolePolicy("ec2.amazonaws.com")), tags },
            parent,
        );
        new iam.RolePolicyAttachment(
            `${name}-node-ssm`,
            { role: this.role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` },
            parent,
        );
        new iam.RolePolicy(
            `${name}-node`,
            {
                role: this.role.id,
                policy: pulumi
                    .all([
                        args.adminSecretArn,
                        args.keystoreSecretArn,
                        args.secretsKeyArn,
                        args.backupBucketArn,
                        args.backupKeyArn,
                        this.logGroup.arn,
                        pulumi.all(args.databaseSecretArns ?? []),
                        pulumi.all([args.databaseKeyArns ?? [], region]),
                    ])
                    .apply(([adminSecretArn, keystoreSecretArn, secretsKeyArn, backupBucketArn, backupKeyArn, logGroupArn, databaseSecretArns, [databaseKeyArns, region]]) =>
                        JSON.stringify(
                            nodeRolePolicy({
                                region,
                                secretArns: [adminSecretArn, keystoreSecretArn],
                                secretsKeyArn,
                                backupBucketArn,
                                backupPrefix: this.backupPrefix,
                                stepsPrefix: stepsKeyPrefix(name),
                                keystorePrefix: keystoreKeyPrefix(name),
                                backupKeyArn,
                                logGroupArn,
                                distributionObjectArn: settings.distribution ? s3ObjectArn(partitionOf(region), settings.distribution.s3Uri) : undefined,
                                databaseSecretArns,
                                databaseKeyArns,
                            }),
                        ),
                    ),
            },
            parent,
        );
        const profile = new iam.InstanceProfile(`${name}-node`, { role: this.role.name, tags }, parent);

        // The steps after the fetch step, as one object named by its SHA-256 (the user data carries the same
        // checksum): EC2's 16 KiB of user data cannot hold them. The bucket's default encryption applies.
        const stepsBundle = nodeStepsBundle(product, args.database !== undefined);
        const stepsObject = new s3.BucketObjectv2(
            `${name}-steps`,
            {
                bucket: args.backupBucketName,
                key: stepsKey(name, stepsBundle.sha256),
                contentBase64: stepsBundle.content.toString("base64"),
                contentType: "application/gzip",
                tags,
            },
            parent,
        );

        const architecture = instanceArchitecture(settings.instanceType);
        const imageId =
            settings.productAmiId ??
            settings.amiId ??
            ec2
                .getAmiOutput(
                    {
                        mostRecent: true,
                        owners: [DEBIAN_AMI_OWNER],
                        filters: [
                            { name: "name", values: [`debian-12-${architecture === "arm64" ? "arm64" : "amd64"}-*`] },
                            { name: "architecture", values: [architecture] },
                            { name: "virtualization-type", values: ["hvm"] },
                        ],
                    },
                    parent,
                )
                .apply((ami) => ami.id);

        const userData = pulumi
            .all([
                args.lbSourceCidrs,
                args.adminSecretArn,
                args.keystoreSecretArn,
                args.backupBucketName,
                this.logGroup.name,
                region,
                args.database ? pulumi.all(args.database) : undefined,
            ])
            .apply(([lbSourceCidrs, adminSecretArn, keystoreSecretArn, backupBucket, logGroupName, region, database]) => {
                const input: NodeHostInput = {
                    clusterName: name,
                    environment: settings.environment,
                    product,
                    productVersion: settings.productVersion,
                    region,
                    wso2Uid: settings.wso2Uid,
                    instanceMemoryMiB: memoryMiB,
                    domainName: settings.domainName,
                    sshSourceCidrs: settings.sshSourceCidrs,
                    sshPort: settings.sshPort,
                    lbSourceCidrs,
                    clusterTag: { key: CLUSTER_TAG_KEY, value: name },
                    adminSecretArn,
                    keystoreSecretArn,
                    backupBucket,
                    backupPrefix: this.backupPrefix,
                    backupSchedule: settings.backupSchedule,
                    clusterPeersRefresh: settings.clusterPeersRefresh,
                    updateWindow: settings.updateWindow,
                    logGroupName,
                    proxy: settings.proxyHost ? { host: settings.proxyHost, port: settings.proxyPort } : undefined,
                    database: database as NodeDatabase | undefined,
                    distribution: settings.distribution,
                };
                const boot = renderNodeBoot(input);
                if (boot.stepsBundle.sha256 !== stepsBundle.sha256) throw new Error(`${name}: the uploaded steps bundle differs from the one the user data names`);
                recordArtifacts(name, boot.artifacts);
                return encodeUserData(boot.userData);
            });

        const instanceTags = clusterTags(name, { ...tags, [ENVIRONMENT_TAG_KEY]: settings.environment, Name: name });
        this.launchTemplate = new ec2.LaunchTemplate(
            `${name}-node`,
            {
                description: `${name}: ${product.name} ${settings.productVersion} node`,
                imageId,
                instanceType: settings.instanceType,
                iamInstanceProfile: { arn: profile.arn },
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
                monitoring: { enabled: true },
                ebsOptimized: "true",
                blockDeviceMappings: [
                    {
                        deviceName: ROOT_DEVICE,
                        ebs: { volumeType: "gp3", volumeSize: ROOT_VOLUME_GIB, encrypted: "true", kmsKeyId: this.key.arn, deleteOnTermination: "true" },
                    },
                ],
                networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false", securityGroups: [args.securityGroupId], deleteOnTermination: "true" }],
                userData,
                tagSpecifications: [
                    { resourceType: "instance", tags: instanceTags },
                    // The AWS Backup selection picks volumes by the cluster tag.
                    { resourceType: "volume", tags: instanceTags },
                ],
                updateDefaultVersion: true,
                tags,
            },
            parent,
        );

        this.autoScalingGroup = new autoscaling.Group(
            `${name}-nodes`,
            {
                vpcZoneIdentifiers: args.subnetIds,
                minSize: settings.nodeCount,
                desiredCapacity: settings.nodeCount,
                // One spare slot so a rolling refresh launches a new node before stopping an old one.
                maxSize: settings.nodeCount + 1,
                launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.apply(String) },
                targetGroupArns: args.targetGroupArns,
                healthCheckType: "ELB",
                healthCheckGracePeriod: HEALTH_CHECK_GRACE_SECONDS,
                defaultInstanceWarmup: HEALTH_CHECK_GRACE_SECONDS,
                waitForCapacityTimeout: "20m",
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 200, instanceWarmup: String(HEALTH_CHECK_GRACE_SECONDS) },
                },
                enabledMetrics: ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"],
                // Instances get their tags from the launch template; the group's own say what it is to the policy pack.
                tags: [
                    { key: CLUSTER_TAG_KEY, value: name, propagateAtLaunch: false },
                    { key: ENVIRONMENT_TAG_KEY, value: settings.environment, propagateAtLaunch: false },
                ],
            },
            // No node boots before its steps are in the bucket.
            { parent: this, dependsOn: [stepsObject] },
        );
        this.autoScalingGroupName = this.autoScalingGroup.name;
        this.registerOutputs({ autoScalingGroupName: this.autoScalingGroupName, logGroupName: this.logGroup.name });
    }
}
