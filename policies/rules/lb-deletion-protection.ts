import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown, truthy } from "../lib/values";

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-lb-deletion-protection",
    description: "Load balancers have deletion protection, so a mistaken change cannot take the only entry point down.",
    severity: "medium",
    guidelines: ["NET-FAILOVER"],
    remediation: "Set `enableDeletionProtection: true` on the load balancer (the dev profile makes this advisory).",
    checkov: ["CKV_AWS_150"],
    types: [T.loadBalancer],
    validate(subject, _config, report) {
        const v = subject.props.enableDeletionProtection;
        if (isUnknown(v)) report.unproven(subject, "enableDeletionProtection");
        else if (!truthy(v)) report.violation(subject, "deletion protection is off");
    },
});
