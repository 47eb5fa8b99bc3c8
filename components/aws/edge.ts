/**
 * The public edge of a WSO2 deployment on AWS: an ALB (invalid headers dropped, strictest desync
 * mitigation, access logs to a dedicated bucket), an HTTPS listener (TLS 1.2/1.3) whose rules refuse the
 * admin contexts and path-normalisation bypasses before forwarding only the allowlisted public prefixes,
 * an HTTP listener that only redirects, and a WAFv2 web ACL with a path rule, AWS's managed rule groups
 * and a rate limit. The rules come from the pure `components/edge` module; this file only wires them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as lb from "@pulumi/aws/lb";
import * as s3 from "@pulumi/aws/s3";
import * as acm from "@pulumi/aws/acm";
import * as route53 from "@pulumi/aws/route53";
import * as wafv2 from "@pulumi/aws/wafv2";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { getServiceAccountOutput } from "@pulumi/aws/elb/getServiceAccount";
import type { Environment } from "../../config/settings";
import { ArgChecker, hostNameProblem, logRetentionProblem, physicalNameProblem, publicPathProblem } from "../../config/validate";
import { PRODUCTS, type ProductId, type ProductSpec } from "../../products";
import { recordArtifacts } from "../artifacts";
import { albRoutingRules, NOT_FOUND, type AlbRuleSpec } from "../edge/alb";
import { edgeWafRules } from "../edge/waf";
import { renderNginxConfig } from "../edge/nginx";
import { derivedNames, nameLimitProblems } from "./names";
import { accountId, ENVIRONMENT_TAG_KEY, ENVIRONMENTS, policyDocument, providerRegion, type PolicyStatement } from "./common";
import { tlsOnlyStatements } from "./backup";

export interface EdgeTarget {
    /** "blue" | "green" | "main" (standalone). */
    color: string;
    /** 0..100; weights of all targets of a route add up to 100 (0 allowed). */
    weight: number;
    /** Target group ARN per node port, for every port a public route of the product uses. */
    targetGroupArns: Record<number, pulumi.Input<string>>;
}

export interface EdgeLoadBalancerArgs {
    /** The WSO2 product behind the edge: its admin contexts are refused and its public routes forwarded. */
    product: ProductId;
    /** Host name of the certificate (requested and DNS-validated unless `certificateArn` is set). */
    domainName: string;
    /** The VPC of the load balancer and of the target groups it forwards to. */
    vpcId: pulumi.Input<string>;
    /** Public subnets of the load balancer, in two or more zones. */
    publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups of the load balancer, e.g. a cluster's `edgeSecurityGroupId` (443/80 from clients, out only to its nodes). */
    securityGroupIds: pulumi.Input<string>[];
    /** Where forwarded requests go; one entry per color, weights adding up to 100. */
    targets: EdgeTarget[];
    /**
     * Environment tag of every resource (the policy pack holds prod to the strictest rules).
     * @default "prod"
     */
    environment?: Environment;
    /**
     * An issued ACM certificate for `domainName`, in the provider's region; set it or `route53ZoneId`.
     * @default ""
     */
    certificateArn?: string;
    /**
     * Route 53 hosted zone where the DNS record validating a requested certificate for `domainName` is created
     * (in the same update); set it or `certificateArn`.
     * @default ""
     */
    route53ZoneId?: string;
    /**
     * Path prefixes forwarded beyond the product's own public routes.
     * @default []
     */
    publicPaths?: string[];
    /**
     * Days access logs and WAF logs are kept (a CloudWatch Logs retention period).
     * @default 365
     */
    logRetentionDays?: number;
    /**
     * Deletion protection of the load balancer; without it the access-log bucket may be destroyed with its objects.
     * @default true
     */
    deletionProtection?: boolean;
    /**
     * Stickiness of weighted forwarding in seconds (0 disables it; at most 604800).
     * @default 0
     */
    stickinessSeconds?: number;
}

