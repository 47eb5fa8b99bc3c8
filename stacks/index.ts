/**
 * The wso2-hardening program. Validates the whole configuration before registering anything, then
 * builds the stack its `role` and `platform` ask for:
 * - standalone (dev, staging, prod): a network, one cluster and the edge load balancer in front of it;
 * - cluster (prod-blue, prod-green): a network and one color's cluster, whose target groups and
 *   security groups an edge stack reads through StackReferences;
 * - edge (prod-edge): the load balancer alone, in the VPC its two cluster stacks share, forwarding to
 *   both colors with weights (`activeColor` gets `100 - canaryWeight`, the other color `canaryWeight`);
 * - platform kubernetes (k8s-prod): the Kubernetes deployment of components/kubernetes.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import { loadSettings } from "../config";
import { ConfigError, type Color, type ConfigProblem, type Settings } from "../config/settings";
import { productSpec, type ProductSpec } from "../products";
import { clusterTags } from "../components/aws/common";
import { checkAwsSettings, defaultNamePrefix } from "../components/aws/preflight";
import { Wso2Network, type NetworkRef, type Wso2NetworkArgs } from "../components/aws/network";
import { Wso2Cluster, type Wso2ClusterArgs } from "../components/aws/cluster";
import { Wso2Database } from "../components/aws/database";
import { databaseNames, productDatabases } from "../products/databases";
import { EdgeLoadBalancer, type EdgeLoadBalancerArgs, type EdgeTarget } from "../components/aws/edge";
import { cidrArgs, edgeSecurityRules, ruleSuffix } from "../components/aws/security-rules";
import { stackRegion } from "./region";

/** Prefix of physical names: `namePrefix`, else derived from the stack name (checked against AWS's limits). */
function clusterName(settings: Settings): string {
    return settings.namePrefix ?? defaultNamePrefix(pulumi.getStack());
}

/** The checks that need AWS knowledge, before anything is registered. */
function preflight(settings: Settings, product: ProductSpec): string {
    const name = clusterName(settings);
    checkAwsSettings(settings, stackRegion(), product, { prefix: name, stack: pulumi.getStack() });
    return name;
}

/** The network of a stack: its existing VPC (`vpcId` and subnets) or one created from `vpcCidr`. */
function networkArgs(settings: Settings): Wso2NetworkArgs {
    if (settings.vpcId) {
        return { existingVpc: { vpcId: settings.vpcId, privateSubnetIds: settings.privateSubnetIds, publicSubnetIds: settings.publicSubnetIds }, environment: settings.environment };
    }
    return {
        cidrBlock: settings.vpcCidr,
        availabilityZoneCount: settings.availabilityZoneCount,
        environment: settings.environment,
        flowLogRetentionDays: settings.logRetentionDays,
        deletionProtection: settings.deletionProtection,
    };
}

/** The cluster of a stack. A blue-green color admits no clients itself: the edge stack's own group does. */
function clusterArgs(settings: Settings, network: NetworkRef): Wso2ClusterArgs {
    const { product, productVersion, domainName, environment, nodeCount, instanceType, instanceMemoryMiB, amiId, publicPaths } = settings;
    return {
        product,
        productVersion,
        network,
        domainName,
        environment,
        color: settings.color ?? "main",
        nodeCount,
        instanceType,
        instanceMemoryMiB,
        amiId,
        distribution: settings.distribution,
        productAmiId: settings.productAmiId,
        clientCidrs: settings.role === "cluster" ? [] : settings.clientCidrs,
        publicPaths,
        sshSourceCidrs: settings.sshSourceCidrs,
        sshPort: settings.sshPort,
        egressCidrs: settings.egressCidrs,
        databaseCidrs: settings.databaseCidrs,
        databasePort: settings.databasePort,
        proxyHost: settings.proxyHost,
        proxyPort: settings.proxyPort,
        adminUsername: settings.adminUsername,
        wso2Uid: settings.wso2Uid,
        logRetentionDays: settings.logRetentionDays,
        backupRetentionDays: settings.backupRetentionDays,
        backupSchedule: settings.backupSchedule,
        clusterPeersRefresh: settings.clusterPeersRefresh,
        backupReplicaRegion: settings.backupReplicaRegion,
        updateWindow: settings.updateWindow,
        deletionProtection: settings.deletionProtection,
    };
}

