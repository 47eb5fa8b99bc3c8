import { wso2ResourceRule } from "../lib/define";
import { isProduction } from "../lib/environment";
import { T } from "../lib/types";
import { isUnknown, truthy } from "../lib/values";

export const rule = wso2ResourceRule<Record<string, never>>({
    name: "wso2-lb-deletion-protection",
    description:
        "Production load balancers in front of WSO2 have deletion protection, so a mistaken change cannot take the only entry point down. " +
        "Load balancers tagged as another environment (dev, staging) are not judged; untagged ones count as production.",
    severity: "medium",
    guidelines: ["NET-FAILOVER"],
    remediation:
        "Set `enableDeletionProtection: true` on the load balancer, or tag a load balancer that is not production with its " +
        "environment (`wso2-hardening:environment: dev`).",
    checkov: ["CKV_AWS_150"],
    types: [T.loadBalancer],
    validate(subject, _config, report) {
        // Non-production load balancers are rebuilt on purpose (release tests, throwaway stacks).
        if (!isProduction(subject.props)) return;
        const v = subject.props.enableDeletionProtection;
        if (isUnknown(v)) report.unproven(subject, "enableDeletionProtection");
        else if (!truthy(v)) report.violation(subject, "deletion protection is off on a production load balancer");
    },
});
