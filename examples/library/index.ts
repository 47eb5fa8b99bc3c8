/**
 * A team's own Pulumi program using wso2-hardening as a library: its VPC is its own (its names, its
 * address plan, its NAT), and it runs two WSO2 products side by side, API Manager for the partner APIs
 * and Identity Server for sign-in, each with its own cluster and edge. The components take the provider
 * of the program (here the default one, region from `aws:region`); pass `{ provider }` to place them
 * elsewhere.
 */
import * as ec2 from "@pulumi/aws/ec2";
import { EdgeLoadBalancer, Wso2Cluster, type NetworkRef } from "wso2-hardening";

const zones = ["eu-west-1a", "eu-west-1b"];
const tags = { team: "acme-platform" };

// The team's VPC: private subnets for the WSO2 nodes, public ones for the load balancers and the NAT gateway.
const vpc = new ec2.Vpc("acme-core", { cidrBlock: "10.20.0.0/16", enableDnsSupport: true, enableDnsHostnames: true, tags: { ...tags, Name: "acme-core" } });
const gateway = new ec2.InternetGateway("acme-core-igw", { vpcId: vpc.id, tags });
const publicRoutes = new ec2.RouteTable("acme-core-public", { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }], tags });
const publicSubnets = zones.map((zone, i) => {
    const subnet = new ec2.Subnet(`acme-core-public-${i}`, { vpcId: vpc.id, cidrBlock: `10.20.${100 + i}.0/24`, availabilityZone: zone, tags });
    new ec2.RouteTableAssociation(`acme-core-public-${i}`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
    return subnet;
});
const natAddress = new ec2.Eip("acme-core-nat", { domain: "vpc", tags });
const nat = new ec2.NatGateway("acme-core-nat", { allocationId: natAddress.id, subnetId: publicSubnets[0].id, tags }, { dependsOn: [gateway] });
const privateRoutes = new ec2.RouteTable("acme-core-private", { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags });
const privateSubnets = zones.map((zone, i) => {
    const subnet = new ec2.Subnet(`acme-core-private-${i}`, { vpcId: vpc.id, cidrBlock: `10.20.${i}.0/24`, availabilityZone: zone, tags });
    new ec2.RouteTableAssociation(`acme-core-private-${i}`, { subnetId: subnet.id, routeTableId: privateRoutes.id });
    return subnet;
});

// What the WSO2 clusters need from the VPC.
const network: NetworkRef = {
    vpcId: vpc.id,
    vpcCidr: vpc.cidrBlock,
    privateSubnetIds: privateSubnets.map((s) => s.id),
    publicSubnetIds: publicSubnets.map((s) => s.id),
    publicSubnetCidrs: publicSubnets.map((s) => s.cidrBlock),
};

/**
 * The product zips the team keeps in its own release bucket, with their SHA-256 (the nodes download and
 * verify them at boot); replace both with your copies of WSO2's distributions.
 */
const distributions = {
    apim: { s3Uri: "s3://acme-releases/wso2am-4.3.0.zip", sha256: "888e9504a8f582ca7e68cbe325e977c6162340fad07e01188ce9286c75ec0caa" },
    is: { s3Uri: "s3://acme-releases/wso2is-7.0.0.zip", sha256: "3f961d84f74e109d9710c43285c2c112d474c2d329056c86b7e67e32bc8c0cc8" },
};

/** One product: its cluster, and an edge forwarding its public routes to it. */
function wso2(name: string, product: "apim" | "is", domainName: string) {
    const cluster = new Wso2Cluster(name, {
        product,
        distribution: distributions[product],
        network,
        domainName,
        environment: "prod",
        nodeCount: 2,
        instanceType: "m6i.large",
        backupReplicaRegion: "eu-central-1",
        adminUsername: "acme-admin",
        sshSourceCidrs: [],
    });
    const edge = new EdgeLoadBalancer(name, {
        product,
        domainName,
        environment: "prod",
        route53ZoneId: "Z0ACMEEXAMPLE00000000",
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        securityGroupIds: [cluster.edgeSecurityGroupId],
        targets: [{ color: "main", weight: 100, targetGroupArns: cluster.targetGroupArns }],
    });
    return { cluster, edge };
}

const apis = wso2("acme-apis", "apim", "api.acme.example");
const identity = wso2("acme-login", "is", "login.acme.example");

export const apiLoadBalancer = apis.edge.dnsName;
export const loginLoadBalancer = identity.edge.dnsName;
export const apiAdminSecret = apis.cluster.adminSecretArn;
export const loginAdminSecret = identity.cluster.adminSecretArn;
