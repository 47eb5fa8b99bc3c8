import { stackRule } from "../lib/define";
import { actionsForward, listenerRoutes } from "../lib/alb";
import { wso2Scope } from "../lib/scope";
import { isUnknown, list } from "../lib/values";

export const rule = stackRule<Record<string, never>>({
    name: "wso2-lb-http-redirect-only",
    description: "Plain HTTP listeners in front of WSO2 only redirect to HTTPS; no rule of theirs forwards to WSO2.",
    severity: "high",
    guidelines: ["PROD-TLS-STRONG"],
    remediation:
        'Give HTTP listeners a single default action `{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }` ' +
        "and attach no forwarding rules to them.",
    checkov: ["CKV2_AWS_20"],
    trivy: ["AVD-AWS-0054"],
    validate(stack, _config, report) {
        const { listeners } = listenerRoutes(stack);
        const scope = wso2Scope(stack);
        for (const l of listeners) {
            if (!scope.has(l.listener)) continue;
            const p = l.listener.props;
            if (isUnknown(p.protocol)) {
                report.unproven(l.listener, "protocol");
                continue;
            }
            if (p.protocol !== "HTTP") continue;
            const actions = list(p.defaultActions);
            if (actions === undefined || actions.some(isUnknown)) report.unproven(l.listener, "defaultActions");
            else {
                const redirect = actions.find((a) => a?.type === "redirect");
                const toHttps = redirect && (isUnknown(redirect.redirect?.protocol) ? undefined : redirect.redirect?.protocol === "HTTPS");
                if (toHttps === undefined && redirect) report.unproven(l.listener, "defaultActions[].redirect.protocol");
                else if (!toHttps || actionsForward(actions)) report.violation(l.listener, "the HTTP listener does not redirect to HTTPS by default");
            }
            for (const route of l.routes) {
                if (route.forwards) report.violation(route.rule, "a rule on the plain HTTP listener forwards requests instead of redirecting them to HTTPS");
            }
        }
    },
});