/** The edge of a stack, forwarding to `targets`. */
function edgeArgs(
    settings: Settings,
    where: Pick<EdgeLoadBalancerArgs, "vpcId" | "publicSubnetIds" | "securityGroupIds" | "targets">,
): EdgeLoadBalancerArgs {
    return {
        ...where,
        product: settings.product,
        domainName: settings.domainName,
        environment: settings.environment,
        certificateArn: settings.certificateArn,
        route53ZoneId: settings.route53ZoneId,
        publicPaths: settings.publicPaths,
        logRetentionDays: settings.logRetentionDays,
        deletionProtection: settings.deletionProtection,
        stickinessSeconds: settings.stickinessSeconds,
    };
}

function awsStack(settings: Settings): Record<string, unknown> {
    const product = productSpec(settings.product);
    const name = preflight(settings, product);

    const network = new Wso2Network(name, networkArgs(settings));
    const database = sharedDatabase(name, settings, product, network);
    const cluster = new Wso2Cluster(name, { ...clusterArgs(settings, network), database: database?.connection });
    if (settings.databaseMode === "managed") database?.admit(name, cluster.nodeSecurityGroupId);
    const clusterOutputs = {
        clusterName: name,
        environment: settings.environment,
        product: product.id,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        publicSubnetIds: network.publicSubnetIds,
        edgeSecurityGroupId: cluster.edgeSecurityGroupId,
        nodeSecurityGroupId: cluster.nodeSecurityGroupId,
        targetGroupArns: cluster.targetGroupArns,
        autoScalingGroupName: cluster.autoScalingGroupName,
        adminSecretArn: cluster.adminSecretArn,
        backupBucketName: cluster.backupBucketName,
        logGroupName: cluster.logGroupName,
        ...(database ? { databaseHost: database.connection.host, databaseRuntimeSecretArn: database.connection.runtimeSecretArn } : {}),
    };
    if (settings.role === "cluster") return { ...clusterOutputs, color: settings.color };

    const edge = new EdgeLoadBalancer(
        name,
        edgeArgs(settings, {
            vpcId: network.vpcId,
            publicSubnetIds: network.publicSubnetIds,
            securityGroupIds: [cluster.edgeSecurityGroupId],
            targets: [{ color: "main", weight: 100, targetGroupArns: cluster.targetGroupArns }],
        }),
    );
    return {
        ...clusterOutputs,
        url: `https://${settings.domainName}/`,
        loadBalancerDnsName: edge.dnsName,
        loadBalancerArn: edge.arn,
        certificateValidationRecords: edge.certificateValidationRecords,
    };
}

/**
 * The database the product's nodes share (none for products that keep their state per node): RDS for
 * PostgreSQL in the private subnets, or the existing server the configuration names.
 */
function sharedDatabase(name: string, settings: Settings, product: ProductSpec, network: Wso2Network): Wso2Database | undefined {
    const databases = productDatabases(product.id, settings.nodeCount > 1);
    if (databases.length === 0) return undefined;
    const common = {
        environment: settings.environment,
        databases: databaseNames(databases, settings.databaseNames),
        port: settings.databasePort,
        protect: settings.deletionProtection || settings.environment === "prod",
        tags: clusterTags(name, { "wso2-hardening:environment": settings.environment, "wso2-hardening:product": product.id }),
    };
    if (settings.databaseMode === "existing") {
        return new Wso2Database(name, { ...common, mode: "existing", endpoint: settings.databaseEndpoint!, masterSecretArn: settings.databaseSecretArn! });
    }
    return new Wso2Database(name, {
        ...common,
        mode: "managed",
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        engineVersion: settings.databaseEngineVersion,
        instanceClass: settings.databaseInstanceClass,
        allocatedStorageGiB: settings.databaseStorageGiB || undefined,
        backupRetentionDays: settings.databaseBackupRetentionDays,
        deletionProtection: settings.deletionProtection || settings.environment === "prod",
        replicaRegion: settings.environment === "prod" ? settings.backupReplicaRegion : undefined,
    });
}

