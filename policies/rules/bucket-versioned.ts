import { stackRule } from "../lib/define";
import { bucketViews } from "../lib/s3";
import { T } from "../lib/types";
import { isUnknown } from "../lib/values";

export const rule = stackRule<Record<string, never>>({
    name: "wso2-bucket-versioned",
    description: "S3 buckets (backups, logs) keep object versions, so an overwritten or deleted backup can be restored.",
    severity: "medium",
    guidelines: ["OS-BACKUPS"],
    remediation: 'Add `s3.BucketVersioning { bucket, versioningConfiguration: { status: "Enabled" } }` for the bucket.',
    checkov: ["CKV_AWS_21"],
    trivy: ["AVD-AWS-0090"],
    validate(stack, _config, report) {
        const { buckets, unattributed } = bucketViews(stack);
        for (const { bucket, companions } of buckets) {
            const statuses = [
                ...(companions.get(T.bucketVersioning) ?? []).map((v) => v.props.versioningConfiguration?.status),
                ...(bucket.props.versioning ? [bucket.props.versioning.enabled === true ? "Enabled" : bucket.props.versioning.enabled] : []),
            ];
            if (statuses.includes("Enabled")) continue;
            if (statuses.some(isUnknown)) report.unproven(bucket, "the versioning status");
            else if (statuses.length === 0 && unattributed.has(T.bucketVersioning)) report.unproven(bucket, "the bucket of a BucketVersioning resource");
            else report.violation(bucket, statuses.length ? `versioning is ${statuses.join(", ")}` : "the bucket has no versioning configuration");
        }
    },
});
