/**
 * The prod stack, planned under the SDK's mocks with `stacks/Pulumi.prod.yaml`: what the [Foundation]
 * issue's "Must show" lists for the prod plan, read from the registered resources.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import { PRODUCTS } from "../../products";
import { CLUSTER_TAG_KEY } from "../../components/aws/common";
import { ACCOUNT, decodeUserData, MOCK_PASSWORD, Plan, PlannedResource, runStack, stackConfig, StackRun } from "./harness";

const T = {
    asg: "aws:autoscaling/group:Group",
    lt: "aws:ec2/launchTemplate:LaunchTemplate",
    subnet: "aws:ec2/subnet:Subnet",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    kmsKey: "aws:kms/key:Key",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    webAclAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
    bucket: "aws:s3/bucket:Bucket",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    logging: "aws:s3/bucketLogging:BucketLogging",
    replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    backupPlan: "aws:backup/plan:Plan",
    backupVault: "aws:backup/vault:Vault",
    backupSelection: "aws:backup/selection:Selection",
    password: "random:index/randomPassword:RandomPassword",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    flowLog: "aws:ec2/flowLog:FlowLog",
    route: "aws:ec2/route:Route",
    instance: "aws:ec2/instance:Instance",
};

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

/**
 * AWS Backup's documented assignment of a resource to a selection (API_BackupSelection, "Assigning
 * resources programmatically"): `resources` OR `selectionTags` (ListOfTags), AND every `conditions`
 * entry, AND NOT `notResources`. Only StringEquals conditions are modelled (all the components use).
 */
