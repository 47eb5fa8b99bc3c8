import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown } from "../lib/values";

export const rule = resourceRule<{ minDays: number; maxDays: number }>({
    name: "wso2-log-retention",
    description: "CloudWatch log groups (product, audit, flow and network logs) keep logs for a bounded retention period long enough for investigations.",
    severity: "low",
    guidelines: ["PROD-LOG-ROTATION", "NET-LOGGING", "OS-MONITOR-USERS"],
    remediation: "Set `retentionInDays` on the log group to a value CloudWatch accepts between the configured minimum (default 365) and maximum.",
    checkov: ["CKV_AWS_338"],
    types: [T.logGroup],
    config: {
        minDays: { type: "integer", minimum: 1, description: "Shortest accepted retention in days.", default: 365 },
        maxDays: { type: "integer", minimum: 1, description: "Longest accepted retention in days (a bound keeps storage and exposure finite).", default: 3653 },
    },
    validate(subject, config, report) {
        const days = subject.props.retentionInDays;
        if (isUnknown(days)) return report.unproven(subject, "retentionInDays");
        if (days === undefined || days === null || days === 0) {
            return report.violation(subject, "the log group keeps logs forever (no retentionInDays); set a bounded retention");
        }
        if (days < config.minDays) report.violation(subject, `logs are kept ${days} days; at least ${config.minDays} are required`);
        else if (days > config.maxDays) report.violation(subject, `logs are kept ${days} days; at most ${config.maxDays}`);
    },
});
