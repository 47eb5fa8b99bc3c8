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
import { LOG_RETENTION_DAYS, type Environment } from "../../config/settings";
import { ArgChecker, ArgsError, physicalNameProblem, vpcCidrProblem } from "../../config/validate";
import { accountId, assumeRolePolicy, clusterTags, customerKey, ENVIRONMENT_TAG_KEY, ENVIRONMENTS, keyPolicy, partitionOf, policyDocument, logsKeyStatement, providerRegion } from "./common";
import { planSubnets } from "./subnets";
import { nameLimitProblems } from "./names";

/** What the cluster needs from a network: a `Wso2Network`, or the same shape from your own VPC. */
export interface NetworkRef {
    /** The VPC the cluster's security groups and target groups belong to. */
    vpcId: pulumi.Input<string>;
    /** The VPC's IPv4 block: the nodes reach interface endpoints and services in the VPC on 443. */
    vpcCidr: pulumi.Input<string>;
    /** Subnets of the nodes, in two or more zones (NET-FAILOVER). */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Subnets of the load balancer. */
    publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** CIDRs of the public subnets: the addresses the load balancer connects to the nodes from (host firewall `lb_sources`). */
    publicSubnetCidrs: pulumi.Input<pulumi.Input<string>[]>;
}

/** An existing VPC to deploy into; its CIDR, the subnets' zones and CIDRs are looked up. */
export interface ExistingVpcArgs {
    /** The VPC to deploy into. */
    vpcId: pulumi.Input<string>;
    /** Subnets of the nodes: two or more, in two or more zones. */
    privateSubnetIds: pulumi.Input<string>[];
    /** Subnets of the load balancer: two or more, in different zones. */
    publicSubnetIds: pulumi.Input<string>[];
}

export interface Wso2NetworkArgs {
    /**
     * Deploy into this existing VPC instead of creating one; the other arguments then do not apply.
     * @default undefined (a VPC is created)
     */
    existingVpc?: ExistingVpcArgs;
    /**
     * IPv4 block of the created VPC, /16 to /24; split into eight subnets (private first, public from the fifth).
     * @default "10.40.0.0/16"
     */
    cidrBlock?: string;
    /**
     * Zones of the created VPC (a private and a public subnet in each).
     * @default 2
     */
    availabilityZoneCount?: number;
    /**
     * Environment tag of every resource; in prod each zone gets its own NAT gateway and the flow-log key is protected.
     * @default "prod"
     */
    environment?: Environment;
    /**
     * Days the VPC flow logs are kept (a CloudWatch Logs retention period).
     * @default 365
     */
    flowLogRetentionDays?: number;
    /**
     * Protect the flow-log key from `pulumi destroy` outside prod too.
     * @default false
     */
    deletionProtection?: boolean;
}

