/**
 * The network of a deployment: a created VPC (private subnets for the nodes and public ones for the load
 * balancer in two or more zones, NAT egress, an S3 gateway endpoint, flow logs, the default security
 * group emptied), or the subnets of an existing VPC looked up.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import type { Settings } from "../../config/settings";
import { accountId, assumeRolePolicy, awsRegion, clusterTags, customerKey, ENVIRONMENT_TAG_KEY, keyPolicy, partitionOf, policyDocument, logsKeyStatement } from "./common";
import { planSubnets } from "./subnets";

/** What the cluster and the edge need from a network. */
export interface NetworkRef {
    vpcId: pulumi.Output<string>;
    vpcCidr: pulumi.Output<string>;
    privateSubnetIds: pulumi.Output<string[]>;
    publicSubnetIds: pulumi.Output<string[]>;
    /** CIDRs of the public subnets: the addresses the load balancer connects to the nodes from. */
    publicSubnetCidrs: pulumi.Output<string[]>;
    /** The regional S3 prefix list, for the nodes' backup egress rule. */
    s3PrefixListId: pulumi.Output<string>;
}

export interface Wso2NetworkArgs {
    /** Uses `vpcId`, `privateSubnetIds`, `publicSubnetIds` (existing VPC) or `vpcCidr`, `availabilityZoneCount`,
     * `environment` (one NAT gateway per zone in prod, one elsewhere), `logRetentionDays` and
     * `deletionProtection` (`protect` on the flow-log key) for a created VPC. */
    settings: Pick<
        Settings,
        | "vpcId"
        | "privateSubnetIds"
        | "publicSubnetIds"
        | "vpcCidr"
        | "availabilityZoneCount"
        | "environment"
        | "logRetentionDays"
        | "deletionProtection"
    >;
    /** @default the `aws:region` configuration */
    region?: string;
}

export class Wso2Network extends pulumi.ComponentResource implements NetworkRef {
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetCidrs: pulumi.Output<string[]>;
    readonly s3PrefixListId: pulumi.Output<string>;
    /** Flow-log group of a created VPC; undefined for an existing VPC. */
    readonly flowLogGroupName?: pulumi.Output<string>;

