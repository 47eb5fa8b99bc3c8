/**
 * Every policy fires on a stack that breaks it and stays quiet on the hardened stack, through the pack's
 * in-process evaluation (the same validation args the engine builds).
 */
import * as assert from "assert";
import { evaluatePack, Finding, PlannedResource, policyMeta, rules } from "../../policies/pack";
import { DENY_REGEXES, b64, find, patch, res, secureStack, urnOf, without } from "./fixtures";

const LB = "aws:lb/loadBalancer:LoadBalancer";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const SGR = "aws:ec2/securityGroupRule:SecurityGroupRule";

interface Case {
    /** What is broken. */
    title: string;
    policy: string;
    stack: () => PlannedResource[];
    /** Resource the finding must name. */
    on: string;
    /** Text the message must contain. */
    says: RegExp;
}

const cases: Case[] = [
    // wso2-cluster-ports-members-only
    { title: "4000 open to a CIDR", policy: "wso2-cluster-ports-members-only", on: "nodes-cluster", says: /clustering port 4000 to 10\.0\.0\.0\/8/,
        stack: () => patch(secureStack(), "nodes-cluster", { referencedSecurityGroupId: undefined, cidrIpv4: "10.0.0.0/8" }) },
    { title: "4000 open to another group (vpc.SecurityGroupIngressRule)", policy: "wso2-cluster-ports-members-only", on: "nodes-cluster", says: /another security group \(sg-edge\)/,
        stack: () => patch(secureStack(), "nodes-cluster", { referencedSecurityGroupId: "sg-edge" }) },
    { title: "5672 open to another group (ec2.SecurityGroupRule)", policy: "wso2-cluster-ports-members-only", on: "nodes-amqp", says: /5672 to another security group/,
        stack: () => patch(secureStack(), "nodes-amqp", { self: undefined, sourceSecurityGroupId: "sg-edge" }) },
    { title: "all ports open inline to another group", policy: "wso2-cluster-ports-members-only", on: "nodes-sg", says: /all ports \(ingress\[0\]\) opens clustering ports 4000, 4001/,
        stack: () => patch(secureStack(), "nodes-sg", { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, securityGroups: ["sg-edge"] }] }) },
    { title: "inline 4000 from a prefix list", policy: "wso2-cluster-ports-members-only", on: "nodes-sg", says: /prefix list pl-1/,
        stack: () => patch(secureStack(), "nodes-sg", { ingress: [{ protocol: "tcp", fromPort: 4000, toPort: 4001, prefixListIds: ["pl-1"] }] }) },
    // wso2-ssh-not-from-world
    { title: "22 open to 0.0.0.0/0 inline", policy: "wso2-ssh-not-from-world", on: "nodes-sg", says: /opens SSH \(22\) to 0\.0\.0\.0\/0/,
        stack: () => patch(secureStack(), "nodes-sg", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] }) },
    { title: "all traffic from ::/0 (SecurityGroupRule)", policy: "wso2-ssh-not-from-world", on: "nodes-amqp", says: /all ports opens SSH \(22\) to ::\/0/,
        stack: () => patch(secureStack(), "nodes-amqp", { self: undefined, protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }) },
    // wso2-no-world-open-ports
    { title: "9443 open to the world on the nodes", policy: "wso2-no-world-open-ports", on: "nodes-from-edge", says: /port 9443 is open to 0\.0\.0\.0\/0/,
        stack: () => patch(secureStack(), "nodes-from-edge", { referencedSecurityGroupId: undefined, cidrIpv4: "0.0.0.0/0" }) },
    { title: "443 open to the world on a group no load balancer uses", policy: "wso2-no-world-open-ports", on: "edge-https-in", says: /not attached to a load balancer/,
        stack: () => patch(secureStack(), "edge-https-in", { securityGroupId: "sg-nodes" }) },
    // wso2-imdsv2-required
    { title: "IMDSv1 allowed", policy: "wso2-imdsv2-required", on: "nodes-lt", says: /IMDSv1 is allowed \(metadataOptions.httpTokens is "optional"\)/,
        stack: () => patch(secureStack(), "nodes-lt", { metadataOptions: { httpTokens: "optional" } }) },
    { title: "instance without metadata options", policy: "wso2-imdsv2-required", on: "node", says: /httpTokens is not set/,
        stack: () => [...secureStack(), res("aws:ec2/instance:Instance", "node", { rootBlockDevice: { encrypted: true } })] },
    { title: "hop limit 3", policy: "wso2-imdsv2-required", on: "nodes-lt", says: /httpPutResponseHopLimit is 3/,
        stack: () => patch(secureStack(), "nodes-lt", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 3 } }) },
    // wso2-volumes-encrypted
    { title: "launch template volume unencrypted", policy: "wso2-volumes-encrypted", on: "nodes-lt", says: /blockDeviceMappings\[0\]\.ebs is not encrypted/,
        stack: () => patch(secureStack(), "nodes-lt", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] }) },
    { title: "instance without rootBlockDevice", policy: "wso2-volumes-encrypted", on: "node", says: /no rootBlockDevice/,
        stack: () => [...secureStack(), res("aws:ec2/instance:Instance", "node", { metadataOptions: { httpTokens: "required" } })] },
    { title: "unencrypted ebs.Volume", policy: "wso2-volumes-encrypted", on: "data", says: /the volume is not encrypted/,
        stack: () => [...secureStack(), res("aws:ebs/volume:Volume", "data", { size: 50, availabilityZone: "eu-west-1a" })] },
    // wso2-no-public-ip-on-nodes
    { title: "launch template with public IP", policy: "wso2-no-public-ip-on-nodes", on: "nodes-lt", says: /associates a public IP/,
        stack: () => patch(secureStack(), "nodes-lt", { networkInterfaces: [{ associatePublicIpAddress: "true" }] }) },
    { title: "Elastic IP on an instance", policy: "wso2-no-public-ip-on-nodes", on: "node-eip", says: /Elastic IP is attached/,
        stack: () => [
            ...secureStack(),
            res("aws:ec2/instance:Instance", "node-1", { vpcSecurityGroupIds: ["sg-nodes"], metadataOptions: { httpTokens: "required" }, rootBlockDevice: { encrypted: true } }, { id: "i-123" }),
            res("aws:ec2/eip:Eip", "node-eip", { instance: "i-123", domain: "vpc" }),
        ] },
    // wso2-no-literal-credentials
    { title: "admin/admin in launch template user data", policy: "wso2-no-literal-credentials", on: "nodes-lt", says: /the default admin\/admin credential/,
        stack: () => patch(secureStack(), "nodes-lt", { userData: b64("#!/bin/bash\n# login with admin/admin\n") }) },
    { title: "literal super admin password in deployment.toml", policy: "wso2-no-literal-credentials", on: "nodes-lt", says: /the default value "admin" for password/,
        stack: () => patch(secureStack(), "nodes-lt", { userData: b64('[super_admin]\nusername = "admin"\npassword = "admin"\n') }) },
    { title: "keystore password wso2carbon in a ConfigMap", policy: "wso2-no-literal-credentials", on: "wso2-conf", says: /the default value "wso2carbon"/,
        stack: () => [...secureStack(), res("kubernetes:core/v1:ConfigMap", "wso2-conf", { data: { "deployment.toml": '[keystore.primary]\nkey_password = "wso2carbon"\n' } })] },
    // wso2-failover-nodes
    { title: "one node", policy: "wso2-failover-nodes", on: "nodes-asg", says: /runs 1 production WSO2 node; at least 2/,
        stack: () => patch(secureStack(), "nodes-asg", { minSize: 1 }) },
    { title: "one subnet", policy: "wso2-failover-nodes", on: "nodes-asg", says: /run in 1 subnet/,
        stack: () => patch(secureStack(), "nodes-asg", { vpcZoneIdentifiers: ["subnet-a"] }) },
    // load balancer
    { title: "no access logs", policy: "wso2-lb-access-logs", on: "edge-alb", says: /access logs are not enabled/,
        stack: () => patch(secureStack(), "edge-alb", { accessLogs: { bucket: "logs-bucket", enabled: false } }) },
    { title: "no deletion protection", policy: "wso2-lb-deletion-protection", on: "edge-alb", says: /deletion protection is off/,
        stack: () => patch(secureStack(), "edge-alb", { enableDeletionProtection: undefined }) },
    { title: "invalid headers passed", policy: "wso2-lb-drop-invalid-headers", on: "edge-alb", says: /invalid header fields are passed/,
        stack: () => patch(secureStack(), "edge-alb", { dropInvalidHeaderFields: false }) },
    { title: "TLS 1.1 policy", policy: "wso2-lb-tls-policy", on: "edge-https", says: /"ELBSecurityPolicy-TLS-1-1-2017-01" is not a TLS 1\.2\+ policy/,
        stack: () => patch(secureStack(), "edge-https", { sslPolicy: "ELBSecurityPolicy-TLS-1-1-2017-01" }) },
    { title: "HTTPS listener without sslPolicy (alb alias)", policy: "wso2-lb-tls-policy", on: "legacy", says: /sets no sslPolicy/,
        stack: () => [...secureStack(), res("aws:alb/listener:Listener", "legacy", { loadBalancerArn: "arn:lb/edge", protocol: "HTTPS", port: 8443, defaultActions: [{ type: "fixed-response" }] })] },
    { title: "HTTP listener forwarding", policy: "wso2-lb-http-redirect-only", on: "edge-http", says: /does not redirect to HTTPS/,
        stack: () => patch(secureStack(), "edge-http", { defaultActions: [{ type: "forward", targetGroupArn: "arn:tg/9443" }] }) },
    { title: "forward rule on the HTTP listener", policy: "wso2-lb-http-redirect-only", on: "http-forward", says: /plain HTTP listener forwards/,
        stack: () => [...secureStack(), res("aws:lb/listenerRule:ListenerRule", "http-forward", { listenerArn: "arn:listener/http", priority: 5, actions: [{ type: "forward", targetGroupArn: "arn:tg/9443" }], conditions: [{ pathPattern: { values: ["/devportal/*"] } }] })] },
    { title: "default action forwards everything", policy: "wso2-lb-admin-contexts-blocked", on: "edge-https", says: /default action forwards every request/,
        stack: () => patch(secureStack(), "edge-https", { defaultActions: [{ type: "forward", targetGroupArn: "arn:tg/9443" }] }) },
    { title: "a /* forward rule reaches /carbon", policy: "wso2-lb-admin-contexts-blocked", on: "forward-all", says: /reach an admin context: \/services/,
        stack: () => [...without(secureStack(), "deny-suspicious"), res("aws:lb/listenerRule:ListenerRule", "forward-all", { listenerArn: "arn:listener/https", priority: 20, actions: [{ type: "forward", targetGroupArn: "arn:tg/9443" }], conditions: [{ pathPattern: { values: ["/*"] } }] })] },
    { title: "a glob that only partly covers /carbon", policy: "wso2-lb-admin-contexts-blocked", on: "forward-carbon-x", says: /\/carbon\/x\/y/,
        stack: () => [...without(secureStack(), "deny-suspicious"), res("aws:lb/listenerRule:ListenerRule", "forward-carbon-x", { listenerArn: "arn:listener/https", priority: 20, actions: [{ type: "forward", targetGroupArn: "arn:tg/9443" }], conditions: [{ pathPattern: { values: ["/carbon/x/y*"] } }] })] },
    { title: "traversal out of an allowlisted prefix without deny rules", policy: "wso2-lb-admin-contexts-blocked", on: "forward-devportal", says: /\/devportal\/\.\.;\/services\//,
        stack: () => without(secureStack(), "deny-suspicious") },
    { title: "forward rule whose host condition does not protect it", policy: "wso2-lb-admin-contexts-blocked", on: "host-forward", says: /admin context/,
        stack: () => [...secureStack(), res("aws:lb/listenerRule:ListenerRule", "host-forward", { listenerArn: "arn:listener/https", priority: 0, actions: [{ type: "forward", targetGroupArn: "arn:tg/9443" }], conditions: [{ hostHeader: { values: ["admin.example.com"] } }] })] },
    { title: "no WAF on the public ALB", policy: "wso2-lb-waf-attached", on: "edge-alb", says: /no WAF web ACL/,
        stack: () => without(secureStack(), "edge-waf") },
    // buckets
    { title: "versioning suspended", policy: "wso2-bucket-versioned", on: "backup-bucket", says: /versioning is Suspended/,
        stack: () => patch(secureStack(), "backup-bucket-versioning", { versioningConfiguration: { status: "Suspended" } }) },
    { title: "no versioning resource", policy: "wso2-bucket-versioned", on: "backup-bucket", says: /no versioning configuration/,
        stack: () => without(secureStack(), "backup-bucket-versioning") },
    { title: "backup bucket with SSE-S3 only", policy: "wso2-bucket-kms-encrypted", on: "backup-bucket", says: /not encrypted with a customer-managed KMS key/,
        stack: () => patch(secureStack(), "backup-bucket-sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }) },
    { title: "log bucket without encryption", policy: "wso2-bucket-kms-encrypted", on: "logs-bucket", says: /no default encryption configuration/,
        stack: () => without(secureStack(), "logs-bucket-sse") },
    { title: "no public access block", policy: "wso2-bucket-private", on: "backup-bucket", says: /no public access block/,
        stack: () => without(secureStack(), "backup-bucket-pab") },
    { title: "public-read ACL on the bucket", policy: "wso2-bucket-private", on: "backup-bucket", says: /"public-read"/,
        stack: () => patch(secureStack(), "backup-bucket", { acl: "public-read" }) },
    { title: "public access block with a flag off", policy: "wso2-public-access-block-complete", on: "backup-bucket-pab", says: /restrictPublicBuckets is not true/,
        stack: () => patch(secureStack(), "backup-bucket-pab", { restrictPublicBuckets: false }) },
    { title: "no lifecycle", policy: "wso2-bucket-lifecycle", on: "backup-bucket", says: /no enabled lifecycle rule/,
        stack: () => without(secureStack(), "backup-bucket-lifecycle") },
    { title: "policy without a TLS-only statement", policy: "wso2-bucket-tls-only", on: "logs-bucket", says: /no bucket policy statement denies requests without TLS/,
        stack: () => patch(secureStack(), "logs-bucket-policy", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: "*" }] }) }) },
    // keys, secrets, logs
    { title: "key rotation off", policy: "wso2-kms-key-rotation", on: "backup-key", says: /automatic key rotation is off/,
        stack: () => patch(secureStack(), "backup-key", { enableKeyRotation: false }) },
    { title: "secret with the AWS-managed key", policy: "wso2-secrets-customer-key", on: "admin-secret", says: /AWS-managed key/,
        stack: () => patch(secureStack(), "admin-secret", { kmsKeyId: undefined }) },
    { title: "logs kept forever", policy: "wso2-log-retention", on: "wso2-logs", says: /keeps logs forever/,
        stack: () => patch(secureStack(), "wso2-logs", { retentionInDays: undefined }) },
    { title: "logs kept 14 days", policy: "wso2-log-retention", on: "wso2-logs", says: /kept 14 days; at least 365/,
        stack: () => patch(secureStack(), "wso2-logs", { retentionInDays: 14 }) },
    // backups, file systems, certificates (more cases in test/policies/new-checks.test.ts)
    { title: "backup bucket without server access logging", policy: "wso2-backup-bucket-access-logs", on: "backup-bucket", says: /holds backups but has no server access logging/,
        stack: () => without(secureStack(), "backup-bucket-logging") },
    { title: "unencrypted EFS file system", policy: "wso2-efs-encrypted", on: "shared-fs", says: /not encrypted at rest/,
        stack: () => [...secureStack(), res("aws:efs/fileSystem:FileSystem", "shared-fs", { encrypted: false })] },
    { title: "imported certificate body that is no certificate", policy: "wso2-certificate-expiry", on: "edge-cert", says: /not a PEM-encoded X\.509 certificate/,
        stack: () => [...secureStack(), res("aws:acm/certificate:Certificate", "edge-cert", { certificateBody: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n" })] },
    // databases
    { title: "unencrypted database storage", policy: "wso2-db-storage-encrypted", on: "db", says: /storage is not encrypted/,
        stack: () => patch(secureStack(), "db", { storageEncrypted: undefined }) },
    { title: "database storage under the AWS managed key", policy: "wso2-db-storage-encrypted", on: "db", says: /AWS managed key \(aws\/rds\)/,
        stack: () => patch(secureStack(), "db", { kmsKeyId: undefined }) },
    { title: "unencrypted Aurora cluster", policy: "wso2-db-storage-encrypted", on: "aurora", says: /storage is not encrypted/,
        stack: () => [...secureStack(), res("aws:rds/cluster:Cluster", "aurora", { engine: "aurora-postgresql", engineVersion: "16.4", vpcSecurityGroupIds: ["sg-db"], deletionProtection: true, skipFinalSnapshot: false, backupRetentionPeriod: 7, dbClusterParameterGroupName: "default.aurora-postgresql16" })] },
    { title: "publicly accessible database", policy: "wso2-db-not-public", on: "db", says: /publicly accessible/,
        stack: () => patch(secureStack(), "db", { publiclyAccessible: true }) },
    { title: "parameter group without rds.force_ssl", policy: "wso2-db-tls-forced", on: "db", says: /does not set rds\.force_ssl = 1/,
        stack: () => patch(secureStack(), "db-params", { parameters: [{ name: "log_connections", value: "1" }] }) },
    { title: "rds.force_ssl = 0", policy: "wso2-db-tls-forced", on: "db", says: /\(it is "0"\)/,
        stack: () => patch(secureStack(), "db-params", { parameters: [{ name: "rds.force_ssl", value: "0" }] }) },
    { title: "PostgreSQL 14 on the default parameter group", policy: "wso2-db-tls-forced", on: "db", says: /default parameter group, where rds\.force_ssl is off/,
        stack: () => patch(secureStack(), "db", { parameterGroupName: undefined }) },
    { title: "MySQL without require_secure_transport", policy: "wso2-db-tls-forced", on: "db", says: /default parameter group, where require_secure_transport is off/,
        stack: () => patch(secureStack(), "db", { engine: "mysql", engineVersion: "8.0", parameterGroupName: "default.mysql8.0" }) },
    { title: "single-AZ production database", policy: "wso2-db-multi-az", on: "db", says: /no standby in a second zone/,
        stack: () => patch(secureStack(), "db", { multiAz: false }) },
    { title: "production database without deletion protection", policy: "wso2-db-deletion-protection", on: "db", says: /deletion protection is off/,
        stack: () => patch(secureStack(), "db", { deletionProtection: undefined }) },
    { title: "production database without a final snapshot", policy: "wso2-db-deletion-protection", on: "db", says: /no final snapshot/,
        stack: () => patch(secureStack(), "db", { skipFinalSnapshot: undefined }) },
    { title: "no automated backups", policy: "wso2-db-backup-retention", on: "db", says: /automated backups are off/,
        stack: () => patch(secureStack(), "db", { backupRetentionPeriod: 0 }) },
    { title: "backups kept 3 days", policy: "wso2-db-backup-retention", on: "db", says: /kept 3 days; at least 7/,
        stack: () => patch(secureStack(), "db", { backupRetentionPeriod: 3 }) },
    { title: "database port open to a network", policy: "wso2-db-port-nodes-only", on: "db-from-nodes", says: /port 5432 of database db's group is open to 10\.0\.0\.0\/8/,
        stack: () => patch(secureStack(), "db-from-nodes", { referencedSecurityGroupId: undefined, cidrIpv4: "10.0.0.0/8" }) },
    { title: "database group open to the world inline", policy: "wso2-db-port-nodes-only", on: "db-sg", says: /\(ingress\[0\]\) of database db's group is open to 0\.0\.0\.0\/0/,
        stack: () => patch(secureStack(), "db-sg", { ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }] }) },
    { title: "database in the default security group", policy: "wso2-db-port-nodes-only", on: "db", says: /VPC's default group/,
        stack: () => patch(secureStack(), "db", { vpcSecurityGroupIds: undefined }) },
];

function show(findings: Finding[]): string {
    return findings.map((f) => `${f.policyName} ${f.urn}: ${f.message}`).join("\n");
}

describe("policies: each policy fires on its violation and not on the hardened stack", () => {
    it("the hardened stack has no finding at all", async () => {
        const findings = await evaluatePack(secureStack());
        assert.deepStrictEqual(findings, [], show(findings));
    });

    it("every policy of the pack has at least one firing case here", () => {
        const covered = new Set(cases.map((c) => c.policy));
        // The Kubernetes policies have their firing and passing cases in test/kubernetes/policies.test.ts.
        assert.deepStrictEqual(rules.map((r) => r.policy.name).filter((n) => !covered.has(n) && !n.startsWith("wso2-k8s-")), []);
    });

    it("judges databases by environment: a dev database needs no standby, deletion protection or a week of backups", async () => {
        const devDb = (changes: Record<string, any>) => patch(secureStack(), "db", { tags: { "wso2-hardening:environment": "dev" }, ...changes });
        const findings = await evaluatePack(devDb({ multiAz: false, deletionProtection: false, skipFinalSnapshot: true, backupRetentionPeriod: 1 }));
        assert.deepStrictEqual(findings, [], show(findings));
        const none = await evaluatePack(devDb({ backupRetentionPeriod: 0 }));
        assert.ok(none.some((f) => f.policyName === "wso2-db-backup-retention" && /environment "dev"/.test(f.message)), show(none));
    });

    it("accepts PostgreSQL 15 and later on the default parameter group (rds.force_ssl is on there), read replicas and cluster members", async () => {
        const findings = await evaluatePack([
            ...patch(secureStack(), "db", { engineVersion: "16.4", parameterGroupName: undefined }),
            res("aws:rds/instance:Instance", "replica", { replicateSourceDb: "db-id", instanceClass: "db.r6g.large", publiclyAccessible: false, vpcSecurityGroupIds: ["sg-db"] }),
        ]);
        assert.deepStrictEqual(findings, [], show(findings));
    });

    it("a database's rule values unknown at preview are unproven, not passed", async () => {
        const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const findings = await evaluatePack(patch(secureStack(), "db", { storageEncrypted: UNKNOWN, backupRetentionPeriod: UNKNOWN }));
        for (const policy of ["wso2-db-storage-encrypted", "wso2-db-backup-retention"]) {
            assert.ok(findings.some((f) => f.policyName === policy && /could not be proven at preview/.test(f.message)), `${policy}:\n${show(findings)}`);
        }
    });

    for (const c of cases) {
        it(`${c.policy}: ${c.title}`, async () => {
            const findings = await evaluatePack(c.stack());
            const mine = findings.filter((f) => f.policyName === c.policy);
            assert.ok(mine.some((f) => f.urn === urnOf(find(c.stack(), c.on).type, c.on) && c.says.test(f.message)), `expected ${c.policy} on ${c.on} saying ${c.says}; got:\n${show(findings)}`);
            // At the policy's own default level (mandatory, or advisory for the certificate expiry).
            const level = rules.find((r) => r.policy.name === c.policy)!.policy.enforcementLevel ?? "mandatory";
            assert.ok(mine.every((f) => f.enforcementLevel === level), show(mine));
            const meta = policyMeta.find((m) => m.name === c.policy)!;
            assert.deepStrictEqual(mine[0].guidelines, meta.guidelines);
        });
    }
});

describe("policies: aliases, joins and unknown values", () => {
    it("judges aws:alb/* load balancers like aws:lb/*", async () => {
        const stack = secureStack().map((r) => (r.type === LB ? { ...r, type: "aws:alb/loadBalancer:LoadBalancer", urn: urnOf("aws:alb/loadBalancer:LoadBalancer", r.name) } : r));
        patch(stack, "edge-alb", { dropInvalidHeaderFields: false });
        const findings = await evaluatePack(without(stack, "edge-waf"));
        const names = findings.map((f) => f.policyName).sort();
        assert.deepStrictEqual(names, ["wso2-lb-drop-invalid-headers", "wso2-lb-waf-attached"]);
    });

    it("joins BucketV2 and its V2 companions", async () => {
        const retype = (r: PlannedResource, type: string) => ({ ...r, type, urn: urnOf(type, r.name) });
        const stack = secureStack().map((r) =>
            r.type === "aws:s3/bucket:Bucket" ? retype(r, "aws:s3/bucketV2:BucketV2") :
            r.type === "aws:s3/bucketVersioning:BucketVersioning" ? retype(r, "aws:s3/bucketVersioningV2:BucketVersioningV2") : r);
        assert.deepStrictEqual(await evaluatePack(stack), []);
        const broken = await evaluatePack(without(stack, "logs-bucket-versioning"));
        assert.deepStrictEqual(broken.map((f) => [f.policyName, f.urn]), [["wso2-bucket-versioned", urnOf("aws:s3/bucketV2:BucketV2", "logs-bucket")]]);
    });

    it("follows unknown references through property dependencies (a first preview)", async () => {
        const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const stack = secureStack();
        const sgNodes = find(stack, "nodes-sg");
        const cluster = find(stack, "nodes-cluster");
        for (const props of [cluster.inputs, cluster.outputs!]) {
            props.securityGroupId = UNKNOWN;
            props.referencedSecurityGroupId = UNKNOWN;
        }
        cluster.propertyDependencies = { securityGroupId: [sgNodes.urn], referencedSecurityGroupId: [sgNodes.urn] };
        const versioning = find(stack, "backup-bucket-versioning");
        versioning.outputs!.bucket = UNKNOWN;
        versioning.propertyDependencies = { bucket: [find(stack, "backup-bucket").urn] };
        assert.deepStrictEqual(await evaluatePack(stack), []);

        // The same rule pointing at the edge group through its dependencies is a violation.
        cluster.propertyDependencies = { securityGroupId: [sgNodes.urn], referencedSecurityGroupId: [find(stack, "edge-sg").urn] };
        const findings = await evaluatePack(stack);
        assert.deepStrictEqual(findings.map((f) => f.policyName), ["wso2-cluster-ports-members-only"]);
        assert.match(findings[0].message, /another security group \(edge-sg\)/);
    });

    it("reports what depends on an unknown value as unproven, never as passing", async () => {
        const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const stack = secureStack();
        patch(stack, "nodes-cluster", { referencedSecurityGroupId: UNKNOWN });
        patch(stack, "nodes-lt", { userData: UNKNOWN });
        patch(stack, "edge-https", { sslPolicy: UNKNOWN });
        patch(stack, "nodes-ssh", { cidrIpv4: UNKNOWN });
        const findings = await evaluatePack(stack);
        const unproven = findings.filter((f) => /could not be proven at preview/.test(f.message)).map((f) => f.policyName).sort();
        assert.deepStrictEqual(unproven, [
            "wso2-cluster-ports-members-only",
            "wso2-lb-tls-policy",
            "wso2-no-literal-credentials",
            "wso2-no-world-open-ports",
        ], show(findings));
        // Unproven findings never block a preview: the engine checks the resource again when it is created.
        assert.deepStrictEqual(findings.filter((f) => f.enforcementLevel !== "advisory"), [], show(findings));
    });

    it("reads gzip-compressed user data", async () => {
        const { gzipSync } = await import("zlib");
        const stack = patch(secureStack(), "nodes-lt", { userData: gzipSync(Buffer.from("password=changeme\n")).toString("base64") });
        const findings = await evaluatePack(stack);
        assert.deepStrictEqual(findings.map((f) => f.policyName), ["wso2-no-literal-credentials"]);
        assert.match(findings[0].message, /"changeme"/);
    });

    it("accepts an existing (external) security group attached to the load balancer", async () => {
        const stack = secureStack();
        patch(stack, "edge-alb", { securityGroups: ["sg-existing"] });
        patch(stack, "edge-https-in", { securityGroupId: "sg-existing" });
        patch(stack, "edge-http-in", { securityGroupId: "sg-existing" });
        assert.deepStrictEqual(await evaluatePack(stack), []);
    });

    it("a deny rule naming only the admin contexts does not stop traversal from an allowed prefix", async () => {
        const stack = patch(secureStack(), "deny-suspicious", { conditions: [{ pathPattern: { regexValues: [DENY_REGEXES[1]] } }] });
        const findings = await evaluatePack(stack);
        assert.deepStrictEqual(findings.map((f) => [f.policyName, f.urn]), [["wso2-lb-admin-contexts-blocked", urnOf("aws:lb/listenerRule:ListenerRule", "forward-devportal")]]);
        assert.match(findings[0].message, /\/devportal\/\.\.\/services\//);
    });

    it("a deny rule with a host condition does not count as blocking", async () => {
        const stack = patch(secureStack(), "deny-suspicious", { conditions: [{ pathPattern: { regexValues: DENY_REGEXES } }, { hostHeader: { values: ["wso2.example.com"] } }] });
        const findings = await evaluatePack(stack);
        assert.deepStrictEqual(findings.map((f) => f.policyName), ["wso2-lb-admin-contexts-blocked"]);
    });

    it("inline self rules and SG ids equal to the group are members-only", async () => {
        const stack = [
            ...secureStack(),
            res(SG, "inline-sg", { ingress: [{ protocol: "tcp", fromPort: 4000, toPort: 4000, self: true }] }, { id: "sg-inline" }),
            res(SGR, "same-id", { type: "ingress", securityGroupId: "sg-external", sourceSecurityGroupId: "sg-external", protocol: "tcp", fromPort: 4000, toPort: 4001 }),
            res(INGRESS, "egress-like", { securityGroupId: "sg-nodes", ipProtocol: "icmp", fromPort: -1, toPort: -1, cidrIpv4: "10.0.0.0/8" }),
        ];
        assert.deepStrictEqual(await evaluatePack(stack), []);
    });
});
