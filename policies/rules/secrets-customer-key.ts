import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown } from "../lib/values";

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-secrets-customer-key",
    description: "Secrets Manager secrets (admin and keystore passwords) are encrypted with a customer-managed KMS key.",
    severity: "medium",
    guidelines: ["PROD-ADMIN-CREDENTIALS", "PROD-SECURE-VAULT"],
    remediation: "Set `kmsKeyId` on the secretsmanager.Secret to a customer-managed, rotating kms.Key whose policy limits who may decrypt.",
    checkov: ["CKV_AWS_149"],
    trivy: ["AVD-AWS-0098"],
    types: [T.secret],
    validate(subject, _config, report) {
        const key = subject.props.kmsKeyId;
        if (isUnknown(key)) report.unproven(subject, "kmsKeyId");
        else if (!key || /alias\/aws\/secretsmanager$/.test(key)) report.violation(subject, "the secret uses the AWS-managed key; set kmsKeyId to a customer-managed key");
    },
});
