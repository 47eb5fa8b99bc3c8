import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown, truthy } from "../lib/values";

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-efs-encrypted",
    description: "EFS file systems (shared deployment artifacts, tenants, registry files of WSO2 nodes) are encrypted at rest.",
    severity: "high",
    guidelines: ["OS-BACKUPS"],
    remediation:
        "Set `encrypted: true` on the efs.FileSystem, with `kmsKeyId` naming a customer-managed, rotating KMS key. Encryption at rest " +
        "cannot be turned on later: create a new file system and copy the data.",
    checkov: ["CKV_AWS_42"],
    trivy: ["AVD-AWS-0037"],
    types: [T.efsFileSystem],
    validate(subject, _config, report) {
        const encrypted = subject.props.encrypted;
        if (isUnknown(encrypted)) report.unproven(subject, "encrypted");
        else if (!truthy(encrypted)) report.violation(subject, "the file system is not encrypted at rest (encrypted is not true)");
    },
});
