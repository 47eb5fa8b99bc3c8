/**
 * A WSO2 API Manager deployment with the mistakes public quick-start templates make: every port open to
 * the world, one node with a public IP and IMDSv1, admin/admin in the user data, a TLS 1.1 listener that
 * forwards everything (so /carbon and /services are public), unencrypted disks and a bare backup bucket.
 * It is a foreign program: it uses @pulumi/aws directly and nothing of this repository.
 */
import * as pulumi from "@pulumi/pulumi";
import * as acm from "@pulumi/aws/acm";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ebs from "@pulumi/aws/ebs";
import * as ec2 from "@pulumi/aws/ec2";
import * as efs from "@pulumi/aws/efs";
import * as kms from "@pulumi/aws/kms";
import * as lb from "@pulumi/aws/lb";
import * as rds from "@pulumi/aws/rds";
import * as s3 from "@pulumi/aws/s3";
import * as secretsmanager from "@pulumi/aws/secretsmanager";

const config = new pulumi.Config();
const keyName = config.get("keyName") ?? "wso2-key";

const vpc = new ec2.Vpc("wso2-vpc", { cidrBlock: "10.0.0.0/16", enableDnsHostnames: true });
const subnetA = new ec2.Subnet("wso2-public-a", { vpcId: vpc.id, cidrBlock: "10.0.1.0/24", availabilityZone: "us-east-1a", mapPublicIpOnLaunch: true });
const subnetB = new ec2.Subnet("wso2-public-b", { vpcId: vpc.id, cidrBlock: "10.0.2.0/24", availabilityZone: "us-east-1b", mapPublicIpOnLaunch: true });

// The quick-start way: one group for everything, SSH and Hazelcast clustering open to the internet.
const world = ["0.0.0.0/0"];
const sg = new ec2.SecurityGroup("wso2-sg", {
    vpcId: vpc.id,
    description: "WSO2 API Manager",
    ingress: [
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: world },
        { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: world },
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: world },
        { protocol: "tcp", fromPort: 4000, toPort: 4000, cidrBlocks: world },
        { protocol: "tcp", fromPort: 8243, toPort: 8243, cidrBlocks: world },
        { protocol: "tcp", fromPort: 9443, toPort: 9443, cidrBlocks: world },
    ],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: world }],
});

const userData = `#!/bin/bash
cat > /opt/wso2am-4.3.0/repository/conf/deployment.toml <<'TOML'
[server]
hostname = "apim.example.com"

[super_admin]
username = "admin"
password = "admin"
create_admin_account = true

[keystore.primary]
file_name = "wso2carbon.jks"
password = "wso2carbon"
TOML
/opt/wso2am-4.3.0/bin/api-manager.sh start
# smoke test: curl -k -u admin:admin https://localhost:9443/services/Version
`;

// One node, public IP, IMDSv1, unencrypted root disk.
const node = new ec2.Instance("wso2-node", {
    ami: "ami-0c55b159cbfafe1f0",
    instanceType: "t3.large",
    keyName,
    subnetId: subnetA.id,
    vpcSecurityGroupIds: [sg.id],
    associatePublicIpAddress: true,
    userData,
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 2 },
    tags: { Name: "wso2am" },
});

const data = new ebs.Volume("wso2-data", { availabilityZone: "us-east-1a", size: 50, type: "gp2" });
new ec2.VolumeAttachment("wso2-data-attach", { deviceName: "/dev/sdf", instanceId: node.id, volumeId: data.id });

const alb = new lb.LoadBalancer("wso2-alb", {
    loadBalancerType: "application",
    internal: false,
    securityGroups: [sg.id],
    subnets: [subnetA.id, subnetB.id],
});
const targets = new lb.TargetGroup("wso2-tg", {
    vpcId: vpc.id,
    port: 9443,
    protocol: "HTTPS",
    healthCheck: { protocol: "HTTPS", path: "/carbon/admin/login.jsp", port: "9443" },
});
new lb.TargetGroupAttachment("wso2-tg-node", { targetGroupArn: targets.arn, targetId: node.id, port: 9443 });

