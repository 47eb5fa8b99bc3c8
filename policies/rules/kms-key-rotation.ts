import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown, truthy } from "../lib/values";

export const rule = resourceRule<{ maxRotationDays: number }>({
    name: "wso2-kms-key-rotation",
    description: "Customer-managed symmetric KMS keys (backups, volumes, secrets) rotate automatically.",
    severity: "medium",
    guidelines: ["OS-BACKUPS", "PROD-SECURE-VAULT"],
    remediation: "Set `enableKeyRotation: true` (and optionally `rotationPeriodInDays`) on the kms.Key.",
    checkov: ["CKV_AWS_7"],
    trivy: ["AVD-AWS-0065"],
    types: [T.kmsKey],
    config: {
        maxRotationDays: { type: "integer", minimum: 90, maximum: 2560, description: "Longest accepted rotation period in days.", default: 365 },
    },
    validate(subject, config, report) {
        const p = subject.props;
        const spec = p.customerMasterKeySpec ?? p.keySpec;
        if (isUnknown(spec) || isUnknown(p.keyUsage)) return report.unproven(subject, "the key spec");
        // AWS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot rotate.
        if ((spec !== undefined && spec !== "SYMMETRIC_DEFAULT") || (p.keyUsage !== undefined && p.keyUsage !== "ENCRYPT_DECRYPT")) return;
        if (isUnknown(p.enableKeyRotation)) return report.unproven(subject, "enableKeyRotation");
        if (!truthy(p.enableKeyRotation)) return report.violation(subject, "automatic key rotation is off");
        if (isUnknown(p.rotationPeriodInDays)) report.unproven(subject, "rotationPeriodInDays");
        else if (typeof p.rotationPeriodInDays === "number" && p.rotationPeriodInDays > config.maxRotationDays) {
            report.violation(subject, `the key rotates every ${p.rotationPeriodInDays} days; at most ${config.maxRotationDays}`);
        }
    },
});
