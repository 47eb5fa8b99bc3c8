/** The dev, staging and prod stack files, and the roles of the program, under the SDK's mocks. */
import { strict as assert } from "assert";
import { CONFIG_KEYS, CONFIG_NAMESPACE } from "../../config/schema";
import { parseSettings, Settings } from "../../config/settings";
import { checkAwsSettings, defaultNamePrefix } from "../../components/aws/preflight";
import { productSpec } from "../../products";
import { instanceMemoryMiB } from "../../components/aws/instance-types";
import { Plan, runStack, stackConfig, StackRun } from "./harness";

const STACKS = ["dev", "staging", "prod"] as const;
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function settingsOf(stack: string): Settings {
    const config = stackConfig(stack);
    return parseSettings((key) => config[`${CONFIG_NAMESPACE}:${key}`]);
}

describe("aws: stack files", () => {
    for (const stack of STACKS) {
        it(`${stack}: only known keys, valid settings, a region`, () => {
            const config = stackConfig(stack);
            for (const key of Object.keys(config)) {
                if (key === "aws:region") continue;
                const [ns, name] = key.split(":");
                assert.equal(ns, CONFIG_NAMESPACE, key);
                assert.ok(name in CONFIG_KEYS, `${key} is a known key`);
            }
            assert.match(config["aws:region"], /^[a-z]{2}-[a-z]+-\d$/);
            const settings = settingsOf(stack);
            checkAwsSettings(settings, config["aws:region"], productSpec(settings.product), { prefix: defaultNamePrefix(stack), stack });
        });
    }

    it("differ as real environments do", () => {
        const [dev, staging, prod] = STACKS.map(settingsOf);
        assert.deepEqual(
            [dev, staging, prod].map((s) => s.environment),
            ["dev", "staging", "prod"],
        );
        // Size: one small node in dev, two in staging, three over three zones in prod.
        assert.equal(dev.nodeCount, 1);
        assert.equal(staging.nodeCount, 2);
        assert.equal(prod.nodeCount, 3);
        assert.equal(prod.availabilityZoneCount, 3);
        assert.ok(instanceMemoryMiB(dev) <= instanceMemoryMiB(staging) && instanceMemoryMiB(staging) < instanceMemoryMiB(prod));
        // Retention and protection grow towards prod.
        assert.ok(dev.logRetentionDays < staging.logRetentionDays && staging.logRetentionDays < prod.logRetentionDays);
        assert.ok(dev.backupRetentionDays < prod.backupRetentionDays);
        assert.deepEqual([dev, staging, prod].map((s) => s.deletionProtection), [false, false, true]);
        assert.equal(prod.backupReplicaRegion, "eu-central-1");
        assert.equal(dev.backupReplicaRegion, undefined);
        // Updates land in dev, then staging, then prod (OS-UPDATES: tested in staging first).
        const day = (s: Settings) => DAYS.indexOf(s.updateWindow.split(" ")[0]);
        assert.ok(day(dev) >= 0 && day(dev) < day(staging) && day(staging) < day(prod), "update windows in order");
        // Separate address space per environment.
        assert.equal(new Set([dev, staging, prod].map((s) => s.vpcCidr)).size, 3);
    });
});

