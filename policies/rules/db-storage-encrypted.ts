import { resourceRule } from "../lib/define";
import { DATABASE_TYPES, inheritsFromSource } from "../lib/rds";
import { isUnknown, truthy } from "../lib/values";

export const rule = resourceRule<{ requireCustomerKey: boolean }>({
    name: "wso2-db-storage-encrypted",
    description:
        "RDS databases (instances and Aurora clusters) encrypt their storage, and with it their automated backups, snapshots and " +
        "replicas, with a customer managed KMS key. Read replicas and cluster members inherit their source's encryption.",
    severity: "high",
    guidelines: ["DATA-BACKUP-RDBMS"],
    remediation: "Set `storageEncrypted: true` and `kmsKeyId` to a customer managed key with rotation; an existing unencrypted database is migrated through an encrypted snapshot copy.",
    checkov: ["CKV_AWS_16", "CKV_AWS_96"],
    trivy: ["AVD-AWS-0080", "AVD-AWS-0079"],
    types: DATABASE_TYPES,
    config: {
        requireCustomerKey: { type: "boolean", description: "Refuse the AWS managed key (aws/rds): only a customer key can be rotated, audited and shared under your policy.", default: true },
    },
    validate(subject, config, report) {
        if (inheritsFromSource(subject)) return;
        const p = subject.props;
        if (isUnknown(p.storageEncrypted)) return report.unproven(subject, "storageEncrypted");
        if (!truthy(p.storageEncrypted)) return report.violation(subject, "the database storage is not encrypted (storageEncrypted is not true)");
        if (!config.requireCustomerKey) return;
        if (isUnknown(p.kmsKeyId)) return report.unproven(subject, "kmsKeyId");
        if (p.kmsKeyId === undefined || p.kmsKeyId === null || p.kmsKeyId === "" || /alias\/aws\/rds$/.test(String(p.kmsKeyId))) {
            report.violation(subject, "the database storage is encrypted with the AWS managed key (aws/rds), not a customer managed key (kmsKeyId)");
        }
    },
});
