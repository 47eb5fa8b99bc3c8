/**
 * Requests that try to reach an admin context past an edge allowlist, and the legitimate requests the
 * edge must keep forwarding. Targets are raw request targets, written to the socket exactly as here.
 */
import type { ProductSpec } from "../../products";

export interface BypassRequest {
    target: string;
    /** Bypass class, for reports and docs. */
    technique: string;
}

export interface LegitimateRequest {
    target: string;
    /** Context path that must answer. */
    context: string;
}

/** A request path inside an admin context, as an attacker would aim at it. */
const ADMIN_TARGETS: Record<string, string> = {
    "/services": "/services/AuthenticationAdmin",
    "/carbon": "/carbon/admin/login.jsp",
    "/fileupload": "/fileupload/toolsAny",
};

export function adminTarget(context: string): string {
    return ADMIN_TARGETS[context] ?? `${context}/index.jsp`;
}

/** `abc` -> `aBc`-style mixed case that still names the same letters. */
function mixedCase(path: string): string {
    let upper = false;
    return path.replace(/[a-z]/g, (c) => ((upper = !upper) ? c.toUpperCase() : c));
}

/**
 * A way from an allowlisted prefix to an admin path: climb `climbs` segments from `prefix` to the
 * deepest ancestor it shares with the admin path, then go down `down` (no leading slash):
 * `/api/am/devportal` to `/services/X` climbs three segments, to `/api/am/admin/X` one.
 */
interface Route {
    prefix: string;
    climbs: number;
    down: string;
}

/** `/` + (`step` + `sep`) per climbed segment + the way down: the traversal after the prefix. */
function climb(r: Route, step: string, sep = "/"): string {
    return `/${(step + sep).repeat(r.climbs)}${r.down}`;
}

/** Traversals from an allowlisted prefix to an admin path. */
const TRAVERSALS: { technique: string; build: (r: Route) => string }[] = [
    { technique: "path parameter dot-dot", build: (r) => r.prefix + climb(r, "..;") },
    { technique: "path parameter with value", build: (r) => r.prefix + climb(r, "..;jsessionid=0") },
    { technique: "parameter on prefix then dot-dot", build: (r) => `${r.prefix};x=1${climb(r, "..")}` },
    { technique: "plain dot-dot", build: (r) => r.prefix + climb(r, "..") },
    { technique: "encoded dots", build: (r) => r.prefix + climb(r, "%2e%2e") },
    { technique: "encoded dots upper case with parameter", build: (r) => r.prefix + climb(r, "%2E%2E;") },
    { technique: "half-encoded dots", build: (r) => r.prefix + climb(r, ".%2e") },
    { technique: "encoded semicolon", build: (r) => r.prefix + climb(r, "..%3b") },
    { technique: "encoded dots and semicolon", build: (r) => r.prefix + climb(r, "%2e%2e%3B") },
    { technique: "encoded slash", build: (r) => r.prefix + climb(r, "..", "%2f") },
    { technique: "raw backslash", build: (r) => r.prefix + climb(r, "..", "\\") },
    { technique: "encoded backslash", build: (r) => r.prefix + climb(r, "..", "%5c") },
    { technique: "double encoding", build: (r) => r.prefix + climb(r, "%252e%252e") },
    { technique: "triple encoding", build: (r) => r.prefix + climb(r, "%25252e%25252e") },
    { technique: "double slashes", build: (r) => `${r.prefix}/${climb(r, "..;", "//")}` },
    { technique: "self references", build: (r) => `${r.prefix}/.${climb(r, "..;", "/./")}` },
    { technique: "one level too deep", build: (r) => `${r.prefix}/x${climb({ ...r, climbs: r.climbs + 1 }, "..;")}` },
    { technique: "mixed case target", build: (r) => r.prefix + climb({ ...r, down: mixedCase(r.down) }, "..;") },
    { technique: "overlong UTF-8 dot", build: (r) => r.prefix + climb(r, "%c0%ae%c0%ae") },
];

function route(prefix: string, admin: string): Route {
    const from = prefix.split("/").filter(Boolean);
    const to = admin.split("/").filter(Boolean);
    let shared = 0;
    while (shared < from.length - 1 && from[shared] === to[shared]) shared++;
    return { prefix, climbs: from.length - shared, down: to.slice(shared).join("/") };
}