describe("aws: dev and staging plans", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        for (const stack of ["dev", "staging"]) {
            runs[stack] = await runStack(stack);
            if (runs[stack].error) throw runs[stack].error;
        }
    });

    it("dev: one node, no deletion protection, one NAT gateway, no replication", () => {
        const plan = new Plan(runs.dev.resources);
        assert.equal(plan.one("aws:autoscaling/group:Group").inputs.desiredCapacity, 1);
        assert.equal(plan.one("aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection, false);
        assert.equal(plan.ofType("aws:ec2/natGateway:NatGateway").length, 1);
        assert.equal(plan.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig").length, 0);
        assert.ok(!plan.resources.some((r) => r.protect), "nothing protected in dev");
        assert.equal(plan.one("aws:ec2/launchTemplate:LaunchTemplate").inputs.instanceType, "t3.large");
        // Still two zones for the subnets, so the node can move.
        assert.equal(plan.one("aws:autoscaling/group:Group").inputs.vpcZoneIdentifiers.length, 2);
    });

    it("staging: two nodes behind the edge, clients limited to the configured networks", () => {
        const plan = new Plan(runs.staging.resources);
        assert.equal(plan.one("aws:autoscaling/group:Group").inputs.minSize, 2);
        const world = plan
            .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            .filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0");
        assert.deepEqual(world, []);
        assert.equal(runs.staging.outputs.url, "https://apim.staging.example.com/");
    });
});

describe("aws: an existing VPC", () => {
    const existing = (privateSubnets: string[]) => ({
        ...stackConfig("prod"),
        "wso2-hardening:vpcId": "vpc-0123456789abcdef0",
        "wso2-hardening:privateSubnetIds": JSON.stringify(privateSubnets),
        "wso2-hardening:publicSubnetIds": JSON.stringify(["subnet-000000000000000a1", "subnet-000000000000000b1"]),
    });

    it("deploys into the given subnets, creating no network, and lets the load balancer's subnets reach the nodes", async () => {
        const run = await runStack("prod", existing(["subnet-0000000000000000a", "subnet-0000000000000000b"]));
        if (run.error) throw run.error;
        const plan = new Plan(run.resources);
        for (const type of ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway", "aws:ec2/flowLog:FlowLog"]) {
            assert.equal(plan.ofType(type).length, 0, `no ${type}`);
        }
        assert.deepEqual(plan.one("aws:autoscaling/group:Group").inputs.vpcZoneIdentifiers, ["subnet-0000000000000000a", "subnet-0000000000000000b"]);
        assert.deepEqual(plan.one("aws:lb/loadBalancer:LoadBalancer").inputs.subnets, ["subnet-000000000000000a1", "subnet-000000000000000b1"]);
        assert.equal(plan.one("aws:ec2/securityGroup:SecurityGroup", "wso2-prod-nodes").inputs.vpcId, "vpc-0123456789abcdef0");
        // HTTPS to the VPC's own CIDR (endpoints) comes from the looked-up VPC.
        assert.ok(plan.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").some((r) => r.inputs.cidrIpv4 === "10.99.0.0/16"));
        // The host firewall admits the load balancer from the public subnets' CIDRs.
        const nft = run.artifacts.find((a) => a.kind === "nftables")!;
        assert.match(nft.content, /10\.99\.128\.0\/24/);
        assert.match(nft.content, /10\.99\.129\.0\/24/);
    });

    it("refuses private subnets that are all in one zone, naming privateSubnetIds", async () => {
        const run = await runStack("prod", existing(["subnet-0000000000000000a", "subnet-0000000000000000c"]));
        assert.match(String(run.error?.message), /existingVpc.privateSubnetIds = \["subnet-0000000000000000a","subnet-0000000000000000c"\]: the subnets are all in eu-west-1a/);
    });
});

describe("aws: stack roles", () => {
    const prod = stackConfig("prod");

    it("cluster: nodes and target groups without an edge, exporting what an edge stack needs", async () => {
        const run = await runStack("prod-blue", { ...prod, "wso2-hardening:role": "cluster", "wso2-hardening:color": "blue" });
        if (run.error) throw run.error;
        const plan = new Plan(run.resources);
        assert.equal(plan.ofType("aws:lb/loadBalancer:LoadBalancer").length, 0);
        assert.equal(plan.ofType("aws:autoscaling/group:Group").length, 1);
        assert.equal(run.outputs.color, "blue");
        assert.equal(run.outputs.clusterName, "wso2-prod-blue");
        assert.deepEqual(Object.keys(run.outputs.targetGroupArns).sort(), ["8243", "9443"]);
        for (const key of ["edgeSecurityGroupId", "nodeSecurityGroupId", "autoScalingGroupName", "vpcId"]) {
            assert.ok(typeof run.outputs[key] === "string" && run.outputs[key].length > 0, key);
        }
        const sg = plan.byId(run.outputs.edgeSecurityGroupId)!;
        assert.equal(sg.inputs.tags["wso2-hardening:color"], "blue");
    });

    it("platform kubernetes: the k8s-prod stack plans the Kubernetes deployment, no EC2 nodes", async () => {
        const run = await runStack("k8s-prod");
        if (run.error) throw run.error;
        assert.equal(run.outputs.platform, "kubernetes");
        const plan = new Plan(run.resources);
        assert.equal(plan.ofType("aws:autoscaling/group:Group").length, 0);
        assert.equal(plan.ofType("aws:lb/loadBalancer:LoadBalancer").length, 0);
        assert.ok(run.resources.some((r) => r.type.startsWith("kubernetes:")));
    });

    it("edge: refuses a network of its own (it uses its clusters' VPC), naming vpcId, with nothing registered", async () => {
        const run = await runStack("prod-edge", {
            ...prod,
            "wso2-hardening:role": "edge",
            "wso2-hardening:vpcId": "vpc-0123456789abcdef0",
            "wso2-hardening:privateSubnetIds": JSON.stringify(["subnet-0000000000000000a", "subnet-0000000000000000b"]),
            "wso2-hardening:publicSubnetIds": JSON.stringify(["subnet-000000000000000a1", "subnet-000000000000000b1"]),
        });
        assert.match(String(run.error?.message), /wso2-hardening:vpcId = "vpc-0123456789abcdef0": must be unset when role is edge/);
        assert.deepEqual(run.resources, []);
    });
});
