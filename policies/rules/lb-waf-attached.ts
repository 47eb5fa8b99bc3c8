import { stackRule } from "../lib/define";
import { T } from "../lib/types";
import { wso2Scope } from "../lib/scope";
import { isUnknown, truthy } from "../lib/values";

export const rule = stackRule<Record<string, never>>({
    name: "wso2-lb-waf-attached",
    description: "Every internet-facing application load balancer in front of WSO2 has a WAFv2 web ACL associated.",
    severity: "high",
    guidelines: ["NET-BLOCK-ADMIN-CONTEXTS"],
    remediation:
        "Create a REGIONAL `wafv2.WebAcl` (AWS managed rule groups, a rate-based rule, a rule blocking the admin contexts after URL-decoding) " +
        "and attach it with `wafv2.WebAclAssociation { resourceArn: <load balancer arn>, webAclArn }`.",
    checkov: ["CKV2_AWS_28"],
    validate(stack, _config, report) {
        const protectedLbs = new Set<string>();
        const unattributed: string[] = [];
        for (const assoc of stack.ofType(T.webAclAssociation)) {
            const r = stack.resolve(assoc, "resourceArn", [T.loadBalancer]);
            r.targets.forEach((t) => protectedLbs.add(t.urn));
            if (r.unknown) unattributed.push(assoc.name);
        }
        const scope = wso2Scope(stack);
        for (const lb of stack.ofType(T.loadBalancer)) {
            if (!scope.has(lb)) continue;
            const p = lb.props;
            if (isUnknown(p.internal) || isUnknown(p.loadBalancerType)) {
                report.unproven(lb, "whether the load balancer is internet-facing");
                continue;
            }
            if (truthy(p.internal) || (p.loadBalancerType !== undefined && p.loadBalancerType !== "application")) continue;
            if (protectedLbs.has(lb.urn)) continue;
            if (unattributed.length) report.unproven(lb, `the resource of web ACL association ${unattributed.join(", ")}`);
            else report.violation(lb, "the internet-facing load balancer has no WAF web ACL associated");
        }
    },
});