/** Outputs of a cluster stack (the `role: cluster` branch above) that the edge reads. */
const CLUSTER_OUTPUTS = ["color", "environment", "product", "vpcId", "publicSubnetIds", "edgeSecurityGroupId", "targetGroupArns"] as const;

interface ClusterStack {
    color: Color;
    /** The config key naming the stack (`blueStack` or `greenStack`) and its value, for error messages. */
    key: "blueStack" | "greenStack";
    stack: string;
    outputs: Partial<Record<(typeof CLUSTER_OUTPUTS)[number], unknown>>;
}

/** Reads a cluster stack's outputs; the caller registers both references before awaiting either. */
async function readClusterStack(ref: pulumi.StackReference, color: Color, key: ClusterStack["key"], stack: string): Promise<ClusterStack> {
    const outputs: ClusterStack["outputs"] = {};
    for (const name of CLUSTER_OUTPUTS) {
        const details = await ref.getOutputDetails(name);
        outputs[name] = details.value ?? details.secretValue;
    }
    return { color, key, stack, outputs };
}

/**
 * What the edge needs from both clusters, checked: each stack is a deployed cluster of the color its key
 * says and runs this product (so it has a target group for every port the edge forwards to) in this
 * environment, and both share one VPC and its public subnets (an ALB forwards only to target groups of
 * its own VPC).
 */
