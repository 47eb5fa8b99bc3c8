import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown, truthy } from "../lib/values";

const isApplication = (p: Record<string, unknown>) => p.loadBalancerType === undefined || p.loadBalancerType === "application";

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-lb-drop-invalid-headers",
    description: "Application load balancers drop HTTP headers with invalid names instead of passing them to WSO2.",
    severity: "medium",
    guidelines: ["PROD-TLS-STRONG"],
    remediation:
        "Set `dropInvalidHeaderFields: true` (and `desyncMitigationMode: \"strictest\"`) on the application load balancer; " +
        "enforcement level `remediate` sets the first automatically.",
    checkov: ["CKV_AWS_131"],
    trivy: ["AVD-AWS-0052"],
    types: [T.loadBalancer],
    validate(subject, _config, report) {
        const p = subject.props;
        if (isUnknown(p.loadBalancerType)) return report.unproven(subject, "loadBalancerType");
        if (!isApplication(p)) return;
        if (isUnknown(p.dropInvalidHeaderFields)) report.unproven(subject, "dropInvalidHeaderFields");
        else if (!truthy(p.dropInvalidHeaderFields)) report.violation(subject, "invalid header fields are passed to the targets (dropInvalidHeaderFields is not true)");
    },
    remediate(subject) {
        const p = subject.props;
        if (!isApplication(p) || truthy(p.dropInvalidHeaderFields)) return undefined;
        return { ...p, dropInvalidHeaderFields: true };
    },
});
