/**
 * The WAFv2 rules of the edge as plain data (the shape of `wafv2.WebAcl` `rules`): first a custom rule
 * that looks at the URI path the way Tomcat will (decoded, dot segments resolved, lower-cased) and
 * blocks the admin contexts and the suspicious sequences, then AWS's managed rule groups and a
 * per-client rate limit.
 */
import type { ProductSpec } from "../../products";
import { SUSPICIOUS_SEQUENCES } from "./paths";

export type WafTextTransformationType = "URL_DECODE" | "NORMALIZE_PATH" | "LOWERCASE";

/** Applied in this order (lowest priority first): decode, then resolve `//`, `/./`, `/../`, then lower-case. */
export const EDGE_PATH_TRANSFORMATIONS: { priority: number; type: WafTextTransformationType }[] = [
    { priority: 0, type: "URL_DECODE" },
    { priority: 1, type: "NORMALIZE_PATH" },
    { priority: 2, type: "LOWERCASE" },
];

function escapeRegex(s: string): string {
    return s.replace(/[\\^$.*+?()[\]{}|]/g, (c) => `\\${c}`);
}

/**
 * Regex over the transformed path: an admin context (lower-cased) at the start, followed by the end or
 * by `/` or `;`.
 */
export function wafAdminContextRegex(product: ProductSpec): string {
    const contexts = product.adminContexts.map((c) => escapeRegex(c.toLowerCase()));
    return `^(${contexts.join("|")})([/;]|$)`;
}

/**
 * Regex over the transformed path for what decoding and normalising leaves of the suspicious sequences:
 * ';', '\', a '..' that NORMALIZE_PATH kept (at the start, or part of '..;'), and '%' (double encoding).
 */
export function wafSuspiciousRegex(): string {
    const literals = [...new Set(SUSPICIOUS_SEQUENCES.flatMap((s) => s.decoded))];
    return literals.map(escapeRegex).join("|");
}

export interface EdgeWafRuleArgs {
    /** Prefix of rule and metric names, e.g. `wso2-prod-edge`. */
    metricPrefix: string;
    product: ProductSpec;
    /** Requests per 5 minutes per client IP before the rate rule blocks. @default 2000 */
    rateLimit?: number;
}

const MANAGED_GROUPS: { name: string; ruleActionOverrides?: string[] }[] = [
    // SizeRestrictions_BODY blocks bodies over 8 KB, which API and integration payloads routinely exceed:
    // count it instead of blocking so it stays visible in metrics and logs.
    { name: "AWSManagedRulesCommonRuleSet", ruleActionOverrides: ["SizeRestrictions_BODY"] },
    { name: "AWSManagedRulesKnownBadInputsRuleSet" },
    { name: "AWSManagedRulesAmazonIpReputationList" },
];

function visibility(metricName: string) {
    return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

/** The web ACL's rules, custom path rule first. Plain objects: assignable to `wafv2.WebAcl` `rules`. */
export function edgeWafRules(args: EdgeWafRuleArgs) {
    const pathStatement = (regexString: string) => ({
        regexMatchStatement: {
            regexString,
            fieldToMatch: { uriPath: {} },
            textTransformations: EDGE_PATH_TRANSFORMATIONS.map((t) => ({ ...t })),
        },
    });
    return [
        {
            name: "wso2-admin-contexts-and-path-bypasses",
            priority: 0,
            action: { block: {} },
            statement: {
                orStatement: {
                    statements: [pathStatement(wafAdminContextRegex(args.product)), pathStatement(wafSuspiciousRegex())],
                },
            },
            visibilityConfig: visibility(`${args.metricPrefix}-admin-and-bypass`),
        },
        ...MANAGED_GROUPS.map((g, i) => ({
            name: g.name,
            priority: 10 + i,
            overrideAction: { none: {} },
            statement: {
                managedRuleGroupStatement: {
                    vendorName: "AWS",
                    name: g.name,
                    ...(g.ruleActionOverrides
                        ? { ruleActionOverrides: g.ruleActionOverrides.map((name) => ({ name, actionToUse: { count: {} } })) }
                        : {}),
                },
            },
            visibilityConfig: visibility(`${args.metricPrefix}-${g.name}`),
        })),
        {
            name: "rate-limit-per-client",
            priority: 20,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: args.rateLimit ?? 2000, aggregateKeyType: "IP" } },
            visibilityConfig: visibility(`${args.metricPrefix}-rate-limit`),
        },
    ];
}
