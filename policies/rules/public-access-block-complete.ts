import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown, truthy } from "../lib/values";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-public-access-block-complete",
    description: "S3 public access blocks set all four settings.",
    severity: "high",
    guidelines: ["OS-BACKUPS"],
    remediation: `Set ${FLAGS.map((f) => `\`${f}: true\``).join(", ")} on the BucketPublicAccessBlock; enforcement level \`remediate\` does it automatically.`,
    checkov: ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
    trivy: ["AVD-AWS-0086", "AVD-AWS-0087", "AVD-AWS-0091", "AVD-AWS-0093"],
    types: [T.bucketPublicAccessBlock],
    validate(subject, _config, report) {
        const unknown = FLAGS.filter((f) => isUnknown(subject.props[f]));
        const off = FLAGS.filter((f) => !isUnknown(subject.props[f]) && !truthy(subject.props[f]));
        if (off.length) report.violation(subject, `${off.join(", ")} ${off.length === 1 ? "is" : "are"} not true`);
        if (unknown.length) report.unproven(subject, unknown.join(", "));
    },
    remediate(subject) {
        if (FLAGS.every((f) => truthy(subject.props[f]))) return undefined;
        const fixed: Record<string, unknown> = { ...subject.props };
        for (const f of FLAGS) fixed[f] = true;
        return fixed;
    },
});
