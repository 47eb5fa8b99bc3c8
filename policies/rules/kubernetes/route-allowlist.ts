import { resourceRule } from "../../lib/define";
import { containsUnknown } from "../../lib/values";
import { K, Obj } from "./pods";

/** Admin contexts of every WSO2 product: never routed from outside (NET-BLOCK-ADMIN-CONTEXTS). */
const DEFAULT_ADMIN_CONTEXTS = [
    "/services",
    "/carbon",
    "/admin",
    "/publisher",
    "/api/am/admin",
    "/api/am/publisher",
    "/fileupload",
    "/registry",
    "/console",
    "/api/server",
    "/scim2",
    "/management",
    "/dashboard",
    "/siddhi-apps",
];

/** Why a routed path is not an allowlisted public prefix, or undefined when it is one. */
export function pathProblem(type: string | undefined, value: string | undefined, adminContexts: string[]): string | undefined {
    if (type === "RegularExpression") return `a regular expression path (${value}) cannot be proven to avoid the admin contexts`;
    const path = (value ?? "/").toLowerCase().replace(/\/+$/, "");
    if (path === "") return "it routes every path (/)";
    const admin = adminContexts.find((a) => path === a || path.startsWith(a + "/") || (type !== "Exact" && a.startsWith(path + "/")));
    if (admin) return `${value} reaches the admin context ${admin}`;
    return undefined;
}

function httpRouteProblems(spec: Obj, admin: string[]): string[] {
    const problems: string[] = [];
    (Array.isArray(spec.rules) ? spec.rules : []).forEach((r: Obj, i: number) => {
        const matches = Array.isArray(r.matches) ? r.matches : [];
        // A rule without matches matches every request (PathPrefix "/").
        if (matches.length === 0) problems.push(`rule ${i} has no matches, so it routes every path`);
        for (const m of matches) {
            const why = pathProblem(m.path?.type ?? "PathPrefix", m.path?.value, admin);
            if (why) problems.push(`rule ${i}: ${why}`);
        }
    });
    return problems;
}

function ingressProblems(spec: Obj, admin: string[]): string[] {
    const problems: string[] = [];
    if (spec.defaultBackend) problems.push("it has a default backend, which receives every unmatched path");
    (Array.isArray(spec.rules) ? spec.rules : []).forEach((r: Obj, i: number) => {
        const paths = Array.isArray(r.http?.paths) ? r.http.paths : [];
        if (paths.length === 0) problems.push(`rule ${i} has no paths`);
        for (const p of paths) {
            const type = p.pathType === "Exact" ? "Exact" : p.pathType === "Prefix" ? "PathPrefix" : "RegularExpression";
            const why = pathProblem(type, p.path, admin);
            if (why) problems.push(`rule ${i}: ${why}`);
        }
    });
    return problems;
}

export const rule = resourceRule<{ adminContexts: string[] }>({
    name: "wso2-k8s-route-allowlist",
    description: "HTTPRoutes and Ingresses forward only allowlisted path prefixes: no catch-all, no admin context such as /services or /carbon.",
    severity: "critical",
    guidelines: ["NET-BLOCK-ADMIN-CONTEXTS", "PROD-CONSOLE-ACCESS"],
    remediation:
        "Give every rule explicit PathPrefix or Exact matches for the product's public paths (e.g. /oauth2, /devportal); " +
        "never '/', a rule without matches, a regular expression, a default backend, or a prefix at or above /services, /carbon " +
        "and the other admin contexts. Reach the admin consoles through a private route or a port-forward.",
    config: {
        adminContexts: { type: "array", items: { type: "string" }, description: "Path prefixes no route may reach.", default: DEFAULT_ADMIN_CONTEXTS },
    },
    types: [K.httpRoute, K.httpRouteBeta, K.ingress],
    validate(subject, config, report) {
        const spec = subject.props.spec;
        if (containsUnknown(spec)) {
            report.unproven(subject, "the route's rules");
            return;
        }
        const admin = config.adminContexts.map((a) => a.toLowerCase().replace(/\/+$/, ""));
        const problems = subject.type === K.ingress ? ingressProblems(spec ?? {}, admin) : httpRouteProblems(spec ?? {}, admin);
        if (problems.length) report.violation(subject, `it forwards more than the public allowlist: ${problems.join("; ")}`);
    },
});
