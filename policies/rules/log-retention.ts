import { resourceRule } from "../lib/define";
import { environmentOf } from "../lib/environment";
import { T } from "../lib/types";
import { isUnknown } from "../lib/values";

interface LogRetentionConfig {
    minDays: number;
    nonProductionMinDays: number;
    maxDays: number;
}

/** The retention bounds refused before any log group is judged: each problem names its key. */
function daysProblems(config: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const key of ["minDays", "nonProductionMinDays", "maxDays"] as const) {
        const v = config[key];
        if (!Number.isInteger(v) || (v as number) < 1) {
            problems.push(`policy config "wso2-log-retention.${key}" is ${JSON.stringify(v)}; expected a whole number of days, at least 1`);
        }
    }
    if (problems.length) return problems;
    for (const key of ["minDays", "nonProductionMinDays"] as const) {
        if ((config[key] as number) > (config.maxDays as number)) {
            problems.push(`policy config "wso2-log-retention.${key}" (${config[key]}) is above maxDays (${config.maxDays}); no retention could pass`);
        }
    }
    return problems;
}

export const rule = resourceRule<LogRetentionConfig>({
    name: "wso2-log-retention",
    description:
        "CloudWatch log groups (product, audit, flow and network logs) keep logs for a bounded retention period long enough for investigations: " +
        "at least `minDays` in production (no environment tag, or tagged prod/production/prd/live), at least `nonProductionMinDays` " +
        "for log groups tagged as another environment (dev, staging).",
    severity: "low",
    guidelines: ["PROD-LOG-ROTATION", "NET-LOGGING"],
    remediation:
        "Set `retentionInDays` on the log group to a value CloudWatch accepts between the configured minimum (default 365 in production, " +
        "7 elsewhere) and maximum; tag a log group that is not production with its environment (`wso2-hardening:environment: dev`).",
    checkov: ["CKV_AWS_338"],
    types: [T.logGroup],
    configProblems: daysProblems,
    config: {
        minDays: { type: "integer", minimum: 1, description: "Shortest accepted retention in days for production log groups.", default: 365 },
        nonProductionMinDays: {
            type: "integer",
            minimum: 1,
            description: "Shortest accepted retention in days for log groups tagged as a non-production environment.",
            default: 7,
        },
        maxDays: { type: "integer", minimum: 1, description: "Longest accepted retention in days (a bound keeps storage and exposure finite).", default: 3653 },
    },
    validate(subject, config, report) {
        const days = subject.props.retentionInDays;
        if (isUnknown(days)) return report.unproven(subject, "retentionInDays");
        if (days === undefined || days === null || days === 0) {
            return report.violation(subject, "the log group keeps logs forever (no retentionInDays); set a bounded retention");
        }
        const env = environmentOf(subject.props);
        const minDays = env.production ? config.minDays : config.nonProductionMinDays;
        const scope = env.production ? "production log group" : `log group of environment "${env.name}"`;
        if (days < minDays) report.violation(subject, `logs are kept ${days} days; at least ${minDays} are required for a ${scope}`);
        else if (days > config.maxDays) report.violation(subject, `logs are kept ${days} days; at most ${config.maxDays}`);
    },
});
