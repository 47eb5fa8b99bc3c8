/**
 * The wso2-hardening program. Validates the whole configuration before registering anything, then
 * builds the stack its `role` and `platform` ask for:
 * - standalone (dev, staging, prod): a network, one cluster and the edge load balancer in front of it;
 * - cluster (prod-blue, prod-green): a network and one color's cluster, whose target groups and
 *   security groups an edge stack reads through StackReferences;
 * - platform kubernetes (k8s-prod): the Kubernetes deployment of components/kubernetes.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "../config";
import type { Settings } from "../config/settings";
import { productSpec } from "../products";
import { awsRegion } from "../components/aws/common";
import { checkAwsSettings } from "../components/aws/preflight";
import { Wso2Network } from "../components/aws/network";
import { Wso2Cluster } from "../components/aws/cluster";
import { EdgeLoadBalancer } from "../components/aws/edge";

/** Physical names derive from the stack name; S3 and target groups accept lowercase letters, digits and '-'. */
function clusterName(): string {
    return `wso2-${pulumi.getStack().toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`;
}

function awsStack(settings: Settings): Record<string, unknown> {
    const region = awsRegion();
    checkAwsSettings(settings, region);
    const product = productSpec(settings.product);
    const name = clusterName();

    const network = new Wso2Network(name, { settings, region });
    const cluster = new Wso2Cluster(name, { settings, product, network, region });
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
    };
    if (settings.role === "cluster") return { ...clusterOutputs, color: settings.color };

    const edge = new EdgeLoadBalancer(name, {
        settings,
        product,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        securityGroupIds: [cluster.edgeSecurityGroupId],
        targets: [{ color: "main", weight: 100, targetGroupArns: cluster.targetGroupArns }],
    });
    return {
        ...clusterOutputs,
        url: `https://${settings.domainName}/`,
        loadBalancerDnsName: edge.dnsName,
        loadBalancerArn: edge.arn,
        certificateValidationRecords: edge.certificateValidationRecords,
    };
}

function main(): Record<string, unknown> {
    // First: an invalid value throws a ConfigError here, before any resource is registered.
    const settings = loadSettings();
    if (settings.platform === "kubernetes") {
        // Loaded only here, so AWS stacks do not pay for loading the Kubernetes provider.
        const { deployKubernetes } = require("../components/kubernetes") as typeof import("../components/kubernetes");
        return deployKubernetes(settings);
    }
    if (settings.role === "edge") throw new Error("role edge: not implemented yet");
    return awsStack(settings);
}

export = main();