function checkClusterStacks(settings: Settings, product: ProductSpec, clusters: ClusterStack[]): void {
    const problems: ConfigProblem[] = [];
    const bad = (c: ClusterStack, problem: string) => problems.push({ key: c.key, value: c.stack, problem });
    for (const c of clusters) {
        const absent = CLUSTER_OUTPUTS.filter((name) => c.outputs[name] === undefined);
        if (absent.length > 0) {
            bad(c, `that stack has no output ${absent.join(", ")}: deploy it as a role: cluster stack (pulumi up --stack ${c.stack}) before the edge`);
            continue;
        }
        const o = c.outputs;
        if (o.color !== c.color) bad(c, `that stack is the ${String(o.color)} cluster (its color output), not the ${c.color} one`);
        if (o.product !== product.id) bad(c, `that cluster runs ${String(o.product)}; the edge is configured for wso2-hardening:product = ${product.id}`);
        if (o.environment !== settings.environment) {
            bad(c, `that cluster is ${String(o.environment)}; the edge is configured for wso2-hardening:environment = ${settings.environment}`);
        }
    }
    const [blue, green] = clusters;
    if (problems.length === 0) {
        if (blue.outputs.vpcId !== green.outputs.vpcId) {
            bad(green, `that cluster is in ${String(green.outputs.vpcId)}, the blue one (${blue.stack}) in ${String(blue.outputs.vpcId)}: both colors must share one VPC (the same vpcId, privateSubnetIds and publicSubnetIds in both cluster stack files)`);
        } else if (JSON.stringify(blue.outputs.publicSubnetIds) !== JSON.stringify(green.outputs.publicSubnetIds)) {
            bad(green, `that cluster's publicSubnetIds differ from the blue one's (${blue.stack}): the load balancer lives in one set of public subnets, which both colors' host firewalls admit`);
        }
    }
    if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * The load balancer's group for clients: 443 and 80 (which only redirects) from `clientCidrs`, nothing
 * out. Each color's own group, also on the load balancer, carries the way out to that color's nodes.
 */
function clientSecurityGroup(name: string, settings: Settings, product: ProductSpec, vpcId: string): ec2.SecurityGroup {
    const tags = clusterTags(name, { "wso2-hardening:environment": settings.environment, "wso2-hardening:product": product.id });
    const group = new ec2.SecurityGroup(`${name}-clients`, {
        vpcId,
        description: `${name}: clients of ${product.name}`,
        revokeRulesOnDelete: true,
        tags: { ...tags, Name: `${name}-clients` },
    });
    const fromClients = edgeSecurityRules(settings, product).flatMap((r) => (r.direction === "ingress" && r.peer.kind === "cidr" ? [{ ...r, cidr: r.peer.cidr }] : []));
    for (const rule of fromClients) {
        new vpc.SecurityGroupIngressRule(
            `${name}-clients-${ruleSuffix(rule)}`,
            { securityGroupId: group.id, ipProtocol: rule.protocol, fromPort: rule.port, toPort: rule.port, description: rule.description, ...cidrArgs(rule.cidr), tags },
            { parent: group },
        );
    }
    return group;
}

/** The edge of a blue-green pair: one load balancer forwarding to both colors' target groups with weights. */
async function edgeStack(settings: Settings): Promise<Record<string, unknown>> {
    const product = productSpec(settings.product);
    const name = preflight(settings, product);
    // Both references are registered before either is awaited, so an offline plan learns of both at once.
    const refs = { blue: new pulumi.StackReference(settings.blueStack), green: new pulumi.StackReference(settings.greenStack) };
    const clusters = await Promise.all([
        readClusterStack(refs.blue, "blue", "blueStack", settings.blueStack),
        readClusterStack(refs.green, "green", "greenStack", settings.greenStack),
    ]);
    checkClusterStacks(settings, product, clusters);

    const weights: Record<Color, number> = {
        blue: settings.activeColor === "blue" ? 100 - settings.canaryWeight : settings.canaryWeight,
        green: settings.activeColor === "green" ? 100 - settings.canaryWeight : settings.canaryWeight,
    };
    // Always blue then green: a switch then changes only the weights in the forward actions.
    const targets: EdgeTarget[] = clusters.map((c) => ({
        color: c.color,
        weight: weights[c.color],
        targetGroupArns: c.outputs.targetGroupArns as Record<number, string>,
    }));
    const [blue] = clusters;
    const vpcId = blue.outputs.vpcId as string;
    const clients = clientSecurityGroup(name, settings, product, vpcId);
    const edge = new EdgeLoadBalancer(
        name,
        edgeArgs(settings, {
            vpcId,
            publicSubnetIds: blue.outputs.publicSubnetIds as string[],
            securityGroupIds: [clients.id, ...clusters.map((c) => c.outputs.edgeSecurityGroupId as string)],
            targets,
        }),
    );
    return {
        clusterName: name,
        environment: settings.environment,
        product: product.id,
        vpcId,
        clientSecurityGroupId: clients.id,
        clusterStacks: { blue: settings.blueStack, green: settings.greenStack },
        routing: { activeColor: settings.activeColor, canaryWeight: settings.canaryWeight, weights },
        url: `https://${settings.domainName}/`,
        loadBalancerDnsName: edge.dnsName,
        loadBalancerArn: edge.arn,
        certificateValidationRecords: edge.certificateValidationRecords,
    };
}

function main(): Record<string, unknown> | Promise<Record<string, unknown>> {
    // First: an invalid value throws a ConfigError here, before any resource is registered.
    const settings = loadSettings();
    if (settings.platform === "kubernetes") {
        // Loaded only here, so AWS stacks do not pay for loading the Kubernetes provider.
        const { deployKubernetes } = require("./kubernetes") as typeof import("./kubernetes");
        return deployKubernetes(settings);
    }
    if (settings.role === "edge") {
        if (settings.vpcId) {
            throw new ConfigError([
                {
                    key: "vpcId",
                    value: settings.vpcId,
                    problem: "must be unset when role is edge: the edge uses the VPC and public subnets its cluster stacks export (set them in those stack files)",
                },
            ]);
        }
        return edgeStack(settings);
    }
    return awsStack(settings);
}

export = main();
