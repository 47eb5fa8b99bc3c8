import { resourceRule } from "../lib/define";
import { environmentOf } from "../lib/environment";
import { DATABASE_TYPES, inheritsFromSource } from "../lib/rds";
import { isUnknown } from "../lib/values";

interface BackupRetentionConfig {
    minDays: number;
    nonProductionMinDays: number;
}

export const rule = resourceRule<BackupRetentionConfig>({
    name: "wso2-db-backup-retention",
    description:
        "RDS databases keep automated backups (point-in-time recovery) for at least `minDays` days in production (no environment tag, " +
        "or tagged prod/production/prd/live) and `nonProductionMinDays` elsewhere: the RDBMS's own backup, not a copy of its files.",
    severity: "high",
    guidelines: ["DATA-BACKUP-RDBMS"],
    remediation: "Set `backupRetentionPeriod` (days, 1..35) on the database at or above the configured minimum (default 7 in production, 1 elsewhere).",
    checkov: ["CKV_AWS_133"],
    trivy: ["AVD-AWS-0077"],
    types: DATABASE_TYPES,
    config: {
        minDays: { type: "integer", minimum: 1, maximum: 35, description: "Fewest days of automated backups for a production database.", default: 7 },
        nonProductionMinDays: { type: "integer", minimum: 1, maximum: 35, description: "Fewest days for a database tagged as a non-production environment.", default: 1 },
    },
    validate(subject, config, report) {
        for (const key of ["minDays", "nonProductionMinDays"] as const) {
            const v = config[key];
            if (!Number.isInteger(v) || v < 1 || v > 35) throw new Error(`policy config "wso2-db-backup-retention.${key}" is ${JSON.stringify(v)}; expected whole days from 1 to 35 (RDS keeps at most 35)`);
        }
        if (inheritsFromSource(subject)) return;
        const days = subject.props.backupRetentionPeriod;
        if (isUnknown(days)) return report.unproven(subject, "backupRetentionPeriod");
        const env = environmentOf(subject.props);
        const min = env.production ? config.minDays : config.nonProductionMinDays;
        const scope = env.production ? "a production database" : `a database of environment "${env.name}"`;
        // Unset, the provider creates the database without automated backups.
        const n = days === undefined || days === null ? 0 : Number(days);
        if (n === 0) report.violation(subject, `automated backups are off (backupRetentionPeriod is ${days ?? "unset"}); at least ${min} days are required for ${scope}`);
        else if (n < min) report.violation(subject, `automated backups are kept ${n} days; at least ${min} are required for ${scope}`);
    },
});
