import { wso2ResourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown, truthy } from "../lib/values";

export const rule = wso2ResourceRule<Record<string, never>>({
    name: "wso2-lb-access-logs",
    description: "Load balancers in front of WSO2 write access logs, so requests at the edge can be monitored and investigated.",
    severity: "medium",
    guidelines: ["NET-LOGGING"],
    remediation: "Set `accessLogs: { enabled: true, bucket: <log bucket> }` on the load balancer (the bucket uses SSE-S3: ALB logs do not support KMS).",
    checkov: ["CKV_AWS_91"],
    types: [T.loadBalancer],
    validate(subject, _config, report) {
        const p = subject.props;
        if (p.loadBalancerType === "gateway") return;
        const logs = p.accessLogs;
        // An unknown bucket is still a bucket (a reference to one created in the stack); unknown enablement is not.
        if (isUnknown(logs) || isUnknown(logs?.enabled)) return report.unproven(subject, "accessLogs.enabled");
        if (!logs || !truthy(logs.enabled) || !logs.bucket) report.violation(subject, "access logs are not enabled");
    },
});
