/**
 * A small stack that satisfies every policy of the pack, built as the offline plan describes resources
 * (inputs, outputs with deterministic ids and ARNs), and helpers to break one thing at a time.
 */
import type { PlannedResource } from "../../policies/evaluate";

export const PROJECT = "fixture";

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::${PROJECT}::${type}::${name}`;
}

export function res(type: string, name: string, inputs: Record<string, any>, extra: { id?: string; arn?: string } = {}): PlannedResource {
    const id = extra.id ?? `${name}-id`;
    const outputs: Record<string, any> = { ...inputs, id };
    if (extra.arn) outputs.arn = extra.arn;
    return { urn: urnOf(type, name), type, name, id, inputs, outputs };
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

export const USER_DATA = [
    "#cloud-config",
    "write_files:",
    "  - path: /opt/wso2/wso2am-4.3.0/repository/conf/deployment.toml",
    "    content: |",
    "      [super_admin]",
    '      username = "wso2-superadmin"',
    '      password = "$secret{admin_password}"',
    "      [keystore.primary]",
    '      password = "$secret{keystore_password}"',
    "runcmd:",
    '  - KEYSTORE_PASSWORD="$(aws secretsmanager get-secret-value --secret-id ks --query SecretString --output text)"',
].join("\n");

const TLS_ONLY_POLICY = (bucket: string) =>
    JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "TlsOnly",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });

function bucketWithCompanions(name: string, sse: Record<string, any>): PlannedResource[] {
    return [
        res("aws:s3/bucket:Bucket", name, { bucket: name }, { id: name, arn: `arn:aws:s3:::${name}` }),
        res("aws:s3/bucketVersioning:BucketVersioning", `${name}-versioning`, { bucket: name, versioningConfiguration: { status: "Enabled" } }),
        res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${name}-sse`, {
            bucket: name,
            rules: [{ applyServerSideEncryptionByDefault: sse, bucketKeyEnabled: true }],
        }),
        res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}-pab`, {
            bucket: name,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }),
        res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${name}-lifecycle`, {
            bucket: name,
            rules: [{ id: "expire", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 90 } }],
        }),
        res("aws:s3/bucketPolicy:BucketPolicy", `${name}-policy`, { bucket: name, policy: TLS_ONLY_POLICY(name) }),
    ];
}

/** Deny patterns in the style of the project's edge: path parameters, dot segments, encodings, admin contexts. */
export const DENY_REGEXES = [".*(;|%|\\\\|\\.\\.|//|/\\./).*", "/(services|carbon)(/.*)?"];

