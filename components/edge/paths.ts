/**
 * What the edge knows about request paths: the sequences that let a request reach a context other than
 * the one a proxy matched (Tomcat strips `;parameters`, decodes `%2e`, resolves dot segments after the
 * proxy decided), the allowlist of public prefixes, and the admin contexts. Every edge layer (ALB rules,
 * WAF rule, nginx configuration) derives its patterns from these tables, so they cannot drift apart.
 */
import { ConfigError } from "../../config/settings";
import { publicRoutes, type ProductSpec, type PublicRoute } from "../../products";

/** A byte sequence that has no place in a legitimate public path and that Tomcat reinterprets. */
export interface SuspiciousSequence {
    id: string;
    /** Literal forms as they may appear in the raw request path. */
    raw: string[];
    /** Percent-encoded forms (matched case-insensitively in the hex digits). */
    encoded: string[];
    /** Literal forms that survive one round of percent-decoding (what a WAF sees after URL_DECODE). */
    decoded: string[];
    why: string;
}

export const SUSPICIOUS_SEQUENCES: readonly SuspiciousSequence[] = [
    {
        id: "path-parameter",
        raw: [";"],
        encoded: ["%3b"],
        decoded: [";"],
        why: "Tomcat removes ';parameters' from every segment after the proxy matched, so '..;' becomes '..'.",
    },
    {
        id: "dot-segment",
        raw: [".."],
        encoded: ["%2e"],
        decoded: [".."],
        why: "Tomcat decodes '%2e' and resolves '..' segments, walking out of the allowlisted prefix.",
    },
    {
        id: "encoded-slash",
        raw: [],
        encoded: ["%2f"],
        decoded: [],
        why: "An encoded '/' hides a segment boundary from the proxy; containers that decode it see another path.",
    },
    {
        id: "backslash",
        raw: ["\\"],
        encoded: ["%5c"],
        decoded: ["\\"],
        why: "Some containers treat '\\' as '/', which turns '..\\' into a traversal.",
    },
    {
        id: "double-encoding",
        raw: [],
        encoded: ["%25"],
        decoded: ["%"],
        why: "'%25' hides any of the above from a layer that decodes once; a second decode reveals it.",
    },
];

/** ALB: at most three match evaluations per condition (and five per rule); 128 characters per value. */
export const ALB_MAX_VALUES_PER_CONDITION = 3;
export const ALB_MAX_VALUE_LENGTH = 128;
export const ALB_MAX_PRIORITY = 50000;

/**
 * Characters a public path may contain past its prefix: RFC 3986 unreserved and sub-delimiters, ':', '@'
 * and '/', without '.', ';', '%' and '\'. A '.' is allowed only when a character of this class follows it,
 * so '..' can never appear; '%' is refused altogether (public WSO2 paths carry no encoded bytes).
 */
const SAFE_PATH_CLASS = "[A-Za-z0-9_~!$&'()*+,=:@/-]";

/** Escapes a literal path (the validated `[A-Za-z0-9._~/-]` alphabet) for a regex without backslashes. */
export function literalRegex(path: string): string {
    return path.replace(/\./g, "[.]");
}

/** Letters in any case, without relying on a case-insensitive flag (ALB regex values have none). */
export function anyCaseRegex(path: string): string {
    return path.replace(/[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).replace(/\./g, "[.]");
}

/** `%2e` -> `%2[eE]`: percent-encoded bytes match in either case of their hex digits. */
function encodedRegex(encoded: string): string {
    return encoded.replace(/[a-fA-F]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

function rawRegex(raw: string): string {
    return raw.replace(/\\/g, "\\\\").replace(/\./g, "[.]");
}

/**
 * ALB regex values that match a raw path containing the sequence in any of its raw or encoded forms.
 * Anchored at both ends with `.*` so a search and a full match agree (AWS does not say which it uses).
 */
export function albSequenceRegex(seq: SuspiciousSequence): string {
    const alternatives = [...seq.raw.map(rawRegex), ...seq.encoded.map(encodedRegex)];
    return `^.*(${alternatives.join("|")}).*$`;
}

/**
 * ALB regex for an admin context at the start of the path, letters in any case, any run of slashes
 * between segments, followed by the end or by a character that does not continue the segment name.
 */
export function albAdminContextRegex(context: string): string {
    const segments = context.split("/").filter((s) => s !== "").map(anyCaseRegex);
    return `^/+${segments.join("/+")}([/;%\\\\].*)?$`;
}

/**
 * ALB regex of an allowlisted prefix: the prefix itself, or the prefix followed by '/' and safe characters
 * only (no ';', '%', '\' and never '..'), case-sensitive like the Tomcat context it leads to.
 */
export function albAllowlistRegex(prefix: string): string {
    return `^${literalRegex(prefix)}(/(${SAFE_PATH_CLASS}|[.]${SAFE_PATH_CLASS})*[.]?)?$`;
}

/** The same allowlist as a JavaScript/PCRE pattern over a whole path (nginx and tests). */
export function allowlistPattern(prefix: string): RegExp {
    return new RegExp(albAllowlistRegex(prefix));
}

/**
 * The public routes the edge forwards, checked for what the edge can express: every prefix yields an ALB
 * regex within AWS's length limit. Throws a `ConfigError` naming `publicPaths` otherwise.
 */
export function edgeRoutes(product: ProductSpec, publicPaths: readonly string[]): PublicRoute[] {
    const routes = publicRoutes(product, publicPaths);
    const problems = [];
    for (const route of routes) {
        const regex = albAllowlistRegex(route.prefix);
        if (regex.length > ALB_MAX_VALUE_LENGTH) {
            problems.push({
                key: "publicPaths",
                value: route.prefix,
                problem: `is too long for an ALB rule (its pattern takes ${regex.length} of ${ALB_MAX_VALUE_LENGTH} characters); use a shorter prefix`,
            });
        }
        if (product.adminContexts.some((a) => a.toLowerCase() === route.prefix.toLowerCase())) {
            problems.push({ key: "publicPaths", value: route.prefix, problem: "is an admin context of the product" });
        }
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return routes;
}
