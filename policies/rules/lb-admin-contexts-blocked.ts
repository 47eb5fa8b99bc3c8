import { stackRule } from "../lib/define";
import { attackPaths, listenerRoutes, routeOf } from "../lib/alb";
import { wso2Scope } from "../lib/scope";

export const rule = stackRule<{ adminContexts: string[] }>({
    name: "wso2-lb-admin-contexts-blocked",
    description:
        "No forwarding route of a listener in front of WSO2 reaches the /services (admin SOAP services) or /carbon (management console) contexts, " +
        "directly or by traversal out of an allowed prefix; listeners forward only an allowlist and answer everything else themselves.",
    severity: "critical",
    guidelines: ["NET-BLOCK-ADMIN-CONTEXTS"],
    remediation:
        "Give every listener a fixed-response (404) or redirect default action, forward only the product's public path prefixes, and put " +
        "blocking rules first (lowest priority numbers) whose path regexes cover path parameters (`;`, `%3b`), dot segments (`..`, `%2e`), " +
        "encoded slashes and backslashes (`%2f`, `%5c`, `\\`) and the admin contexts in any case.",
    config: {
        adminContexts: {
            type: "array",
            items: { type: "string" },
            description: "Contexts never forwarded from the DMZ (add product ones such as /publisher, /admin, /console, /management).",
            default: ["/services", "/carbon"],
        },
    },
    validate(stack, config, report) {
        const { listeners, orphans } = listenerRoutes(stack);
        const scope = wso2Scope(stack);
        for (const rule of orphans) if (scope.has(rule)) report.unproven(rule, "the listener this rule belongs to (listenerArn)");
        for (const l of listeners) {
            // An internal NLB forwarding TCP to a broker or a database has no admin context.
            if (!scope.has(l.listener)) continue;
            const protocol = l.listener.props.protocol;
            if (l.unknown.length) report.unproven(l.listener, `the routing of ${l.unknown.join(", ")}`);
            if (protocol === "TCP" || protocol === "TLS" || protocol === "UDP" || protocol === "TCP_UDP") {
                if (l.defaultForwards) report.violation(l.listener, `the ${protocol} listener forwards every request, so ${config.adminContexts.join(" and ")} are reachable; terminate HTTP on an application load balancer that allowlists paths`);
                continue;
            }
            if (l.defaultForwards) {
                report.violation(l.listener, "the default action forwards every request that no rule matched; use a fixed 404 response and forward only allowlisted paths");
            }
            const reached = new Map<string, string[]>();
            for (const path of attackPaths(config.adminContexts, l.routes)) {
                const route = routeOf(l, path);
                if (route === undefined || route === "default") continue;
                const list = reached.get(route.rule.urn) ?? [];
                list.push(path);
                reached.set(route.rule.urn, list);
            }
            for (const [urn, paths] of reached) {
                const rule = stack.byUrn.get(urn)!;
                const shown = paths.slice(0, 5).join(", ") + (paths.length > 5 ? `, and ${paths.length - 5} more` : "");
                report.violation(rule, `forwards requests that reach an admin context: ${shown}`);
            }
        }
    },
});