/** Requests aimed at an admin context without an allowlisted prefix. */
const DIRECT: { technique: string; build: (a: string) => string }[] = [
    { technique: "plain", build: (a) => a },
    { technique: "double slash", build: (a) => `/${a}` },
    { technique: "triple slash", build: (a) => `//${a}` },
    { technique: "self reference", build: (a) => `/.${a}` },
    { technique: "root path parameter", build: (a) => `/;${a}` },
    { technique: "dot path parameter", build: (a) => `/.;${a}` },
    { technique: "context path parameter", build: (a) => a.replace(/^(\/[^/]+)/, "$1;x=1") },
    { technique: "encoded first letter", build: (a) => `/%${a.charCodeAt(1).toString(16)}${a.slice(2)}` },
    { technique: "upper case", build: (a) => a.toUpperCase() },
    { technique: "mixed case", build: (a) => mixedCase(a) },
    { technique: "traversal from unknown prefix", build: (a) => `/x/..${a}` },
    { technique: "encoded dot segment", build: (a) => `/%2e${a}` },
    { technique: "leading encoded slash", build: (a) => `/%2f${a.slice(1)}` },
    { technique: "query string decoy", build: (a) => `${a}?next=/devportal/` },
];

/**
 * The bypass corpus: every traversal from every allowlisted prefix to `/services`, `/carbon` and the
 * admin contexts that share a parent with the prefix (`/api/am/devportal` -> `/api/am/publisher`), and
 * every direct form against every admin context of the product.
 */
export function bypassCorpus(product: ProductSpec, allowlist: readonly string[]): BypassRequest[] {
    const out: BypassRequest[] = [];
    const parent = (p: string) => p.slice(0, p.lastIndexOf("/"));
    for (const prefix of allowlist) {
        const siblings = product.adminContexts.filter((a) => parent(a) !== "" && parent(a) === parent(prefix));
        for (const context of [...new Set(["/services", "/carbon", ...siblings])]) {
            for (const t of TRAVERSALS) out.push({ target: t.build(route(prefix, adminTarget(context))), technique: t.technique });
        }
    }
    for (const context of product.adminContexts) {
        for (const d of DIRECT) out.push({ target: d.build(adminTarget(context)), technique: `direct: ${d.technique}` });
    }
    return out;
}

/** Known-good paths of WSO2's public applications, by prefix; other prefixes get generic samples. */
const SAMPLES: Record<string, string[]> = {
    "/devportal": ["/devportal", "/devportal/", "/devportal/apis", "/devportal/site/public/images/logo.svg"],
    "/api/am/devportal": ["/api/am/devportal/v3/apis?limit=10&offset=0", "/api/am/devportal/v3/apis/5c6d0a1e-3b2f-4c1d-9e8a-7f6b5a4c3d2e/documents"],
    "/oauth2": ["/oauth2/token", "/oauth2/authorize?response_type=code&client_id=abc", "/oauth2/jwks", "/oauth2/token/.well-known/openid-configuration"],
    "/oidc": ["/oidc/logout", "/oidc/checksession?client_id=abc"],
    "/authenticationendpoint": ["/authenticationendpoint/login.do?sessionDataKey=9f8e7d", "/authenticationendpoint/css/custom-common.css"],
    "/accountrecoveryendpoint": ["/accountrecoveryendpoint/recoverpassword.do"],
    "/commonauth": ["/commonauth", "/commonauth?sessionDataKey=9f8e7d"],
    "/samlsso": ["/samlsso", "/samlsso?SAMLRequest=fZJNT8Mw"],
    "/logincontext": ["/logincontext?sessionDataKey=9f8e7d&relyingParty=devportal"],
    "/myaccount": ["/myaccount/", "/myaccount/overview"],
};

export function legitimateRequests(allowlist: readonly string[]): LegitimateRequest[] {
    return allowlist.flatMap((prefix) =>
        (SAMPLES[prefix] ?? [prefix, `${prefix}/`, `${prefix}/index.html`, `${prefix}/a/b-c_d.json?x=1`]).map((target) => ({ target, context: prefix })),
    );
}