/** Checks the arguments of `EdgeLoadBalancer` and fills in the defaults. */
export function resolveEdgeArgs(name: string, args: EdgeLoadBalancerArgs) {
    const check = new ArgChecker(`EdgeLoadBalancer ${name}`);
    const why = (arg: string, value: unknown, problem: string | undefined) => problem && check.bad(arg, value, problem);
    why("name", name, physicalNameProblem(name));
    const product = PRODUCTS[args.product];
    if (!product) check.bad("product", args.product, `must be one of ${Object.keys(PRODUCTS).join(", ")}`);
    else for (const problem of nameLimitProblems(derivedNames(name, { role: "edge", publicPaths: [] }, product))) check.bad("name", name, problem);
    const settings = {
        product,
        domainName: args.domainName,
        environment: args.environment ?? "prod",
        certificateArn: args.certificateArn || undefined,
        route53ZoneId: args.route53ZoneId || undefined,
        publicPaths: args.publicPaths ?? [],
        logRetentionDays: args.logRetentionDays ?? 365,
        deletionProtection: args.deletionProtection ?? true,
        stickinessSeconds: args.stickinessSeconds ?? 0,
    };
    why("domainName", settings.domainName, hostNameProblem(settings.domainName ?? ""));
    if (!ENVIRONMENTS.includes(settings.environment)) check.bad("environment", settings.environment, `must be one of ${ENVIRONMENTS.join(", ")}`);
    if (settings.certificateArn && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/.test(settings.certificateArn)) {
        check.bad("certificateArn", settings.certificateArn, "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)");
    }
    if (settings.certificateArn && settings.route53ZoneId) {
        check.bad("route53ZoneId", settings.route53ZoneId, "must be empty when certificateArn is set: the listener uses that certificate, no other is requested");
    } else if (!settings.certificateArn && !settings.route53ZoneId) {
        // A requested certificate nobody validates would hold `pulumi up` until it times out.
        check.bad("route53ZoneId", "", "is required when certificateArn is empty: the certificate's DNS validation record is created in that zone");
    } else if (settings.route53ZoneId && !/^Z[A-Z0-9]{1,31}$/.test(settings.route53ZoneId)) {
        check.bad("route53ZoneId", settings.route53ZoneId, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ");
    }
    for (const p of settings.publicPaths) why("publicPaths", p, publicPathProblem(p));
    why("logRetentionDays", settings.logRetentionDays, logRetentionProblem(settings.logRetentionDays));
    if (!Number.isInteger(settings.stickinessSeconds) || settings.stickinessSeconds < 0 || settings.stickinessSeconds > 604800) {
        check.bad("stickinessSeconds", settings.stickinessSeconds, "must be an integer from 0 to 604800");
    }
    check.done();
    return settings;
}

/** TLS 1.3 and 1.2 with forward-secret AEAD suites only. */
export const EDGE_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The Strict-Transport-Security value the HTTPS listener adds to every response (one year, subdomains too). */
export const EDGE_HSTS_HEADER = "max-age=31536000; includeSubDomains";

/** Prefix of the ALB's objects in its access-log bucket. */
export const ACCESS_LOG_PREFIX = "alb";

/**
 * Regions opened before August 2022 deliver ALB logs from a regional ELB account (looked up with the
 * provider's `elb.getServiceAccount`); later regions only know the log-delivery service principal.
 */
const ELB_ACCOUNT_REGIONS = new Set([
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-north-1",
    "me-south-1", "sa-east-1", "us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1",
]);

/**
 * Host name the plan's nginx configuration proxies to: the DMZ resolves it to the WSO2 nodes (DNS or
 * /etc/hosts; several addresses give several upstream servers).
 */
export function nginxUpstreamHost(product: ProductSpec): string {
    return `wso2-${product.id}-nodes`;
}

/** Checks the targets against the rules: weights 0..100 adding up to 100, an ARN for every forwarded port. */
export function checkEdgeTargets(targets: readonly EdgeTarget[], rules: readonly AlbRuleSpec[]): void {
    if (targets.length === 0) throw new Error("EdgeLoadBalancer: targets must name at least one target (color)");
    const colors = new Set<string>();
    for (const t of targets) {
        if (colors.has(t.color)) throw new Error(`EdgeLoadBalancer: target color ${JSON.stringify(t.color)} is listed twice`);
        colors.add(t.color);
        if (!Number.isInteger(t.weight) || t.weight < 0 || t.weight > 100) {
            throw new Error(`EdgeLoadBalancer: target ${t.color} has weight ${t.weight}; weights are integers 0..100`);
        }
    }
    const total = targets.reduce((sum, t) => sum + t.weight, 0);
    if (total !== 100) throw new Error(`EdgeLoadBalancer: target weights add up to ${total}, not 100`);
    for (const rule of rules) {
        if (rule.action.type !== "forward") continue;
        for (const t of targets) {
            if (t.targetGroupArns[rule.action.port] === undefined) {
                throw new Error(`EdgeLoadBalancer: target ${t.color} has no target group for port ${rule.action.port} (rule ${rule.name})`);
            }
        }
    }
}

/** The listener-rule action of a spec: a fixed 404, or a weighted forward to every target's group. */
export function listenerRuleAction(spec: AlbRuleSpec, targets: readonly EdgeTarget[], stickinessSeconds: number): lb.ListenerRuleArgs["actions"] {
    const action = spec.action;
    if (action.type === "fixed-response") {
        return [{ type: "fixed-response", fixedResponse: { statusCode: action.statusCode, contentType: action.contentType, messageBody: action.messageBody } }];
    }
    return [
        {
            type: "forward",
            forward: {
                targetGroups: targets.map((t) => ({ arn: t.targetGroupArns[action.port], weight: t.weight })),
                ...(stickinessSeconds > 0 ? { stickiness: { enabled: true, duration: stickinessSeconds } } : {}),
            },
        },
    ];
}

export class EdgeLoadBalancer extends pulumi.ComponentResource {
    readonly loadBalancer: lb.LoadBalancer;
    readonly httpsListener: lb.Listener;
    readonly httpListener: lb.Listener;
    readonly rules: lb.ListenerRule[];
    readonly webAcl: wafv2.WebAcl;
    readonly accessLogBucket: s3.Bucket;
    /** The DNS record that validated the requested certificate, created in `route53ZoneId` (empty when `certificateArn` is set). */
    readonly certificateValidationRecords: pulumi.Output<{ name: string; type: string; value: string }[]>;
    readonly dnsName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: EdgeLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveEdgeArgs(name, args);
        const { product } = settings;
        const ruleSpecs = albRoutingRules(product, settings.publicPaths);
        checkEdgeTargets(args.targets, ruleSpecs);
        super("wso2-hardening:aws:EdgeLoadBalancer", name, {}, opts);
        const parent = { parent: this };
        const tags = { [ENVIRONMENT_TAG_KEY]: settings.environment, "wso2-hardening:component": name };
        const region = providerRegion(this);
        const account = accountId(parent);

        // Access logs: a bucket of their own. ALB log delivery supports SSE-S3 only, not KMS.
        const bucket = new s3.Bucket(`${name}-access-logs`, { forceDestroy: !settings.deletionProtection, tags }, parent);
        const bucketChild = { parent: bucket };
        const ownership = new s3.BucketOwnershipControls(
            `${name}-access-logs`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            bucketChild,
        );
        const publicAccess = new s3.BucketPublicAccessBlock(
            `${name}-access-logs`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            bucketChild,
        );
        const versioning = new s3.BucketVersioning(
            `${name}-access-logs`,
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            bucketChild,
        );
        const encryption = new s3.BucketServerSideEncryptionConfiguration(
            `${name}-access-logs`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            bucketChild,
        );
        new s3.BucketLifecycleConfiguration(
            `${name}-access-logs`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: settings.logRetentionDays },
                        noncurrentVersionExpiration: { noncurrentDays: 1 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
            },
            { parent: bucket, dependsOn: [versioning] },
        );
        const elbAccountArn = region.apply((r) =>
            ELB_ACCOUNT_REGIONS.has(r) ? getServiceAccountOutput({ region: r }, parent).arn : pulumi.output<string | undefined>(undefined),
        );
        const bucketPolicy = new s3.BucketPolicy(
            `${name}-access-logs`,
            {
                bucket: bucket.id,
                policy: pulumi.all([bucket.arn, account, elbAccountArn]).apply(([arn, acct, elbArn]) => {
                    const logObjects = `${arn}/${ACCESS_LOG_PREFIX}/AWSLogs/${acct}/*`;
                    const delivery: PolicyStatement[] = [
                        {
                            Sid: "ElbLogDelivery",
                            Effect: "Allow",
                            Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: logObjects,
                            Condition: { StringEquals: { "aws:SourceAccount": acct } },
                        },
                    ];
                    if (elbArn) {
                        delivery.push({ Sid: "ElbLogDeliveryRegionalAccount", Effect: "Allow", Principal: { AWS: elbArn }, Action: "s3:PutObject", Resource: logObjects });
                    }
                    return JSON.stringify(policyDocument([...tlsOnlyStatements(arn), ...delivery]));
                }),
            },
            { parent: bucket, dependsOn: [publicAccess, ownership] },
        );

        this.loadBalancer = new lb.LoadBalancer(
            name,
            {
                loadBalancerType: "application",
                internal: false,
                securityGroups: args.securityGroupIds,
                subnets: args.publicSubnetIds,
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "strictest",
                enableDeletionProtection: settings.deletionProtection,
                enableWafFailOpen: false,
                xffHeaderProcessingMode: "append",
                accessLogs: { bucket: bucket.id, prefix: ACCESS_LOG_PREFIX, enabled: true },
                tags,
            },
            // The ALB checks that it may write to the bucket when logging is enabled.
            { parent: this, dependsOn: [bucketPolicy, encryption] },
        );

        let certificateArn: pulumi.Input<string>;
        if (settings.certificateArn) {
            certificateArn = settings.certificateArn;
            this.certificateValidationRecords = pulumi.output([]);
        } else {
            const certificate = new acm.Certificate(
                name,
                { domainName: settings.domainName, validationMethod: "DNS", keyAlgorithm: "RSA_2048", tags },
                parent,
            );
            // One name, so one validation record, created in the zone by this same update.
            const option = certificate.domainValidationOptions[0];
            const record = new route53.Record(
                `${name}-certificate-validation`,
                {
                    zoneId: settings.route53ZoneId!,
                    name: option.resourceRecordName,
                    type: option.resourceRecordType,
                    records: [option.resourceRecordValue],
                    ttl: 300,
                    // A renewal or a replaced certificate of the same name reuses the record.
                    allowOverwrite: true,
                },
                { parent: certificate },
            );
            // Waits until ACM sees the record; the listener is created with an issued certificate only.
            certificateArn = new acm.CertificateValidation(
                name,
                { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
                { parent: certificate },
            ).certificateArn;
            this.certificateValidationRecords = certificate.domainValidationOptions.apply((options) =>
                (options ?? []).map((o) => ({ name: o.resourceRecordName ?? "", type: o.resourceRecordType ?? "", value: o.resourceRecordValue ?? "" })),
            );
        }

        this.httpsListener = new lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: this.loadBalancer.arn,
                port: 443,
                protocol: "HTTPS",
                sslPolicy: EDGE_TLS_POLICY,
                certificateArn,
                // PROD-HSTS at the edge: browsers keep to HTTPS for a year, whatever the product's own header.
                routingHttpResponseStrictTransportSecurityHeaderValue: EDGE_HSTS_HEADER,
                defaultActions: [
                    { type: "fixed-response", fixedResponse: { statusCode: NOT_FOUND.statusCode, contentType: NOT_FOUND.contentType, messageBody: NOT_FOUND.messageBody } },
                ],
                tags,
            },
            parent,
        );
        this.httpListener = new lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: this.loadBalancer.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                tags,
            },
            parent,
        );

        this.rules = ruleSpecs.map(
            (spec) =>
                new lb.ListenerRule(
                    `${name}-${spec.name}`,
                    {
                        listenerArn: this.httpsListener.arn,
                        priority: spec.priority,
                        conditions: [{ pathPattern: { regexValues: spec.pathRegexes } }],
                        actions: listenerRuleAction(spec, args.targets, settings.stickinessSeconds),
                        tags: { ...tags, "wso2-hardening:rule": spec.name, "wso2-hardening:rule-kind": spec.kind },
                    },
                    { parent: this.httpsListener },
                ),
        );

        this.webAcl = new wafv2.WebAcl(
            name,
            {
                scope: "REGIONAL",
                description: `Edge of ${product.name}: admin contexts, path bypasses, AWS managed rules, rate limit`,
                defaultAction: { allow: {} },
                rules: edgeWafRules({ metricPrefix: name, product }),
                visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name },
                tags,
            },
            parent,
        );
        new wafv2.WebAclAssociation(name, { resourceArn: this.loadBalancer.arn, webAclArn: this.webAcl.arn }, { parent: this.webAcl });
        // WAF only logs to log groups whose name starts with aws-waf-logs-.
        const wafLogs = new cloudwatch.LogGroup(
            `${name}-waf-logs`,
            { name: `aws-waf-logs-${name}`, retentionInDays: settings.logRetentionDays, tags },
            { parent: this.webAcl },
        );
        new wafv2.WebAclLoggingConfiguration(
            name,
            {
                resourceArn: this.webAcl.arn,
                logDestinationConfigs: [wafLogs.arn],
                redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
            },
            { parent: this.webAcl },
        );

        recordArtifacts(name, [
            {
                kind: "nginx.conf",
                path: `${name}/nginx.conf`,
                content: renderNginxConfig({
                    product,
                    publicPaths: settings.publicPaths,
                    serverName: settings.domainName,
                    tls: { certificate: `/etc/nginx/tls/${settings.domainName}.crt`, certificateKey: `/etc/nginx/tls/${settings.domainName}.key` },
                    upstream: {
                        hosts: [nginxUpstreamHost(product)],
                        tlsName: settings.domainName,
                        trustedCertificate: "/etc/nginx/tls/wso2-nodes-ca.pem",
                    },
                }),
                meta: { upstreamHost: nginxUpstreamHost(product) },
            },
        ]);

        this.accessLogBucket = bucket;
        this.dnsName = this.loadBalancer.dnsName;
        this.arn = this.loadBalancer.arn;
        this.registerOutputs({
            dnsName: this.dnsName,
            arn: this.arn,
            httpsListenerArn: this.httpsListener.arn,
            webAclArn: this.webAcl.arn,
            accessLogBucket: bucket.id,
            certificateValidationRecords: this.certificateValidationRecords,
        });
    }
}
