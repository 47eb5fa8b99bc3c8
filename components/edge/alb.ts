/**
 * The ALB listener rules of the edge as plain data: deny rules first (suspicious sequences in raw and
 * percent-encoded form, then the admin contexts in any case), then one forward rule per group of
 * allowlisted prefixes, in a priority order the listener evaluates top-down. Anything else falls to the
 * listener's default action, a fixed 404. `EdgeLoadBalancer` turns each spec into an `lb.ListenerRule`.
 */
import type { ProductSpec } from "../../products";
import {
    ALB_MAX_PRIORITY,
    ALB_MAX_VALUE_LENGTH,
    ALB_MAX_VALUES_PER_CONDITION,
    SUSPICIOUS_SEQUENCES,
    albAdminContextRegex,
    albAllowlistRegex,
    albSequenceRegex,
    edgeRoutes,
} from "./paths";

export interface FixedResponseSpec {
    type: "fixed-response";
    statusCode: "404";
    contentType: "text/plain";
    messageBody: string;
}

export interface ForwardSpec {
    type: "forward";
    /** Node port whose target groups receive the request. */
    port: number;
}

export interface AlbRuleSpec {
    /** Stable, resource-name-safe name, e.g. `deny-sequences-1`, `allow-9443-1`. */
    name: string;
    priority: number;
    kind: "deny-sequence" | "deny-admin" | "allow";
    description: string;
    /** Path-pattern regex values of the rule's single condition (one of them must match). */
    pathRegexes: string[];
    action: FixedResponseSpec | ForwardSpec;
}

/** The body every refused request gets: the same as the default action, so a deny reveals nothing. */
export const NOT_FOUND: FixedResponseSpec = {
    type: "fixed-response",
    statusCode: "404",
    contentType: "text/plain",
    messageBody: "Not Found",
};

/** First priority of each block; deny blocks leave room to grow before the forward rules. */
export const PRIORITY_BASE = { "deny-sequence": 1, "deny-admin": 100, allow: 1000 } as const;

function chunks<T>(items: readonly T[], size: number): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}

/**
 * The listener rules for a product and the stack's extra public paths. Pure; throws a `ConfigError`
 * naming `publicPaths` when a prefix cannot be expressed within ALB limits.
 */
export function albRoutingRules(product: ProductSpec, publicPaths: readonly string[]): AlbRuleSpec[] {
    const rules: AlbRuleSpec[] = [];

    chunks(SUSPICIOUS_SEQUENCES, ALB_MAX_VALUES_PER_CONDITION).forEach((group, i) => {
        rules.push({
            name: `deny-sequences-${i + 1}`,
            priority: PRIORITY_BASE["deny-sequence"] + i,
            kind: "deny-sequence",
            description: `Refuse paths containing ${group.map((s) => s.id).join(", ")} in raw or encoded form`,
            pathRegexes: group.map(albSequenceRegex),
            action: NOT_FOUND,
        });
    });

    chunks(product.adminContexts, ALB_MAX_VALUES_PER_CONDITION).forEach((group, i) => {
        rules.push({
            name: `deny-admin-${i + 1}`,
            priority: PRIORITY_BASE["deny-admin"] + i,
            kind: "deny-admin",
            description: `Refuse admin contexts ${group.join(", ")} in any case`,
            pathRegexes: group.map(albAdminContextRegex),
            action: NOT_FOUND,
        });
    });

    const routes = edgeRoutes(product, publicPaths);
    const ports = [...new Set(routes.map((r) => r.port))].sort((a, b) => a - b);
    let allowIndex = 0;
    for (const port of ports) {
        const prefixes = routes.filter((r) => r.port === port).map((r) => r.prefix);
        chunks(prefixes, ALB_MAX_VALUES_PER_CONDITION).forEach((group, i) => {
            rules.push({
                name: `allow-${port}-${i + 1}`,
                priority: PRIORITY_BASE.allow + allowIndex++,
                kind: "allow",
                description: `Forward ${group.join(", ")} to port ${port}`,
                pathRegexes: group.map(albAllowlistRegex),
                action: { type: "forward", port },
            });
        });
    }

    checkAlbLimits(rules);
    return rules;
}

/** Throws if a rule breaks an ALB limit: values per condition, value length, unique priority range. */
export function checkAlbLimits(rules: readonly AlbRuleSpec[]): void {
    const seen = new Set<number>();
    for (const r of rules) {
        if (!Number.isInteger(r.priority) || r.priority < 1 || r.priority > ALB_MAX_PRIORITY) {
            throw new Error(`ALB rule ${r.name}: priority ${r.priority} is outside 1..${ALB_MAX_PRIORITY}`);
        }
        if (seen.has(r.priority)) throw new Error(`ALB rule ${r.name}: priority ${r.priority} is used twice`);
        seen.add(r.priority);
        if (r.pathRegexes.length === 0 || r.pathRegexes.length > ALB_MAX_VALUES_PER_CONDITION) {
            throw new Error(`ALB rule ${r.name}: ${r.pathRegexes.length} path values (1..${ALB_MAX_VALUES_PER_CONDITION} allowed)`);
        }
        for (const v of r.pathRegexes) {
            if (v.length > ALB_MAX_VALUE_LENGTH) {
                throw new Error(`ALB rule ${r.name}: value ${JSON.stringify(v)} is ${v.length} characters (max ${ALB_MAX_VALUE_LENGTH})`);
            }
        }
    }
    const firstAllow = Math.min(...rules.filter((r) => r.kind === "allow").map((r) => r.priority));
    const lastDeny = Math.max(...rules.filter((r) => r.kind !== "allow").map((r) => r.priority));
    if (firstAllow <= lastDeny) throw new Error("ALB rules: every deny rule must come before every forward rule");
}