export function secureStack(): PlannedResource[] {
    const ingress = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
    return [
        res("aws:ec2/securityGroup:SecurityGroup", "edge-sg", { description: "edge", egress: [] }, { id: "sg-edge" }),
        res("aws:ec2/securityGroup:SecurityGroup", "nodes-sg", { description: "nodes" }, { id: "sg-nodes" }),
        res(ingress, "edge-https-in", { securityGroupId: "sg-edge", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }),
        res(ingress, "edge-http-in", { securityGroupId: "sg-edge", ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv6: "::/0" }),
        res(ingress, "nodes-from-edge", { securityGroupId: "sg-nodes", ipProtocol: "tcp", fromPort: 9443, toPort: 9443, referencedSecurityGroupId: "sg-edge" }),
        res(ingress, "nodes-cluster", { securityGroupId: "sg-nodes", ipProtocol: "tcp", fromPort: 4000, toPort: 4000, referencedSecurityGroupId: "sg-nodes" }),
        res("aws:ec2/securityGroupRule:SecurityGroupRule", "nodes-amqp", { type: "ingress", securityGroupId: "sg-nodes", protocol: "tcp", fromPort: 5672, toPort: 5672, self: true }),
        res(ingress, "nodes-ssh", { securityGroupId: "sg-nodes", ipProtocol: "tcp", fromPort: 2222, toPort: 2222, cidrIpv4: "10.8.0.0/16" }),
        res("aws:ec2/launchTemplate:LaunchTemplate", "nodes-lt", {
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k", volumeType: "gp3" } }],
            networkInterfaces: [{ associatePublicIpAddress: "false", securityGroups: ["sg-nodes"] }],
            userData: b64(USER_DATA),
        }, { id: "lt-nodes" }),
        res("aws:autoscaling/group:Group", "nodes-asg", { minSize: 2, maxSize: 4, vpcZoneIdentifiers: ["subnet-a", "subnet-b"], launchTemplate: { id: "lt-nodes", version: "$Latest" } }),
        res("aws:lb/loadBalancer:LoadBalancer", "edge-alb", {
            loadBalancerType: "application",
            internal: false,
            securityGroups: ["sg-edge"],
            subnets: ["subnet-pa", "subnet-pb"],
            accessLogs: { bucket: "logs-bucket", enabled: true },
            enableDeletionProtection: true,
            dropInvalidHeaderFields: true,
            desyncMitigationMode: "strictest",
        }, { arn: "arn:lb/edge" }),
        res("aws:lb/listener:Listener", "edge-https", {
            loadBalancerArn: "arn:lb/edge",
            port: 443,
            protocol: "HTTPS",
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            certificateArn: "arn:acm/cert",
            defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }],
        }, { arn: "arn:listener/https" }),
        res("aws:lb/listener:Listener", "edge-http", {
            loadBalancerArn: "arn:lb/edge",
            port: 80,
            protocol: "HTTP",
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        }, { arn: "arn:listener/http" }),
        res("aws:lb/listenerRule:ListenerRule", "deny-suspicious", {
            listenerArn: "arn:listener/https",
            priority: 1,
            actions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }],
            conditions: [{ pathPattern: { regexValues: DENY_REGEXES } }],
        }),
        res("aws:lb/listenerRule:ListenerRule", "forward-devportal", {
            listenerArn: "arn:listener/https",
            priority: 10,
            actions: [{ type: "forward", forward: { targetGroups: [{ arn: "arn:tg/9443", weight: 100 }] } }],
            conditions: [{ pathPattern: { values: ["/devportal", "/devportal/*", "/api/am/devportal/*"] } }],
        }),
        res("aws:wafv2/webAclAssociation:WebAclAssociation", "edge-waf", { resourceArn: "arn:lb/edge", webAclArn: "arn:waf/acl" }),
        ...bucketWithCompanions("backup-bucket", { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-west-1:1:key/k" }),
        ...bucketWithCompanions("logs-bucket", { sseAlgorithm: "AES256" }),
        res("aws:s3/bucketLogging:BucketLogging", "backup-bucket-logging", { bucket: "backup-bucket", targetBucket: "logs-bucket", targetPrefix: "backups/" }),
        res("aws:kms/key:Key", "backup-key", { enableKeyRotation: true, deletionWindowInDays: 30 }, { arn: "arn:aws:kms:eu-west-1:1:key/k" }),
        res("aws:secretsmanager/secret:Secret", "admin-secret", { kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k" }),
        res("aws:cloudwatch/logGroup:LogGroup", "wso2-logs", { retentionInDays: 365 }),
        // The shared database: its own group admitting only the nodes' group, TLS forced, production settings.
        res("aws:ec2/securityGroup:SecurityGroup", "db-sg", { description: "database" }, { id: "sg-db" }),
        res(ingress, "db-from-nodes", { securityGroupId: "sg-db", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-nodes" }),
        res("aws:rds/parameterGroup:ParameterGroup", "db-params", { name: "db-params-1a2b3c", family: "postgres14", parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }] }, { id: "db-params-1a2b3c" }),
        res("aws:rds/instance:Instance", "db", {
            engine: "postgres",
            engineVersion: "14",
            instanceClass: "db.r6g.large",
            storageEncrypted: true,
            kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k",
            publiclyAccessible: false,
            vpcSecurityGroupIds: ["sg-db"],
            parameterGroupName: "db-params-1a2b3c",
            multiAz: true,
            deletionProtection: true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: "db-final",
            backupRetentionPeriod: 14,
            manageMasterUserPassword: true,
        }),
    ];
}

export function find(stack: PlannedResource[], name: string): PlannedResource {
    const r = stack.find((x) => x.name === name);
    if (!r) throw new Error(`fixture has no resource ${name}`);
    return r;
}

/** Changes inputs and outputs of one resource alike (undefined deletes a key). */
export function patch(stack: PlannedResource[], name: string, changes: Record<string, any>): PlannedResource[] {
    const r = find(stack, name);
    for (const target of [r.inputs, r.outputs!]) {
        for (const [k, v] of Object.entries(changes)) {
            if (v === undefined) delete target[k];
            else target[k] = v;
        }
    }
    return stack;
}

export function without(stack: PlannedResource[], ...names: string[]): PlannedResource[] {
    return stack.filter((r) => !names.includes(r.name));
}

export { b64 };
