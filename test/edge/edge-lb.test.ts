/** `EdgeLoadBalancer` under Pulumi mocks: the resources it registers and the artifact it records. */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseSettings, type Settings } from "../../config/settings";
import { PRODUCTS, type ProductSpec } from "../../products";
import { drainArtifacts } from "../../components/artifacts";
import { albRoutingRules, renderNginxConfig } from "../../components/edge";
import type * as EdgeModule from "../../components/aws/edge";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

const ACCOUNT = "111122223333";
const ELB_ACCOUNT_ARN = "arn:aws:iam::156460612806:root";
const ZONE = "Z0123456789ABCDEFGHIJ";

function settingsOf(raw: Record<string, string>): Settings {
    const all: Record<string, string> = { environment: "prod", backupReplicaRegion: "eu-central-1", distributionS3Uri: "s3://releases/wso2am-4.3.0.zip", distributionSha256: "918c56cd2bfbb6d848542629c4395cad23d3076e53338c2ac6460835c6ec890f", domainName: "api.example.com", route53ZoneId: ZONE, ...raw };
    return parseSettings((k) => all[k]);
}

/** The component's arguments from stack settings, as stacks/index.ts maps them. */
function edgeArgs(settings: Settings, product: ProductSpec, targets: EdgeModule.EdgeTarget[]): Omit<EdgeModule.EdgeLoadBalancerArgs, "vpcId" | "publicSubnetIds" | "securityGroupIds"> {
    const { domainName, environment, certificateArn, route53ZoneId, publicPaths, logRetentionDays, deletionProtection, stickinessSeconds } = settings;
    return { product: product.id, targets, domainName, environment, certificateArn, route53ZoneId, publicPaths, logRetentionDays, deletionProtection, stickinessSeconds };
}