// TLS 1.1 and a default action that forwards every path, /carbon and /services included.
new lb.Listener("wso2-https", {
    loadBalancerArn: alb.arn,
    port: 443,
    protocol: "HTTPS",
    sslPolicy: "ELBSecurityPolicy-TLS-1-1-2017-01",
    certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
});
// Plain HTTP forwarded as well instead of redirected.
new lb.Listener("wso2-http", {
    loadBalancerArn: alb.arn,
    port: 80,
    protocol: "HTTP",
    defaultActions: [{ type: "forward", targetGroupArn: targets.arn }],
});

// Backups: no versioning, no encryption, no public-access block, no lifecycle, no TLS-only policy.
const backups = new s3.Bucket("wso2-backups", { forceDestroy: true });
// Deployment artifacts: a public-access block that blocks nothing.
const artifacts = new s3.Bucket("wso2-artifacts", {});
new s3.BucketPublicAccessBlock("wso2-artifacts-pab", {
    bucket: artifacts.id,
    blockPublicAcls: false,
    blockPublicPolicy: false,
    ignorePublicAcls: false,
    restrictPublicBuckets: false,
});

const key = new kms.Key("wso2-key", { description: "WSO2 data key", enableKeyRotation: false });
const adminSecret = new secretsmanager.Secret("wso2-admin", { description: "WSO2 admin credentials (AWS-managed key)" });
new secretsmanager.SecretVersion("wso2-admin-value", { secretId: adminSecret.id, secretString: JSON.stringify({ username: "admin", password: "admin" }) });
new cloudwatch.LogGroup("wso2-logs", { name: "/wso2/apim" });

// The shared database: public, unencrypted, plain TCP allowed (PostgreSQL 14's default parameter group),
// no automated backups, one zone, deletable without a snapshot, its port open to the world.
const dbSg = new ec2.SecurityGroup("wso2-db-sg", {
    vpcId: vpc.id,
    description: "WSO2 database",
    ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: world }],
});
const db = new rds.Instance("wso2-db", {
    engine: "postgres",
    engineVersion: "14",
    instanceClass: "db.t3.micro",
    allocatedStorage: 20,
    username: "wso2",
    password: config.get("dbPassword") ?? "change-me-later",
    publiclyAccessible: true,
    vpcSecurityGroupIds: [dbSg.id],
    backupRetentionPeriod: 0,
    skipFinalSnapshot: true,
});

// Shared deployment artifacts on an unencrypted file system.
new efs.FileSystem("wso2-shared", { performanceMode: "generalPurpose", tags: { Name: "wso2-deployment-sync" } });

// A certificate imported once by hand (valid 20 days from 2026-12-01: expired or about to be), which AWS never renews.
new acm.Certificate("wso2-imported-cert", {
    certificateBody: `-----BEGIN CERTIFICATE-----
MIIBjDCCATGgAwIBAgIUNfMGpeufbZHoSXBQ5wkX9QeQ+HUwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQYXBpbS5leGFtcGxlLmNvbTAeFw0yNjEyMDEwNjIxMjNaFw0y
NjEyMjEwNjIxMjNaMBsxGTAXBgNVBAMMEGFwaW0uZXhhbXBsZS5jb20wWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAATSNHhgJNsGb1WOgr5bkTqiH+YBjdtvBj1aw2Zd
kDpuU2vRmr4gIv+trDhltlBSN5G2y6mYcqrVMVpG13p+wjhco1MwUTAdBgNVHQ4E
FgQUbE+00TibvnHm+g4O2sofEtIylJ4wHwYDVR0jBBgwFoAUbE+00TibvnHm+g4O
2sofEtIylJ4wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA1uJ+
hsUybFqaGJXtkS4ejaz1frtNIrqjCXuYuyLCnPYCIQDTUa35PTQKu6Up4kCa3rvq
eu7EaghWsb2TrR/Y2DY7VQ==
-----END CERTIFICATE-----
`,
    privateKey: config.getSecret("certificateKey") ?? pulumi.secret("imported by hand, not kept here"),
});

export const databaseEndpoint = db.endpoint;
export const url = pulumi.interpolate`https://${alb.dnsName}/carbon`;
export const nodeIp = node.publicIp;
export const backupBucket = backups.bucket;
export const keyArn = key.arn;