function awsBackupSelects(selection: any, resource: { arn: string; tags: Record<string, string> }): boolean {
    const glob = (pattern: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    const byArn = (selection.resources ?? []).some((p: string) => glob(p).test(resource.arn));
    const byTag = (selection.selectionTags ?? []).some((t: any) => t.type === "STRINGEQUALS" && resource.tags[t.key] === t.value);
    const hasResources = (selection.resources ?? []).length > 0;
    const hasTags = (selection.selectionTags ?? []).length > 0;
    const chosen = hasResources || hasTags ? byArn || byTag : true;
    const conditions = (selection.conditions ?? []).flatMap((c: any) => c.stringEquals ?? []);
    const allConditions = conditions.every((c: any) => resource.tags[c.key.replace(/^aws:ResourceTag\//, "")] === c.value);
    const excluded = (selection.notResources ?? []).some((p: string) => glob(p).test(resource.arn));
    return chosen && allConditions && !excluded;
}

describe("aws: prod plan (stacks/Pulumi.prod.yaml under mocks)", function () {
    let run: StackRun;
    let plan: Plan;
    let nodeSg: PlannedResource;
    let edgeSg: PlannedResource;
    const config = stackConfig("prod");
    const product = PRODUCTS.apim;

    before(async () => {
        run = await runStack("prod");
        if (run.error) throw run.error;
        plan = new Plan(run.resources);
        nodeSg = plan.one(T.sg, "wso2-prod-nodes");
        edgeSg = plan.one(T.sg, "wso2-prod-edge");
    });

    const rulesOf = (sg: PlannedResource, type: string) => plan.ofType(type).filter((r) => r.inputs.securityGroupId === sg.id);
    const keyWithRotation = (arn: string) => {
        const key = plan.byArn(arn);
        assert.ok(key && key.type === T.kmsKey, `${arn} is a customer key of this stack`);
        assert.equal(key.inputs.enableKeyRotation, true, `${key.name} rotates`);
        return key;
    };

    it("reads the prod stack file: prod, apim, three nodes over three zones", () => {
        assert.equal(config["wso2-hardening:environment"], "prod");
        assert.equal(run.outputs.environment, "prod");
        assert.equal(run.outputs.clusterName, "wso2-prod");
    });

    describe("nodes", () => {
        it("runs two or more nodes across two or more private subnets in distinct zones", () => {
            const asg = plan.one(T.asg);
            assert.ok(asg.inputs.minSize >= 2 && asg.inputs.desiredCapacity >= 2, "min and desired >= 2");
            assert.equal(asg.inputs.desiredCapacity, 3);
            const subnets = (asg.inputs.vpcZoneIdentifiers as string[]).map((id) => plan.byId(id)!);
            assert.ok(subnets.length >= 2 && subnets.every((s) => s?.type === T.subnet), "ASG subnets are subnets of the plan");
            assert.ok(subnets.every((s) => /-private-/.test(s.name) && s.inputs.mapPublicIpOnLaunch === false));
            const zones = new Set(subnets.map((s) => s.inputs.availabilityZone));
            assert.equal(zones.size, 3, `zones: ${[...zones].join(", ")}`);
            // Private: their route tables send 0.0.0.0/0 to a NAT gateway, never the internet gateway.
            const privateDefaults = plan.ofType(T.route).filter((r) => /-private-/.test(r.name));
            assert.equal(privateDefaults.length, 3);
            assert.ok(privateDefaults.every((r) => r.inputs.natGatewayId && !r.inputs.gatewayId));
        });

        it("checks node health through the load balancer, registering every target group", () => {
            const asg = plan.one(T.asg);
            assert.equal(asg.inputs.healthCheckType, "ELB");
            const arns = plan.ofType(T.targetGroup).map((t) => t.state.arn).sort();
            assert.deepEqual([...(asg.inputs.targetGroupArns as string[])].sort(), arns);
        });

        it("requires IMDSv2 with hop limit 1", () => {
            const lt = plan.one(T.lt);
            assert.equal(lt.inputs.metadataOptions.httpTokens, "required");
            assert.equal(lt.inputs.metadataOptions.httpPutResponseHopLimit, 1);
            assert.equal(lt.inputs.metadataOptions.httpEndpoint, "enabled");
        });

        it("encrypts every volume (gp3) with a rotating customer key", () => {
            const lt = plan.one(T.lt);
            const devices = lt.inputs.blockDeviceMappings as any[];
            assert.ok(devices.length >= 1);
            for (const d of devices) {
                assert.equal(d.ebs.encrypted, "true");
                assert.equal(d.ebs.volumeType, "gp3");
                keyWithRotation(d.ebs.kmsKeyId);
            }
        });

        it("lets only this account's auto-scaling role use the volume key besides IAM", () => {
            const lt = plan.one(T.lt);
            const key = plan.byArn(lt.inputs.blockDeviceMappings[0].ebs.kmsKeyId)!;
            const policy = JSON.parse(key.inputs.policy);
            const open = policy.Statement.filter((s: any) => s.Principal?.AWS === "*");
            assert.equal(open.length, 2);
            for (const s of open) {
                assert.equal(
                    s.Condition.StringEquals["aws:PrincipalArn"],
                    `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
                );
                assert.equal(s.Condition.StringEquals["kms:CallerAccount"], ACCOUNT);
            }
        });

        it("gives nodes no public IP and launches no stand-alone instance", () => {
            const lt = plan.one(T.lt);
            const nics = lt.inputs.networkInterfaces as any[];
            assert.equal(nics.length, 1);
            assert.equal(nics[0].associatePublicIpAddress, "false");
            assert.deepEqual(nics[0].securityGroups, [nodeSg.id]);
            assert.equal(plan.ofType(T.instance).length, 0);
            assert.ok(plan.ofType(T.subnet).every((s) => s.inputs.mapPublicIpOnLaunch === false));
        });

        it("enables detailed monitoring and tags instances and volumes with the cluster", () => {
            const lt = plan.one(T.lt);
            assert.equal(lt.inputs.monitoring.enabled, true);
            const kinds = (lt.inputs.tagSpecifications as any[]).map((t) => [t.resourceType, t.tags[CLUSTER_TAG_KEY]]);
            assert.deepEqual(kinds, [
                ["instance", "wso2-prod"],
                ["volume", "wso2-prod"],
            ]);
        });
    });

    describe("security groups", () => {
        it("uses separate rule resources, each described", () => {
            for (const sg of [nodeSg, edgeSg]) {
                assert.equal(sg.inputs.ingress, undefined);
                assert.equal(sg.inputs.egress, undefined);
                assert.ok(sg.inputs.description);
            }
            for (const rule of [...plan.ofType(T.ingress), ...plan.ofType(T.egress)]) {
                assert.ok(typeof rule.inputs.description === "string" && rule.inputs.description.length > 10, `${rule.name} is described`);
            }
        });

        it("opens clustering ports only to the nodes' own group", () => {
            for (const port of product.clusteringPorts) {
                const rules = plan.ofType(T.ingress).filter((r) => r.inputs.fromPort <= port && port <= r.inputs.toPort);
                assert.ok(rules.length >= 1, `a rule for ${port}`);
                for (const r of rules) {
                    assert.equal(r.inputs.securityGroupId, nodeSg.id, `${r.name} is on the nodes' group`);
                    assert.equal(r.inputs.referencedSecurityGroupId, nodeSg.id, `${r.name} admits only the nodes' group`);
                }
            }
        });

        it("opens nothing to the world but the edge's 80 and 443", () => {
            const world = plan.ofType(T.ingress).filter((r) => WORLD.has(r.inputs.cidrIpv4) || WORLD.has(r.inputs.cidrIpv6));
            assert.ok(world.length >= 2);
            for (const r of world) {
                assert.equal(r.inputs.securityGroupId, edgeSg.id, `${r.name} is on the edge group`);
                assert.ok([80, 443].includes(r.inputs.fromPort) && r.inputs.fromPort === r.inputs.toPort, `${r.name} opens 80 or 443 only`);
            }
            const lb = plan.one(T.lb);
            assert.deepEqual(lb.inputs.securityGroups, [edgeSg.id]);
        });

        it("admits the nodes' service ports only from the edge group, and no SSH", () => {
            for (const r of rulesOf(nodeSg, T.ingress)) {
                assert.ok([edgeSg.id, nodeSg.id].includes(r.inputs.referencedSecurityGroupId), `${r.name} admits a group, not a network`);
                if (r.inputs.referencedSecurityGroupId === edgeSg.id) assert.ok(product.servicePorts.includes(r.inputs.fromPort));
            }
            assert.ok(!plan.ofType(T.ingress).some((r) => r.inputs.fromPort <= 22 && 22 <= r.inputs.toPort));
        });

        it("lets the edge out only to the nodes", () => {
            const out = rulesOf(edgeSg, T.egress);
            assert.ok(out.length >= 1);
            assert.ok(out.every((r) => r.inputs.referencedSecurityGroupId === nodeSg.id));
        });
    });

    describe("edge", () => {
        it("drops invalid headers, mitigates desync strictly, is protected, logs access", () => {
            const lb = plan.one(T.lb);
            assert.equal(lb.inputs.dropInvalidHeaderFields, true);
            assert.equal(lb.inputs.desyncMitigationMode, "strictest");
            assert.equal(lb.inputs.enableDeletionProtection, true);
            assert.equal(lb.inputs.internal, false);
            assert.equal(lb.inputs.accessLogs.enabled, true);
            const logBucket = plan.ofType(T.bucket).find((b) => b.id === lb.inputs.accessLogs.bucket);
            assert.ok(logBucket, "access logs go to a bucket of this stack");
            // The load balancer sits in the public subnets.
            const subnets = (lb.inputs.subnets as string[]).map((id) => plan.byId(id)!);
            assert.ok(subnets.length >= 2 && subnets.every((s) => /-public-/.test(s.name)));
        });

        it("terminates TLS 1.2+ on 443 with a 404 default", () => {
            const lb = plan.one(T.lb);
            const https = plan.ofType(T.listener).filter((l) => l.inputs.loadBalancerArn === lb.state.arn && l.inputs.protocol === "HTTPS");
            assert.equal(https.length, 1);
            assert.equal(https[0].inputs.port, 443);
            assert.equal(https[0].inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
            assert.equal(https[0].inputs.defaultActions[0].type, "fixed-response");
            assert.equal(https[0].inputs.defaultActions[0].fixedResponse.statusCode, "404");
        });

        it("redirects HTTP to HTTPS and forwards nothing over HTTP", () => {
            const http = plan.ofType(T.listener).filter((l) => l.inputs.protocol === "HTTP");
            assert.equal(http.length, 1);
            assert.equal(http[0].inputs.port, 80);
            assert.deepEqual(http[0].inputs.defaultActions.map((a: any) => [a.type, a.redirect?.protocol, a.redirect?.port]), [["redirect", "HTTPS", "443"]]);
            assert.ok(!plan.ofType(T.listenerRule).some((r) => r.inputs.listenerArn === http[0].state.arn));
        });

        it("forwards only to this cluster's target groups", () => {
            const arns = new Set(plan.ofType(T.targetGroup).map((t) => t.state.arn));
            const forwards = plan.ofType(T.listenerRule).flatMap((r) => (r.inputs.actions as any[]).filter((a) => a.type === "forward"));
            assert.ok(forwards.length >= 1);
            for (const f of forwards) for (const tg of f.forward.targetGroups) assert.ok(arns.has(tg.arn));
            for (const tg of plan.ofType(T.targetGroup)) {
                assert.equal(tg.inputs.protocol, "HTTPS");
                assert.equal(tg.inputs.healthCheck.path, product.healthChecks[0].path);
            }
        });

        it("validates its certificate in one update: the DNS record in route53ZoneId, the validation waiting on that record", () => {
            const certificate = plan.one("aws:acm/certificate:Certificate");
            assert.equal(certificate.inputs.domainName, "api.example.com");
            const record = plan.one("aws:route53/record:Record");
            assert.equal(record.inputs.zoneId, config["wso2-hardening:route53ZoneId"]);
            const [option] = certificate.state.domainValidationOptions;
            assert.deepEqual([record.inputs.name, record.inputs.type, record.inputs.records], [option.resourceRecordName, option.resourceRecordType, [option.resourceRecordValue]]);
            const validation = plan.one("aws:acm/certificateValidation:CertificateValidation");
            assert.equal(validation.inputs.certificateArn, certificate.state.arn);
            assert.deepEqual(validation.inputs.validationRecordFqdns, [record.state.fqdn]);
            const https = plan.ofType(T.listener).find((l) => l.inputs.protocol === "HTTPS")!;
            assert.equal(https.inputs.certificateArn, validation.state.certificateArn ?? certificate.state.arn);
        });

        it("attaches a WAF web ACL with managed rule groups and a rate limit", () => {
            const lb = plan.one(T.lb);
            const acl = plan.one(T.webAcl);
            const association = plan.one(T.webAclAssociation);
            assert.equal(association.inputs.resourceArn, lb.state.arn);
            assert.equal(association.inputs.webAclArn, acl.state.arn);
            const statements = (acl.inputs.rules as any[]).map((r) => r.statement);
            assert.ok(statements.some((s) => s.managedRuleGroupStatement), "managed rule groups");
            assert.ok(statements.some((s) => s.rateBasedStatement), "rate limit");
        });
    });

    describe("backups", () => {
        const backupBucket = () => plan.one(T.bucket, "wso2-prod-backups");
        const configOf = (type: string, bucket: PlannedResource) => {
            const found = plan.ofType(type).filter((r) => r.inputs.bucket === bucket.id);
            assert.equal(found.length, 1, `one ${type} for ${bucket.name}`);
            return found[0].inputs;
        };

        it("versions the backup bucket and encrypts it with a rotating customer key", () => {
            const b = backupBucket();
            assert.equal(configOf(T.versioning, b).versioningConfiguration.status, "Enabled");
            const [rule] = configOf(T.sse, b).rules;
            assert.equal(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
            keyWithRotation(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId);
        });

        it("blocks all public access, disables ACLs and denies non-TLS requests", () => {
            const b = backupBucket();
            const pab = configOf(T.pab, b);
            for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab[k], true, k);
            assert.equal(configOf(T.ownership, b).rule.objectOwnership, "BucketOwnerEnforced");
            const policy = JSON.parse(configOf(T.bucketPolicy, b).policy);
            assert.ok(
                policy.Statement.some(
                    (s: any) => s.Effect === "Deny" && s.Principal === "*" && s.Condition?.Bool?.["aws:SecureTransport"] === "false",
                ),
            );
        });

        const replicaBucket = () => plan.byArn(configOf(T.replication, backupBucket()).rules[0].destination.bucket)!;

        /** Rules S3 refuses: `days` beside `expiredObjectDeleteMarker`, an expiration not after a transition. */
        const assertS3AcceptsLifecycle = (rules: any[]) => {
            for (const r of rules) {
                assert.ok(!(r.expiration?.days !== undefined && r.expiration?.expiredObjectDeleteMarker !== undefined), `${r.id}: days with expiredObjectDeleteMarker`);
                for (const t of r.transitions ?? []) assert.ok(r.expiration?.days === undefined || r.expiration.days > t.days, `${r.id}: expiration after transition`);
            }
        };

        it("expires archives after backupRetentionDays, noncurrent versions too, in both regions", () => {
            for (const bucket of [backupBucket(), replicaBucket()]) {
                // Node backups (nodes/<cluster>/...) expire; the nodes' steps bundles (steps/...) must not.
                const rules = (configOf(T.lifecycle, bucket).rules as any[]).filter((r) => r.status === "Enabled" && JSON.stringify(r.filter) === '{"prefix":"nodes/"}');
                // Archives have unique keys: only expiring current versions ever ends their life.
                assert.ok(rules.some((r) => r.expiration?.days === 90), `${bucket.name}: current versions expire after 90 days`);
                const noncurrent = rules.map((r) => r.noncurrentVersionExpiration?.noncurrentDays).filter((d) => d !== undefined);
                assert.ok(noncurrent.length > 0 && Math.max(...noncurrent) <= 90, `${bucket.name}: noncurrent versions expire`);
                assert.ok(rules.some((r) => r.expiration?.expiredObjectDeleteMarker === true), `${bucket.name}: lone delete markers removed`);
                assert.ok(rules.some((r) => r.abortIncompleteMultipartUpload?.daysAfterInitiation > 0));
                assertS3AcceptsLifecycle(rules);
            }
        });

        it("holds the nodes' steps bundle that the user data names by SHA-256; it and the cluster keystore are outside every expiring rule", () => {
            const object = plan.one("aws:s3/bucketObjectv2:BucketObjectv2");
            assert.equal(object.inputs.bucket, backupBucket().state.bucket ?? backupBucket().inputs.bucket);
            const content = Buffer.from(object.inputs.contentBase64, "base64");
            const sha256 = createHash("sha256").update(content).digest("hex");
            assert.equal(object.inputs.key, `steps/wso2-prod/${sha256}.tar.gz`);
            const env = run.artifacts.find((a) => a.path.endsWith("/node.env"))!.content;
            assert.match(env, new RegExp(`^STEPS_S3_URI='s3://${object.inputs.bucket}/${object.inputs.key}'$`, "m"));
            assert.match(env, new RegExp(`^STEPS_SHA256='${sha256}'$`, "m"));
            // Nor the cluster's shared keystore: a node launched after the retention period would generate another key.
            const keystoreKey = `${/^KEYSTORE_S3_PREFIX='([^']+)'$/m.exec(env)![1]}/wso2carbon.jks`;
            for (const rule of configOf(T.lifecycle, backupBucket()).rules as any[]) {
                assert.ok(rule.filter?.prefix && !object.inputs.key.startsWith(rule.filter.prefix), `rule ${rule.id} would expire the steps`);
                assert.ok(!keystoreKey.startsWith(rule.filter.prefix), `rule ${rule.id} would expire the cluster keystore ${keystoreKey}`);
            }
            const role = plan.ofType("aws:iam/rolePolicy:RolePolicy").map((r) => JSON.parse(r.inputs.policy)).find((d) => d.Statement.some((x: any) => x.Sid === "ReadOwnClustersSteps"));
            const read = role.Statement.find((x: any) => x.Sid === "ReadOwnClustersSteps");
            assert.deepEqual([read.Action, read.Resource], ["s3:GetObject", `arn:aws:s3:::${object.inputs.bucket}/steps/wso2-prod/*`]);
        });

        it("logs access to a separate bucket", () => {
            const logging = configOf(T.logging, backupBucket());
            const target = plan.byId(logging.targetBucket);
            assert.ok(target && target.type === T.bucket && target.id !== backupBucket().id);
        });

        it("logs the replica's access to a hardened bucket in the replica's region", () => {
            const replica = replicaBucket();
            const logging = configOf(T.logging, replica);
            assert.equal(logging.region, "eu-central-1");
            const target = plan.byId(logging.targetBucket)!;
            assert.ok(target && target.type === T.bucket && target.id !== replica.id && target.id !== backupBucket().id);
            assert.equal(target.inputs.region, "eu-central-1", "S3 delivers access logs only within a region");
            assert.ok(target.protect, "protected in prod");
            assert.equal(configOf(T.versioning, target).versioningConfiguration.status, "Enabled");
            assert.equal(configOf(T.sse, target).rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
            const pab = configOf(T.pab, target);
            for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab[k], true, k);
            assert.equal(configOf(T.ownership, target).rule.objectOwnership, "BucketOwnerEnforced");
            const policy = JSON.parse(configOf(T.bucketPolicy, target).policy);
            assert.ok(policy.Statement.some((st: any) => st.Effect === "Deny" && st.Condition?.Bool?.["aws:SecureTransport"] === "false"));
            const delivery = policy.Statement.find((st: any) => st.Principal?.Service === "logging.s3.amazonaws.com");
            assert.equal(delivery.Condition.ArnLike["aws:SourceArn"], replica.state.arn, "only the replica's logs");
            const [rule] = configOf(T.lifecycle, target).rules;
            assert.equal(rule.expiration.days, 365);
        });

        it("replicates to the second region, encrypted there with a key of that region", () => {
            const replication = configOf(T.replication, backupBucket());
            const [rule] = replication.rules;
            assert.equal(rule.status, "Enabled");
            const replica = plan.byArn(rule.destination.bucket)!;
            assert.equal(replica.type, T.bucket);
            assert.equal(replica.inputs.region, "eu-central-1");
            const replicaKey = keyWithRotation(rule.destination.encryptionConfiguration.replicaKmsKeyId);
            assert.equal(replicaKey.inputs.region, "eu-central-1");
            assert.equal(configOf(T.versioning, replica).versioningConfiguration.status, "Enabled");
        });

        it("protects buckets and keys from deletion in prod", () => {
            assert.ok(backupBucket().protect);
            assert.ok(plan.byArn(backupBucket().state.arn)!.protect);
            for (const key of plan.ofType(T.kmsKey).filter((k) => /backups|credentials/.test(k.name))) assert.ok(key.protect, `${key.name} is protected`);
        });

        it("backs up the nodes' volumes daily with AWS Backup, copied to the second region", () => {
            const backupPlan = plan.one(T.backupPlan);
            const [rule] = backupPlan.inputs.rules;
            assert.match(rule.schedule, /^cron\(/);
            assert.equal(rule.lifecycle.deleteAfter, 90);
            const copyVault = plan.ofType(T.backupVault).find((v) => v.state.arn === rule.copyActions[0].destinationVaultArn)!;
            assert.equal(copyVault.inputs.region, "eu-central-1");
            const selection = plan.one(T.backupSelection).inputs;
            const volume = (cluster?: string) => ({ arn: "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc", tags: (cluster ? { [CLUSTER_TAG_KEY]: cluster } : {}) as Record<string, string> });
            assert.ok(awsBackupSelects(selection, volume("wso2-prod")), "this cluster's volumes");
            assert.ok(!awsBackupSelects(selection, volume()), "not the account's other volumes");
            assert.ok(!awsBackupSelects(selection, volume("wso2-staging")), "not another stack's volumes");
            const instance = { arn: "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc", tags: { [CLUSTER_TAG_KEY]: "wso2-prod" } };
            assert.ok(!awsBackupSelects(selection, instance), "not the instances (their volumes are backed up already)");
            for (const vault of plan.ofType(T.backupVault)) keyWithRotation(vault.inputs.kmsKeyArn);
        });
    });

    describe("admin credentials", () => {
        it("generates the admin password and keeps it in Secrets Manager under a customer key", () => {
            assert.ok(plan.ofType(T.password).length >= 1);
            const adminSecret = plan.byArn(run.outputs.adminSecretArn)!;
            assert.equal(adminSecret.type, T.secret);
            keyWithRotation(adminSecret.inputs.kmsKeyId);
            const version = plan.ofType(T.secretVersion).find((v) => v.inputs.secretId === adminSecret.id)!;
            assert.deepEqual(JSON.parse(version.inputs.secretString), { username: "wso2-superadmin", password: MOCK_PASSWORD });
        });

        it("never puts the password in user data or a rendered file; nodes read the secret at boot", () => {
            const userData = decodeUserData(plan.one(T.lt).inputs.userData);
            assert.match(userData, /^#cloud-config/);
            assert.ok(!userData.includes(MOCK_PASSWORD), "password not in user data");
            assert.ok(userData.includes(run.outputs.adminSecretArn), "user data names the secret to read");
            assert.ok(run.artifacts.length > 0);
            for (const a of run.artifacts) assert.ok(!a.content.includes(MOCK_PASSWORD), `password not in ${a.path}`);
        });

        it("lets the node role read only this stack's secrets and put only under its backup and keystore prefixes", () => {
            const nodePolicy = plan.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "wso2-prod-node")!;
            const doc = JSON.parse(nodePolicy.inputs.policy);
            // This stack's secrets, and the one RDS keeps the database's master password in.
            const readable = doc.Statement.filter((s: any) => [s.Action].flat().includes("secretsmanager:GetSecretValue")).flatMap((s: any) => s.Resource);
            const rdsManaged = plan.ofType("aws:rds/instance:Instance").flatMap((db) => db.state.masterUserSecrets.map((m: any) => m.secretArn));
            assert.deepEqual([...readable].sort(), [...plan.ofType(T.secret).map((s) => s.state.arn), ...rdsManaged].sort());
            const put = doc.Statement.find((s: any) => s.Action === "s3:PutObject");
            assert.deepEqual(put.Resource, [`${backupBucketArn()}/nodes/wso2-prod/*`, `${backupBucketArn()}/keystore/wso2-prod/*`]);
            // The install step reads exactly the stack's distribution object, and the user data carries its checksum.
            const uri = stackConfig("prod")["wso2-hardening:distributionS3Uri"] as string;
            const sha = stackConfig("prod")["wso2-hardening:distributionSha256"] as string;
            const dist = doc.Statement.filter((s: any) => s.Resource === `arn:aws:s3:::${uri.slice("s3://".length)}`);
            assert.deepEqual(dist.map((s: any) => s.Action), ["s3:GetObject"]);
            const userData = decodeUserData(plan.one(T.lt).inputs.userData);
            assert.ok(userData.includes(`DIST_S3_URI='${uri}'`) && userData.includes(`DIST_SHA256='${sha}'`), "the node verifies the stack's distribution");
            assert.ok(!doc.Statement.some((s: any) => [s.Action].flat().some((a: string) => /^s3:Delete/.test(a))), "nodes never delete");
            const attached = plan.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => /wso2-prod-node/.test(a.name));
            assert.deepEqual(attached.map((a) => a.inputs.policyArn), ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
        });
        const backupBucketArn = () => plan.one(T.bucket, "wso2-prod-backups").state.arn;
    });

    describe("network", () => {
        it("logs VPC flows to an encrypted log group", () => {
            const flow = plan.one(T.flowLog);
            assert.equal(flow.inputs.trafficType, "ALL");
            const group = plan.byArn(flow.inputs.logDestination)!;
            keyWithRotation(group.inputs.kmsKeyId);
            assert.equal(group.inputs.retentionInDays, 365);
        });

        it("empties the VPC's default security group", () => {
            const sg = plan.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
            assert.equal(sg.inputs.ingress, undefined);
            assert.equal(sg.inputs.egress, undefined);
        });

        it("uses the account from the provider in key policies", () => {
            const policies = plan.ofType(T.kmsKey).filter((k) => k.inputs.policy).map((k) => JSON.parse(k.inputs.policy));
            assert.ok(policies.length >= 2);
            for (const p of policies) assert.equal(p.Statement[0].Principal.AWS, `arn:aws:iam::${ACCOUNT}:root`);
        });
    });
});

describe("aws: bad configuration registers nothing", () => {
    const prod = stackConfig("prod");
    const cases: [string, Record<string, string>, string][] = [
        ["nodeCount 1 in prod", { "wso2-hardening:nodeCount": "1" }, "nodeCount"],
        ["unknown product", { "wso2-hardening:product": "esb" }, "product"],
        ["SSH from anywhere in prod", { "wso2-hardening:sshSourceCidrs": '["::/0"]' }, "sshSourceCidrs"],
        ["an instance type of unknown memory", { "wso2-hardening:instanceType": "u7i-12tb.224xlarge" }, "instanceMemoryMiB"],
        ["a replica in the stack's own region", { "wso2-hardening:backupReplicaRegion": "eu-west-1" }, "backupReplicaRegion"],
        ["neither a hosted zone nor a certificate for the edge", { "wso2-hardening:route53ZoneId": "" }, "route53ZoneId"],
        [
            "a certificate of another region than the load balancer's",
            { "wso2-hardening:route53ZoneId": "", "wso2-hardening:certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d" },
            "certificateArn",
        ],
    ];
    for (const [what, override, key] of cases) {
        it(`${what}: a ConfigError naming ${key}, zero resources`, async () => {
            const run = await runStack("prod", { ...prod, ...override });
            assert.ok(run.error, "the program fails");
            assert.equal(run.error.name, "ConfigError");
            assert.match(run.error.message, new RegExp(`wso2-hardening:${key} = `));
            assert.deepEqual(run.resources, []);
            assert.deepEqual(run.artifacts, []);
        });
    }
});
