/**
 * Which environment a resource belongs to, read from its tags, for the policies that only production
 * must satisfy in full (failover, load-balancer deletion protection, long log retention).
 *
 * A resource is non-production only when it carries at least one environment tag and every such tag
 * names a known non-production environment. Without an environment tag, or with a value unknown at
 * preview, it counts as production: a foreign program that tags nothing is judged strictly.
 */
import { Props, isUnknown, unwrap } from "./values";

/** The tag this project's components put on every AWS resource they tag. */
export const ENVIRONMENT_TAG = "wso2-hardening:environment";

/** Tag keys (compared without case) that name a resource's environment. */
const ENVIRONMENT_KEYS: ReadonlySet<string> = new Set([ENVIRONMENT_TAG, "environment", "env"]);

/** Tag values (compared without case) that mean production. */
const PRODUCTION_VALUES: ReadonlySet<string> = new Set(["prod", "production", "prd", "live"]);

/** Where the policies look for tags: the resource's own, then the provider's merged view with default tags. */
const TAG_PROPERTIES = ["tags", "tagsAll"] as const;

export interface EnvironmentOf {
    production: boolean;
    /** The environment the tags name, as written (the first one found), when non-production. */
    name?: string;
}

/** Environment tag values of one `tags`-like property: a key/value map, or an auto-scaling group's `[{ key, value }]` list. */
function environmentValues(tags: unknown): unknown[] {
    const value = unwrap(tags);
    if (value === null || typeof value !== "object") return isUnknown(value) ? [value] : [];
    const pairs: [unknown, unknown][] = Array.isArray(value)
        ? value.map((entry) => {
              const e = unwrap(entry);
              return e !== null && typeof e === "object" ? [e.key, e.value] : [undefined, undefined];
          })
        : Object.entries(value);
    const out: unknown[] = [];
    for (const [key, v] of pairs) {
        if (typeof key === "string" && ENVIRONMENT_KEYS.has(key.toLowerCase())) out.push(v);
    }
    return out;
}

/** The environment of a resource from its `tags` (map or auto-scaling list) and `tagsAll`. */
export function environmentOf(props: Props): EnvironmentOf {
    const values: unknown[] = [];
    for (const p of TAG_PROPERTIES) values.push(...environmentValues(props?.[p]));
    // An empty value names no environment; anything else that is not a known string may be production.
    const named = values.filter((v) => v !== "" && v !== undefined && v !== null);
    if (named.length === 0) return { production: true };
    for (const v of named) {
        if (typeof v !== "string" || isUnknown(v) || PRODUCTION_VALUES.has(v.trim().toLowerCase())) return { production: true };
    }
    return { production: false, name: named[0] as string };
}

/** Whether the production requirements apply to a resource (see `environmentOf`). */
export function isProduction(props: Props): boolean {
    return environmentOf(props).production;
}
