/** The components refuse, at construction and before registering anything, what AWS or WSO2 would reject, naming each argument. */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ArgsError } from "../../config/validate";
import type * as Aws from "../../components/aws";

const network = { vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", privateSubnetIds: ["subnet-a", "subnet-b"], publicSubnetIds: [], publicSubnetCidrs: [] };

/** The problems an `ArgsError` names, as `arg: problem` lines. */
function problemsOf(f: () => unknown): string[] {
    try {
        f();
    } catch (e) {
        assert.ok(e instanceof ArgsError, `expected an ArgsError, got ${(e as Error).stack}`);
        return e.problems.map((p) => `${p.arg}: ${p.problem}`);
    }
    assert.fail("no ArgsError thrown");
}

describe("component arguments checked at construction", function () {
    let aws: typeof Aws;
    let registered = 0;

    before(async () => {
        await pulumi.runtime.setMocks(
            {
                newResource: (a) => {
                    registered++;
                    return { id: `${a.name}-id`, state: a.inputs };
                },
                call: (a) => a.inputs,
            },
            "args-test",
            "test",
            false,
        );
        aws = await import("../../components/aws");
    });

    it("Wso2Cluster names every argument AWS or WSO2 would refuse, all at once, and registers nothing", () => {
        registered = 0;
        const problems = problemsOf(
            () =>
                new aws.Wso2Cluster("acme-identity-and-access-production", {
                    product: "is",
                    productVersion: "6.9.0",
                    network,
                    domainName: "login",
                    environment: "prod",
                    nodeCount: 1,
                    sshSourceCidrs: ["0.0.0.0/0", "10.0.0.0/33"],
                    sshPort: 22,
                    adminUsername: "admin",
                    logRetentionDays: 10,
                    publicPaths: ["/carbon/admin"],
                    instanceType: "t3.small",
                }),
        );
        assert.equal(registered, 0, "nothing registered before the arguments are valid");
        const args = new Set(problems.map((p) => p.split(":")[0]));
        for (const arg of [
            "name",
            "productVersion",
            "domainName",
            "nodeCount",
            "instanceType",
            "sshSourceCidrs",
            "sshPort",
            "adminUsername",
            "logRetentionDays",
            "publicPaths",
            "backupReplicaRegion",
        ]) {
            assert.ok(args.has(arg), `${arg} not named in:\n${problems.join("\n")}`);
        }
        assert.ok(problems.some((p) => /^name: the target-group name acme-identity-and-access-production-9443-xxxxxxx has 48 characters, AWS allows 32$/.test(p)), problems.join("\n"));
        assert.ok(problems.includes("nodeCount: must be at least 2 in prod (failover needs two nodes)"));
        assert.ok(problems.includes("sshSourceCidrs: must not allow SSH from anywhere in prod"));
        assert.ok(problems.some((p) => /^sshSourceCidrs: is not a CIDR block/.test(p)));
        assert.ok(problems.some((p) => /^productVersion: is not a is version the configuration model knows/.test(p)));
    });

    it("Wso2Cluster refuses a product the catalog does not know", () => {
        const problems = problemsOf(() => aws.resolveClusterArgs("acme", { product: "esb" as never, network, domainName: "api.example.com", environment: "dev" }));
        assert.deepEqual(problems.filter((p) => p.startsWith("product")), ["product: must be one of apim, mi, is, si"]);
    });

    it("a valid dev cluster passes with one node and no replica", () => {
        const s = aws.resolveClusterArgs("acme-dev", { product: "mi", network, domainName: "api.example.com", environment: "dev", nodeCount: 1 });
        assert.equal(s.nodeCount, 1);
        assert.equal(s.productVersion, "4.3.0");
    });

    it("Wso2Network refuses a VPC block AWS would not split and an existing VPC with one subnet", () => {
        assert.deepEqual(problemsOf(() => aws.resolveNetworkArgs("acme", { cidrBlock: "10.0.0.0/8", availabilityZoneCount: 4 })), [
            "cidrBlock: must be an IPv4 CIDR block from /16 to /24",
            "availabilityZoneCount: must be 2 or 3",
        ]);
        assert.deepEqual(problemsOf(() => aws.resolveNetworkArgs("Acme_Net", { existingVpc: { vpcId: "vpc-1", privateSubnetIds: ["subnet-0123456789abcdef0"], publicSubnetIds: ["subnet-x", "subnet-y"] } })), [
            "name: must be lowercase letters, digits and '-', start with a letter and end with a letter or digit (S3 bucket and load balancer names)",
            "existingVpc.privateSubnetIds: must list two or more subnets in different zones",
            "existingVpc.publicSubnetIds: is not a subnet id such as subnet-0123456789abcdef0",
            "existingVpc.publicSubnetIds: is not a subnet id such as subnet-0123456789abcdef0",
        ]);
    });

    it("EdgeLoadBalancer needs a certificate it can use in this update, and a valid stickiness", () => {
        const edge = { product: "apim" as const, domainName: "api.example.com", vpcId: "v", publicSubnetIds: [], securityGroupIds: [], targets: [] };
        assert.deepEqual(problemsOf(() => aws.resolveEdgeArgs("acme", { ...edge, stickinessSeconds: -1 })), [
            "route53ZoneId: is required when certificateArn is empty: the certificate's DNS validation record is created in that zone",
            "stickinessSeconds: must be an integer from 0 to 604800",
        ]);
    });

    it("BackupStore requires a replica region in prod and a retention AWS accepts", () => {
        assert.deepEqual(problemsOf(() => aws.resolveBackupStoreArgs("acme", { retentionDays: 3 })), [
            "retentionDays: must be an integer from 7 to 3650",
            "replicaRegion: is required in prod: backups must be replicated to a second region",
        ]);
    });
});