    constructor(name: string, args: Wso2NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wso2-hardening:aws:Wso2Network", name, {}, opts);
        const { settings } = args;
        const region = args.region ?? awsRegion();
        const parent = { parent: this };
        this.s3PrefixListId = ec2.getPrefixListOutput({ name: `com.amazonaws.${region}.s3` }, parent).apply((p) => p.id);

        if (settings.vpcId) {
            const vpc = ec2.getVpcOutput({ id: settings.vpcId }, parent);
            this.vpcId = pulumi.output(settings.vpcId);
            this.vpcCidr = vpc.cidrBlock;
            const privateSubnets = settings.privateSubnetIds.map((id) => ec2.getSubnetOutput({ id }, parent));
            const zones = pulumi.all(privateSubnets.map((s) => s.availabilityZone));
            // Failover needs the nodes in two zones (NET-FAILOVER); the config can only check the count.
            this.privateSubnetIds = zones.apply((azs) => {
                if (new Set(azs).size < 2) {
                    throw new Error(
                        `wso2-hardening:privateSubnetIds: the subnets ${settings.privateSubnetIds.join(", ")} are all in ${azs[0]}; use subnets in two or more zones`,
                    );
                }
                return settings.privateSubnetIds;
            });
            this.publicSubnetIds = pulumi.output(settings.publicSubnetIds);
            this.publicSubnetCidrs = pulumi.all(settings.publicSubnetIds.map((id) => ec2.getSubnetOutput({ id }, parent).cidrBlock));
            this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
            return;
        }

        const zoneCount = settings.availabilityZoneCount;
        const tags = (resourceName: string) => clusterTags(name, { [ENVIRONMENT_TAG_KEY]: settings.environment, Name: resourceName });
        const plan = planSubnets(settings.vpcCidr, zoneCount);
        const zones = getAvailabilityZonesOutput(
            { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
            parent,
        ).apply((z) => {
            if (z.names.length < zoneCount) {
                throw new Error(`wso2-hardening:availabilityZoneCount = ${zoneCount}: region ${region} has only ${z.names.length} zones`);
            }
            return z.names.slice(0, zoneCount);
        });

        const vpc = new ec2.Vpc(`${name}-vpc`, { cidrBlock: settings.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tags(name) }, parent);
        // The default group allows everything between its members; empty it so nothing relies on it.
        new ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: tags(`${name}-default-unused`) }, parent);
        const igw = new ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags(name) }, parent);

        const publicTable = new ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: tags(`${name}-public`) }, parent);
        new ec2.Route(`${name}-public-default`, { routeTableId: publicTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, parent);

        const publicSubnets: ec2.Subnet[] = [];
        const privateSubnets: ec2.Subnet[] = [];
        const privateTables: ec2.RouteTable[] = [];
        const natGateways: ec2.NatGateway[] = [];
        // A NAT gateway per zone keeps a zone's egress up when another zone fails; dev and staging share one.
        const natCount = settings.environment === "prod" ? zoneCount : 1;
        for (let i = 0; i < zoneCount; i++) {
            const az = zones.apply((z) => z[i]);
            const pub = new ec2.Subnet(
                `${name}-public-${i}`,
                { vpcId: vpc.id, cidrBlock: plan.public[i], availabilityZone: az, mapPublicIpOnLaunch: false, tags: tags(`${name}-public-${i}`) },
                parent,
            );
            new ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: pub.id, routeTableId: publicTable.id }, parent);
            publicSubnets.push(pub);
            if (i < natCount) {
                const eip = new ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tags(`${name}-nat-${i}`) }, parent);
                natGateways.push(
                    new ec2.NatGateway(`${name}-nat-${i}`, { allocationId: eip.id, subnetId: pub.id, tags: tags(`${name}-nat-${i}`) }, { parent: this, dependsOn: [igw] }),
                );
            }
            const priv = new ec2.Subnet(
                `${name}-private-${i}`,
                { vpcId: vpc.id, cidrBlock: plan.private[i], availabilityZone: az, mapPublicIpOnLaunch: false, tags: tags(`${name}-private-${i}`) },
                parent,
            );
            const table = new ec2.RouteTable(`${name}-private-${i}`, { vpcId: vpc.id, tags: tags(`${name}-private-${i}`) }, parent);
            new ec2.Route(
                `${name}-private-${i}-default`,
                { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: natGateways[Math.min(i, natCount - 1)].id },
                parent,
            );
            new ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: priv.id, routeTableId: table.id }, parent);
            privateSubnets.push(priv);
            privateTables.push(table);
        }
        // Backups reach S3 without leaving the AWS network.
        new ec2.VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: vpc.id,
                serviceName: `com.amazonaws.${region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: privateTables.map((t) => t.id),
                tags: tags(`${name}-s3`),
            },
            parent,
        );

        // Flow logs (NET-LOGGING), encrypted with a key CloudWatch Logs may use for this account only.
        const partition = partitionOf(region);
        const account = accountId(parent);
        const logsKey = customerKey(
            `${name}-flow-logs`,
            {
                description: `${name}: VPC flow logs`,
                policy: account.apply((acct) =>
                    JSON.stringify(
                        keyPolicy(partition, acct, [
                            logsKeyStatement(partition, region, acct),
                        ]),
                    ),
                ),
                tags: tags(`${name}-flow-logs`),
            },
            // The key must outlive the logs it encrypts.
            { parent: this, protect: settings.deletionProtection || settings.environment === "prod" },
        );
        const flowLogGroup = new cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: `/wso2/${name}/vpc-flow-logs`, retentionInDays: settings.logRetentionDays, kmsKeyId: logsKey.arn, tags: tags(`${name}-flow-logs`) },
            parent,
        );
        const flowLogRole = new iam.Role(
            `${name}-flow-logs`,
            { assumeRolePolicy: account.apply((acct) => JSON.stringify(assumeRolePolicy("vpc-flow-logs.amazonaws.com", acct))), tags: tags(`${name}-flow-logs`) },
            parent,
        );
        new iam.RolePolicy(
            `${name}-flow-logs`,
            {
                role: flowLogRole.id,
                policy: flowLogGroup.arn.apply((arn) =>
                    JSON.stringify(
                        policyDocument([
                            {
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                Resource: [arn, `${arn}:*`],
                            },
                        ]),
                    ),
                ),
            },
            parent,
        );
        new ec2.FlowLog(
            `${name}-flow-logs`,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: flowLogGroup.arn,
                iamRoleArn: flowLogRole.arn,
                maxAggregationInterval: 60,
                tags: tags(`${name}-flow-logs`),
            },
            parent,
        );

        this.vpcId = vpc.id;
        this.vpcCidr = vpc.cidrBlock;
        this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));
        this.publicSubnetIds = pulumi.all(publicSubnets.map((s) => s.id));
        this.publicSubnetCidrs = pulumi.output(plan.public);
        this.flowLogGroupName = flowLogGroup.name;
        this.registerOutputs({
            vpcId: this.vpcId,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            flowLogGroupName: this.flowLogGroupName,
        });
    }
}
