/** Small helpers shared by the AWS components: the provider's region, partition, tags, IAM documents, customer keys. */
import * as pulumi from "@pulumi/pulumi";
import * as kms from "@pulumi/aws/kms";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import type { Environment } from "../../config/settings";

/** Tag that marks the members of one cluster; the nodes refresh `cluster_peers` from it. */
export const CLUSTER_TAG_KEY = "wso2-hardening:cluster";

/**
 * The region a component's resources are created in: the region of the AWS provider its children use
 * (the component's own `provider`/`providers`, else its parent's, else the default provider's).
 */
export function providerRegion(component: pulumi.Resource): pulumi.Output<string> {
    return getRegionOutput({}, { parent: component }).region;
}

/** The partition of a region, for ARNs and service principals. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/** The account the provider deploys into. */
export function accountId(opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    return getCallerIdentityOutput({}, opts).accountId;
}

/**
 * Tag naming the stack's environment; the policy pack holds resources tagged other than prod to the
 * non-production requirements (no failover, no deletion protection, shorter log retention).
 */
export const ENVIRONMENT_TAG_KEY = "wso2-hardening:environment";

/** The environments the components and the policy pack tell apart. */
export const ENVIRONMENTS: readonly Environment[] = ["dev", "staging", "prod"];

/** Extra tags of a cluster's resources; the environment tag is required so no tagged resource lacks it. */
export type ClusterTagExtras = Record<string, string> & { [ENVIRONMENT_TAG_KEY]: Environment };

export function clusterTags(clusterName: string, extra: ClusterTagExtras): Record<string, string> {
    return { [CLUSTER_TAG_KEY]: clusterName, "wso2-hardening:managed-by": "pulumi", ...extra };
}

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | { AWS?: string | string[]; Service?: string | string[] };
    Action: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/** Lets CloudWatch Logs use a customer key for this account's log groups (flow logs, node logs). */
export function logsKeyStatement(partition: string, region: string, acct: string): PolicyStatement {
    return {
        Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${acct}:log-group:*` } },
    };
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/** Trust policy for a service principal, limited to this account (confused-deputy guard) when given. */
export function assumeRolePolicy(service: string, account?: string): PolicyDocument {
    return policyDocument([
        {
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            ...(account ? { Condition: { StringEquals: { "aws:SourceAccount": account } } } : {}),
        },
    ]);
}

/**
 * Key policy: the account administers the key (and delegates use to IAM policies), plus the statements
 * that services need because they act without an IAM policy of this account (logs, auto scaling).
 */
export function keyPolicy(partition: string, account: string, extra: PolicyStatement[] = []): PolicyDocument {
    return policyDocument([
        {
            Sid: "AccountAdministersTheKeyAndDelegatesUseToIam",
            Effect: "Allow",
            Principal: { AWS: `arn:${partition}:iam::${account}:root` },
            Action: "kms:*",
            Resource: "*",
        },
        ...extra,
    ]);
}

export interface CustomerKeyArgs {
    description: string;
    /** Key policy; default: the account administers the key and delegates use to IAM. */
    policy?: pulumi.Input<string>;
    /** Region of the key; default: the provider's. */
    region?: string;
    tags: Record<string, string>;
}

/** A symmetric customer managed key with yearly automatic rotation and the longest deletion window. */
export function customerKey(name: string, args: CustomerKeyArgs, opts: pulumi.CustomResourceOptions): kms.Key {
    return new kms.Key(
        name,
        {
            description: args.description,
            enableKeyRotation: true,
            rotationPeriodInDays: 365,
            deletionWindowInDays: 30,
            policy: args.policy,
            region: args.region,
            tags: args.tags,
        },
        opts,
    );
}
