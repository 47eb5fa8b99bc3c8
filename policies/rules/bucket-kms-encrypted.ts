import { stackRule } from "../lib/define";
import { bucketViews } from "../lib/s3";
import { T } from "../lib/types";
import { isUnknown, list } from "../lib/values";

function isKms(algorithm: unknown): boolean {
    return algorithm === "aws:kms" || algorithm === "aws:kms:dsse";
}

export const rule = stackRule<Record<string, never>>({
    name: "wso2-bucket-kms-encrypted",
    description:
        "S3 buckets are encrypted by default with a customer-managed KMS key; buckets that receive load balancer or S3 access logs, " +
        "which AWS can only write with SSE-S3, need SSE-S3 at least.",
    severity: "high",
    guidelines: ["OS-BACKUPS"],
    remediation:
        'Add `s3.BucketServerSideEncryptionConfiguration { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", ' +
        "kmsMasterKeyId: <kms key arn> }, bucketKeyEnabled: true }] }`; for log buckets use `sseAlgorithm: \"AES256\"`.",
    checkov: ["CKV_AWS_145"],
    trivy: ["AVD-AWS-0088", "AVD-AWS-0132"],
    validate(stack, _config, report) {
        const { buckets, unattributed } = bucketViews(stack);
        for (const { bucket, companions, logTarget } of buckets) {
            const rules: any[] = [];
            let unknown = false;
            // At a first preview the key's ARN is unknown; a key this program creates is customer-managed
            // (AWS-managed keys are only ever named by their literal alias), so such a reference proves it.
            let ownKey = false;
            for (const c of companions.get(T.bucketEncryption) ?? []) {
                const l = list(c.props.rules);
                if (l === undefined) unknown = true;
                else rules.push(...l);
                if ((c.deps.rules ?? []).some((u) => [T.kmsKey, T.kmsAlias].includes(stack.byUrn.get(u)?.type as typeof T.kmsKey))) ownKey = true;
            }
            const inline = bucket.props.serverSideEncryptionConfiguration;
            if (inline && typeof inline === "object") rules.push(...(list(inline.rule) ?? []));
            if ((bucket.deps.serverSideEncryptionConfiguration ?? []).some((u) => stack.byUrn.get(u)?.type === T.kmsKey)) ownKey = true;
            const defaults = rules.map((r) => (isUnknown(r) ? r : r?.applyServerSideEncryptionByDefault));
            const customerKey = (d: any) => isKms(d?.sseAlgorithm) && (isUnknown(d.kmsMasterKeyId) ? ownKey : d.kmsMasterKeyId && !/alias\/aws\/s3$/.test(d.kmsMasterKeyId));
            if (defaults.some((d) => !isUnknown(d) && !isUnknown(d?.sseAlgorithm) && customerKey(d))) continue;
            if (unknown || defaults.some((d) => isUnknown(d) || isUnknown(d?.sseAlgorithm) || isUnknown(d?.kmsMasterKeyId))) {
                report.unproven(bucket, "the default encryption");
                continue;
            }
            if (defaults.length === 0) {
                if (unattributed.has(T.bucketEncryption)) report.unproven(bucket, "the bucket of an encryption configuration");
                else report.violation(bucket, "the bucket has no default encryption configuration");
                continue;
            }
            const sseS3 = defaults.some((d) => d?.sseAlgorithm === "AES256");
            if (logTarget && sseS3) continue;
            report.violation(bucket, logTarget ? "the log bucket has no SSE-S3 or SSE-KMS default encryption" : "the bucket is not encrypted with a customer-managed KMS key (sseAlgorithm aws:kms with kmsMasterKeyId)");
        }
    },
});
