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
import type { Settings } from "../../config/settings";
import type { ProductSpec } from "../../products";
import { AdminCredentials } from "./secrets";
import { BackupStore, VolumeBackupPlan } from "./backup";
import { awsRegion, clusterTags } from "./common";
import type { NetworkRef } from "./network";
import { NodeGroup } from "./nodes";
import type { DatabaseConnection } from "./database";
import { cidrArgs, edgeSecurityRules, nodeSecurityRules, ruleSuffix, SecurityGroupRole, SecurityRule, targetPorts } from "./security-rules";

export interface Wso2ClusterArgs {
    /** Validated stack settings. */
    settings: Settings;
    product: ProductSpec;
    /** Where the cluster runs: a `Wso2Network` or the same shape from elsewhere. */
    network: NetworkRef;
    /** @default the `aws:region` configuration */
    region?: string;
    /** The shared database the nodes bootstrap and connect to. @default none (the product's embedded H2) */
    database?: DatabaseConnection;
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
        super("wso2-hardening:aws:Wso2Cluster", name, {}, opts);
        const { settings, product, network } = args;
        const region = args.region ?? awsRegion();
        const parent = { parent: this };
        const tags = clusterTags(name, {
            "wso2-hardening:environment": settings.environment,
            "wso2-hardening:product": product.id,
            "wso2-hardening:color": settings.color ?? "main",
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
                            : { prefixListId: network.s3PrefixListId };
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
        // balancer); a color's group then only carries the way out to its own nodes.
        addRules("edge", edgeSecurityRules(settings, product).filter((r) => settings.role !== "cluster" || r.direction === "egress"));
        addRules("nodes", nodeSecurityRules(settings, product));

        this.targetGroupArns = {};
        const targetGroups: lb.TargetGroup[] = [];
        for (const port of targetPorts(settings, product)) {
            const group = new lb.TargetGroup(`${name}-${port}`, targetGroupArgs(product, port, network.vpcId, tags), parent);
            targetGroups.push(group);
            this.targetGroupArns[port] = group.arn;
        }

        this.credentials = new AdminCredentials(`${name}-credentials`, { settings, tags }, parent);
        this.backups = new BackupStore(`${name}-backups`, { settings, region, tags }, parent);
        this.volumeBackups = new VolumeBackupPlan(
            `${name}-volumes`,
            { clusterName: name, settings, kmsKeyArn: this.backups.keyArn, replicaKmsKeyArn: this.backups.replicaKey?.arn, region, tags },
            parent,
        );
        this.nodes = new NodeGroup(
            name,
            {
                settings,
                product,
                region,
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