describe("edge: EdgeLoadBalancer under mocks", function () {
    this.timeout(60_000);
    let registered: Registered[] = [];
    // The region of the provider the component's invokes reach (the default provider's here).
    let providerRegion = "eu-west-1";
    let edge: typeof EdgeModule;
    const waitForRPCs: () => Promise<void> = require("@pulumi/pulumi/runtime/settings").waitForRPCs;

    before(async function () {
        await pulumi.runtime.setMocks(
            {
                newResource: (a) => {
                    registered.push({ type: a.type, name: a.name, inputs: a.inputs });
                    const state: Record<string, unknown> = { ...a.inputs, arn: `arn:aws:mock:${a.type}:${a.name}` };
                    if (a.type === "aws:s3/bucket:Bucket") state.bucket = `${a.name}-bucket`;
                    if (a.type === "aws:lb/loadBalancer:LoadBalancer") state.dnsName = `${a.name}.elb.amazonaws.com`;
                    if (a.type === "aws:route53/record:Record") state.fqdn = String(a.inputs.name).replace(/\.$/, "");
                    if (a.type === "aws:acm/certificate:Certificate") {
                        state.domainValidationOptions = [
                            { domainName: a.inputs.domainName, resourceRecordName: `_x.${a.inputs.domainName}.`, resourceRecordType: "CNAME", resourceRecordValue: "_y.acm-validations.aws." },
                        ];
                    }
                    return { id: `${a.name}-id`, state };
                },
                call: (a) => {
                    if (a.token === "aws:index/getCallerIdentity:getCallerIdentity") return { accountId: ACCOUNT, arn: "x", userId: "y" };
                    if (a.token === "aws:elb/getServiceAccount:getServiceAccount") return { id: "156460612806", arn: ELB_ACCOUNT_ARN };
                    if (a.token === "aws:index/getRegion:getRegion") return { id: providerRegion, name: providerRegion, region: providerRegion };
                    throw new Error(`unexpected invoke ${a.token}`);
                },
            },
            "edge-test",
            "test",
            false,
        );
        edge = await import("../../components/aws/edge");
    });

    async function build(name: string, region: string, args: Omit<EdgeModule.EdgeLoadBalancerArgs, "vpcId" | "publicSubnetIds" | "securityGroupIds">) {
        providerRegion = region;
        registered = [];
        drainArtifacts();
        const component = new edge.EdgeLoadBalancer(name, { ...args, vpcId: "vpc-1", publicSubnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-edge"] });
        await waitForRPCs();
        const of = (type: string) => registered.filter((r) => r.type === type);
        const one = (type: string) => {
            const found = of(type);
            assert.equal(found.length, 1, `${type}: ${found.length} registered`);
            return found[0].inputs;
        };
        return { component, of, one, artifacts: drainArtifacts() };
    }

    describe("standalone prod, certificate requested from ACM", function () {
        const settings = settingsOf({ logRetentionDays: "400" });
        const product = PRODUCTS.apim;
        let r: Awaited<ReturnType<typeof build>>;
        before(async function () {
            r = await build("wso2-prod", "eu-west-1", edgeArgs(settings, product, [{ color: "main", weight: 100, targetGroupArns: { 8243: "tg-8243", 9443: "tg-9443" } }]));
        });

        it("ALB drops invalid headers, mitigates desync strictly, is protected and logs to its bucket", function () {
            const alb = r.one("aws:lb/loadBalancer:LoadBalancer");
            assert.equal(alb.loadBalancerType, "application");
            assert.equal(alb.internal, false);
            assert.equal(alb.dropInvalidHeaderFields, true);
            assert.equal(alb.desyncMitigationMode, "strictest");
            assert.equal(alb.enableDeletionProtection, true);
            assert.deepEqual(alb.securityGroups, ["sg-edge"]);
            assert.deepEqual(alb.accessLogs, { bucket: "wso2-prod-access-logs-id", prefix: "alb", enabled: true });
        });

        it("access-log bucket: versioned, SSE-S3, private, owner-enforced, TLS-only, ELB delivery, expiring", function () {
            const bucket = "wso2-prod-access-logs-id";
            assert.equal(r.one("aws:s3/bucketVersioning:BucketVersioning").versioningConfiguration.status, "Enabled");
            assert.equal(r.one("aws:s3/bucketVersioning:BucketVersioning").bucket, bucket);
            assert.deepEqual(r.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules, [
                { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
            ]);
            const pab = r.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
            for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab[k], true, k);
            assert.equal(r.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").rule.objectOwnership, "BucketOwnerEnforced");
            const rule = r.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules[0];
            assert.equal(rule.status, "Enabled");
            assert.equal(rule.expiration.days, 400);

            const policy = JSON.parse(r.one("aws:s3/bucketPolicy:BucketPolicy").policy);
            const deny = policy.Statement.find((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false");
            assert.ok(deny, "no TLS-only statement");
            const objects = `arn:aws:mock:aws:s3/bucket:Bucket:wso2-prod-access-logs/alb/AWSLogs/${ACCOUNT}/*`;
            const service = policy.Statement.find((s: any) => s.Principal?.Service === "logdelivery.elasticloadbalancing.amazonaws.com");
            assert.equal(service.Action, "s3:PutObject");
            assert.equal(service.Resource, objects);
            assert.equal(service.Condition.StringEquals["aws:SourceAccount"], ACCOUNT);
            const legacy = policy.Statement.find((s: any) => s.Principal?.AWS === ELB_ACCOUNT_ARN);
            assert.equal(legacy.Resource, objects, "eu-west-1 delivers from the regional ELB account");
        });

        it("HTTPS listener: TLS 1.3/1.2 policy, HSTS on every response, validated ACM certificate, fixed 404 default", function () {
            const https = r.of("aws:lb/listener:Listener").find((l) => l.inputs.protocol === "HTTPS")!.inputs;
            assert.equal(https.port, 443);
            assert.equal(https.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
            assert.equal(https.routingHttpResponseStrictTransportSecurityHeaderValue, "max-age=31536000; includeSubDomains", "PROD-HSTS at the edge");
            assert.deepEqual(https.defaultActions, [{ type: "fixed-response", fixedResponse: { statusCode: "404", contentType: "text/plain", messageBody: "Not Found" } }]);
            const cert = r.one("aws:acm/certificate:Certificate");
            assert.equal(cert.domainName, "api.example.com");
            assert.equal(cert.validationMethod, "DNS");
            assert.equal(r.one("aws:acm/certificateValidation:CertificateValidation").certificateArn, "arn:aws:mock:aws:acm/certificate:Certificate:wso2-prod");
            assert.equal(https.certificateArn, "arn:aws:mock:aws:acm/certificate:Certificate:wso2-prod");
        });

        it("creates the certificate's DNS validation record in route53ZoneId and waits on that record only (one `pulumi up`)", function () {
            const record = r.one("aws:route53/record:Record");
            assert.equal(record.zoneId, ZONE);
            assert.deepEqual([record.name, record.type, record.records], ["_x.api.example.com.", "CNAME", ["_y.acm-validations.aws."]]);
            assert.equal(record.allowOverwrite, true);
            const validation = r.one("aws:acm/certificateValidation:CertificateValidation");
            assert.deepEqual(validation.validationRecordFqdns, ["_x.api.example.com"]);
        });

        it("exposes the DNS records that validate the certificate", async function () {
            const records = await new Promise((resolve) => r.component.certificateValidationRecords.apply(resolve));
            assert.deepEqual(records, [{ name: "_x.api.example.com.", type: "CNAME", value: "_y.acm-validations.aws." }]);
        });

        it("HTTP listener only redirects to HTTPS with a 301", function () {
            const http = r.of("aws:lb/listener:Listener").find((l) => l.inputs.protocol === "HTTP")!.inputs;
            assert.equal(http.port, 80);
            assert.deepEqual(http.defaultActions, [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
        });

        it("one listener rule per rule spec, on the HTTPS listener, plain forward to the single target", function () {
            const specs = albRoutingRules(product, settings.publicPaths);
            const rules = r.of("aws:lb/listenerRule:ListenerRule");
            assert.equal(rules.length, specs.length);
            for (const spec of specs) {
                const rule = rules.find((x) => x.name === `wso2-prod-${spec.name}`)!.inputs;
                assert.equal(rule.listenerArn, "arn:aws:mock:aws:lb/listener:Listener:wso2-prod-https");
                assert.equal(rule.priority, spec.priority);
                assert.deepEqual(rule.conditions, [{ pathPattern: { regexValues: spec.pathRegexes } }]);
                if (spec.action.type === "forward") {
                    assert.deepEqual(rule.actions, [{ type: "forward", forward: { targetGroups: [{ arn: "tg-9443", weight: 100 }] } }]);
                } else {
                    assert.equal(rule.actions[0].fixedResponse.statusCode, "404");
                }
            }
        });

        it("WAF: regional web ACL with the edge rules, associated with the ALB, logging and metrics on", function () {
            const acl = r.one("aws:wafv2/webAcl:WebAcl");
            assert.equal(acl.scope, "REGIONAL");
            assert.deepEqual(acl.defaultAction, { allow: {} });
            assert.equal(acl.visibilityConfig.cloudwatchMetricsEnabled, true);
            assert.equal(acl.rules[0].name, "wso2-admin-contexts-and-path-bypasses");
            const assoc = r.one("aws:wafv2/webAclAssociation:WebAclAssociation");
            assert.equal(assoc.resourceArn, "arn:aws:mock:aws:lb/loadBalancer:LoadBalancer:wso2-prod");
            assert.equal(assoc.webAclArn, "arn:aws:mock:aws:wafv2/webAcl:WebAcl:wso2-prod");
            const logGroup = r.one("aws:cloudwatch/logGroup:LogGroup");
            assert.match(logGroup.name, /^aws-waf-logs-/);
            assert.equal(logGroup.retentionInDays, 400);
            const logging = r.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
            assert.deepEqual(logging.logDestinationConfigs, ["arn:aws:mock:aws:cloudwatch/logGroup:LogGroup:wso2-prod-waf-logs"]);
        });

        it("records the rendered nginx configuration as an nginx.conf artifact", function () {
            const nginx = r.artifacts.filter((a) => a.kind === "nginx.conf");
            assert.equal(nginx.length, 1);
            assert.equal(nginx[0].path, "wso2-prod/nginx.conf");
            assert.equal(nginx[0].component, "wso2-prod");
            assert.equal(
                nginx[0].content,
                renderNginxConfig({
                    product,
                    publicPaths: [],
                    serverName: "api.example.com",
                    tls: { certificate: "/etc/nginx/tls/api.example.com.crt", certificateKey: "/etc/nginx/tls/api.example.com.key" },
                    upstream: { hosts: ["wso2-apim-nodes"], tlsName: "api.example.com", trustedCertificate: "/etc/nginx/tls/wso2-nodes-ca.pem" },
                }),
            );
        });
    });

    describe("blue-green edge with a given certificate, in a region opened after 2022", function () {
        let r: Awaited<ReturnType<typeof build>>;
        const certificateArn = "arn:aws:acm:ap-southeast-4:111122223333:certificate/12345678-1234-1234-1234-123456789012";
        before(async function () {
            const settings = settingsOf({ stickinessSeconds: "300", deletionProtection: "false", certificateArn, route53ZoneId: "", publicPaths: '["/orders"]' });
            r = await build(
                "wso2-edge",
                "ap-southeast-4",
                edgeArgs(settings, PRODUCTS.mi, [
                    { color: "blue", weight: 90, targetGroupArns: { 8253: "tg-blue" } },
                    { color: "green", weight: 10, targetGroupArns: { 8253: "tg-green" } },
                ]),
            );
        });

        it("forwards with each color's weight and stickiness", function () {
            const forward = r.of("aws:lb/listenerRule:ListenerRule").find((x) => x.inputs.actions[0].type === "forward")!.inputs;
            assert.deepEqual(forward.actions[0].forward, {
                targetGroups: [
                    { arn: "tg-blue", weight: 90 },
                    { arn: "tg-green", weight: 10 },
                ],
                stickiness: { enabled: true, duration: 300 },
            });
        });

        it("uses the given certificate, requests none, and follows deletionProtection", function () {
            assert.equal(r.of("aws:acm/certificate:Certificate").length, 0);
            assert.equal(r.of("aws:route53/record:Record").length, 0);
            assert.equal(r.of("aws:lb/listener:Listener").find((l) => l.inputs.protocol === "HTTPS")!.inputs.certificateArn, certificateArn);
            assert.equal(r.one("aws:lb/loadBalancer:LoadBalancer").enableDeletionProtection, false);
        });

        it("grants log delivery to the service principal only", function () {
            const policy = JSON.parse(r.one("aws:s3/bucketPolicy:BucketPolicy").policy);
            assert.ok(policy.Statement.some((s: any) => s.Principal?.Service === "logdelivery.elasticloadbalancing.amazonaws.com"));
            assert.ok(!policy.Statement.some((s: any) => s.Principal?.AWS));
        });
    });

    describe("refuses targets the rules cannot use", function () {
        const settings = settingsOf({});
        const make = (targets: EdgeModule.EdgeTarget[]) => () =>
            new edge.EdgeLoadBalancer("bad", { ...edgeArgs(settings, PRODUCTS.apim, targets), vpcId: "v", publicSubnetIds: [], securityGroupIds: [] });

        it("weights that do not add up to 100, out of range, or a color twice", function () {
            assert.throws(make([{ color: "blue", weight: 60, targetGroupArns: { 9443: "a" } }, { color: "green", weight: 30, targetGroupArns: { 9443: "b" } }]), /add up to 90/);
            assert.throws(make([{ color: "blue", weight: 101, targetGroupArns: { 9443: "a" } }]), /weight 101/);
            assert.throws(make([{ color: "blue", weight: 50, targetGroupArns: { 9443: "a" } }, { color: "blue", weight: 50, targetGroupArns: { 9443: "a" } }]), /listed twice/);
            assert.throws(make([]), /at least one target/);
        });

        it("a target without a target group for a forwarded port", function () {
            assert.throws(make([{ color: "main", weight: 100, targetGroupArns: { 8243: "a" } }]), /no target group for port 9443/);
        });
    });
});