/** Checks the arguments of `Wso2Network` and fills in the defaults. */
export function resolveNetworkArgs(name: string, args: Wso2NetworkArgs): Required<Omit<Wso2NetworkArgs, "existingVpc">> & Pick<Wso2NetworkArgs, "existingVpc"> {
    const check = new ArgChecker(`Wso2Network ${name}`);
    const resolved = {
        existingVpc: args.existingVpc,
        cidrBlock: args.cidrBlock ?? "10.40.0.0/16",
        availabilityZoneCount: args.availabilityZoneCount ?? 2,
        environment: args.environment ?? "prod",
        flowLogRetentionDays: args.flowLogRetentionDays ?? 365,
        deletionProtection: args.deletionProtection ?? false,
    };
    const nameProblem = physicalNameProblem(name);
    if (nameProblem) check.bad("name", name, nameProblem);
    for (const problem of nameLimitProblems([{ type: "aws:iam/role:Role", logicalName: `${name}-flow-logs` }])) check.bad("name", name, problem);
    if (resolved.existingVpc) {
        for (const key of ["privateSubnetIds", "publicSubnetIds"] as const) {
            const ids = resolved.existingVpc[key];
            if (ids.length < 2) check.bad(`existingVpc.${key}`, ids, "must list two or more subnets in different zones");
            for (const id of ids) {
                if (typeof id === "string" && !/^subnet-[0-9a-f]{8,17}$/.test(id)) check.bad(`existingVpc.${key}`, id, "is not a subnet id such as subnet-0123456789abcdef0");
            }
        }
    } else {
        const cidrProblem = vpcCidrProblem(resolved.cidrBlock);
        if (cidrProblem) check.bad("cidrBlock", resolved.cidrBlock, cidrProblem);
        if (![2, 3].includes(resolved.availabilityZoneCount)) check.bad("availabilityZoneCount", resolved.availabilityZoneCount, "must be 2 or 3");
    }
    if (!ENVIRONMENTS.includes(resolved.environment)) check.bad("environment", resolved.environment, `must be one of ${ENVIRONMENTS.join(", ")}`);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(resolved.flowLogRetentionDays)) {
        check.bad("flowLogRetentionDays", resolved.flowLogRetentionDays, `must be a CloudWatch Logs retention period: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    check.done();
    return resolved;
}

export class Wso2Network extends pulumi.ComponentResource implements NetworkRef {
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetCidrs: pulumi.Output<string[]>;
    /** Flow-log group of a created VPC; undefined for an existing VPC. */
    readonly flowLogGroupName?: pulumi.Output<string>;

    constructor(name: string, args: Wso2NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveNetworkArgs(name, args);
        super("wso2-hardening:aws:Wso2Network", name, {}, opts);
        const region = providerRegion(this);
        const parent = { parent: this };

        const existing = settings.existingVpc;
        if (existing) {
            const vpc = ec2.getVpcOutput({ id: existing.vpcId }, parent);
            this.vpcId = pulumi.output(existing.vpcId);
            this.vpcCidr = vpc.cidrBlock;
            const privateSubnets = existing.privateSubnetIds.map((id) => ec2.getSubnetOutput({ id }, parent));
            const zones = pulumi.all(privateSubnets.map((s) => s.availabilityZone));
            // Failover needs the nodes in two zones (NET-FAILOVER); the arguments can only check the count.
            this.privateSubnetIds = pulumi.all([zones, pulumi.all(existing.privateSubnetIds)]).apply(([azs, ids]) => {
                if (new Set(azs).size < 2) {
                    throw new ArgsError(`Wso2Network ${name}`, [
                        { arg: "existingVpc.privateSubnetIds", value: ids, problem: `the subnets are all in ${azs[0]}; use subnets in two or more zones` },
                    ]);
                }
                return ids;
            });
            this.publicSubnetIds = pulumi.all(existing.publicSubnetIds);
            this.publicSubnetCidrs = pulumi.all(existing.publicSubnetIds.map((id) => ec2.getSubnetOutput({ id }, parent).cidrBlock));
            this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
            return;
        }

        const zoneCount = settings.availabilityZoneCount;
        const tags = (resourceName: string) => clusterTags(name, { [ENVIRONMENT_TAG_KEY]: settings.environment, Name: resourceName });
        const plan = planSubnets(settings.cidrBlock, zoneCount);
        const available = getAvailabilityZonesOutput(
            { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
            parent,
        );
        const zones = pulumi.all([available.names, region]).apply(([names, r]) => {
            if (names.length < zoneCount) {
                throw new ArgsError(`Wso2Network ${name}`, [
                    { arg: "availabilityZoneCount", value: zoneCount, problem: `region ${r} has only ${names.length} zones` },
                ]);
            }
            return names.slice(0, zoneCount);
        });

        const vpc = new ec2.Vpc(`${name}-vpc`, { cidrBlock: settings.cidrBlock, enableDnsSupport: true, enableDnsHostnames: true, tags: tags(name) }, parent);
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
                serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: privateTables.map((t) => t.id),
                tags: tags(`${name}-s3`),
            },
            parent,
        );

        // Flow logs (NET-LOGGING), encrypted with a key CloudWatch Logs may use for this account only.
        const account = accountId(parent);
        const logsKey = customerKey(
            `${name}-flow-logs`,
            {
                description: `${name}: VPC flow logs`,
                policy: pulumi.all([account, region]).apply(([acct, r]) =>
                    JSON.stringify(keyPolicy(partitionOf(r), acct, [logsKeyStatement(partitionOf(r), r, acct)])),
                ),
                tags: tags(`${name}-flow-logs`),
            },
            // The key must outlive the logs it encrypts.
            { parent: this, protect: settings.deletionProtection || settings.environment === "prod" },
        );
        const flowLogGroup = new cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: `/wso2/${name}/vpc-flow-logs`, retentionInDays: settings.flowLogRetentionDays, kmsKeyId: logsKey.arn, tags: tags(`${name}-flow-logs`) },
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
