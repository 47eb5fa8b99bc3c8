import { stackRule } from "../lib/define";
import { bucketViews } from "../lib/s3";
import { T } from "../lib/types";
import { isUnknown } from "../lib/values";

const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);

export const rule = stackRule<Record<string, never>>({
    name: "wso2-bucket-private",
    description: "S3 buckets have a public access block and no public canned ACL.",
    severity: "high",
    guidelines: ["OS-BACKUPS"],
    remediation:
        "Add `s3.BucketPublicAccessBlock { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, " +
        'restrictPublicBuckets: true }`, `s3.BucketOwnershipControls` with `BucketOwnerEnforced`, and no `acl` of "public-read", "public-read-write" or "authenticated-read".',
    checkov: ["CKV2_AWS_6"],
    trivy: ["AVD-AWS-0094"],
    validate(stack, _config, report) {
        const { buckets, unattributed } = bucketViews(stack);
        for (const { bucket, companions } of buckets) {
            const acls = [bucket.props.acl, ...(companions.get(T.bucketAcl) ?? []).map((a) => a.props.acl)];
            if (acls.some(isUnknown)) report.unproven(bucket, "the canned ACL");
            const publicAcl = acls.find((a) => typeof a === "string" && PUBLIC_ACLS.has(a));
            if (publicAcl) report.violation(bucket, `the canned ACL "${publicAcl}" makes objects public`);
            if ((companions.get(T.bucketPublicAccessBlock) ?? []).length) continue;
            if (unattributed.has(T.bucketPublicAccessBlock)) report.unproven(bucket, "the bucket of a BucketPublicAccessBlock resource");
            else report.violation(bucket, "the bucket has no public access block");
        }
    },
});
