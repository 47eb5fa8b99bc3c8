import { stackRule } from "../lib/define";
import { bucketViews } from "../lib/s3";
import { T } from "../lib/types";
import { isUnknown, list } from "../lib/values";

export const rule = stackRule<Record<string, never>>({
    name: "wso2-bucket-lifecycle",
    description: "S3 buckets have an enabled lifecycle rule, so old versions and logs expire instead of piling up unmanaged.",
    severity: "low",
    guidelines: ["OS-BACKUPS", "PROD-LOG-ROTATION"],
    remediation:
        "Add `s3.BucketLifecycleConfiguration { bucket, rules: [{ id, status: \"Enabled\", noncurrentVersionExpiration: { noncurrentDays }, " +
        "abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }] }` (log buckets: `expiration: { days }`).",
    checkov: ["CKV2_AWS_61"],
    validate(stack, _config, report) {
        const { buckets, unattributed } = bucketViews(stack);
        for (const { bucket, companions } of buckets) {
            const statuses: unknown[] = [];
            for (const c of companions.get(T.bucketLifecycle) ?? []) {
                const rules = list(c.props.rules);
                if (rules === undefined) statuses.push(c.props.rules);
                else statuses.push(...rules.map((r) => (isUnknown(r) ? r : r?.status)));
            }
            for (const r of list(bucket.props.lifecycleRules) ?? []) statuses.push(r?.enabled === true ? "Enabled" : r?.enabled);
            if (statuses.includes("Enabled")) continue;
            if (statuses.some(isUnknown)) report.unproven(bucket, "the lifecycle rules");
            else if (statuses.length === 0 && unattributed.has(T.bucketLifecycle)) report.unproven(bucket, "the bucket of a lifecycle configuration");
            else report.violation(bucket, "the bucket has no enabled lifecycle rule");
        }
    },
});
