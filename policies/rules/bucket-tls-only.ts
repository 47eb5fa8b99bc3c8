import { stackRule } from "../lib/define";
import { bucketViews } from "../lib/s3";
import { T } from "../lib/types";
import { isUnknown, list } from "../lib/values";

/** Whether a policy document denies every request made without TLS. */
export function deniesInsecureTransport(doc: any): boolean {
    for (const s of list(doc?.Statement ?? doc?.statement) ?? []) {
        if ((s?.Effect ?? s?.effect) !== "Deny") continue;
        const principal = s.Principal ?? s.principal;
        const everyone = principal === "*" || principal?.AWS === "*" || (Array.isArray(principal?.AWS) && principal.AWS.includes("*"));
        const actions = list(s.Action ?? s.action) ?? [];
        const allActions = actions.includes("s3:*") || actions.includes("*");
        const cond = s.Condition ?? s.condition ?? {};
        const bool = cond.Bool ?? cond.bool ?? {};
        const secure = bool["aws:SecureTransport"];
        if (everyone && allActions && (secure === false || secure === "false" || (Array.isArray(secure) && secure.map(String).includes("false")))) return true;
    }
    return false;
}

export const rule = stackRule<Record<string, never>>({
    name: "wso2-bucket-tls-only",
    description: "S3 bucket policies deny every request that does not use TLS.",
    severity: "medium",
    guidelines: ["OS-BACKUPS", "PROD-TLS-EXTERNAL"],
    remediation:
        'Attach an `s3.BucketPolicy` with a statement `{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [<bucket arn>, <bucket arn>/*], ' +
        'Condition: { Bool: { "aws:SecureTransport": "false" } } }`.',
    validate(stack, _config, report) {
        const { buckets, unattributed } = bucketViews(stack);
        for (const { bucket, companions } of buckets) {
            const docs = [bucket.props.policy, ...(companions.get(T.bucketPolicy) ?? []).map((p) => p.props.policy)].filter((d) => d !== undefined && d !== null && d !== "");
            let unknown = false;
            let tlsOnly = false;
            for (const d of docs) {
                if (isUnknown(d)) {
                    unknown = true;
                    continue;
                }
                let doc: unknown = d;
                if (typeof d === "string") {
                    try {
                        doc = JSON.parse(d);
                    } catch {
                        report.violation(bucket, "a bucket policy is not valid JSON");
                        continue;
                    }
                }
                if (deniesInsecureTransport(doc)) tlsOnly = true;
            }
            if (tlsOnly) continue;
            if (unknown) report.unproven(bucket, "the bucket policy document");
            else if (docs.length === 0 && unattributed.has(T.bucketPolicy)) report.unproven(bucket, "the bucket of a BucketPolicy resource");
            else report.violation(bucket, docs.length ? "no bucket policy statement denies requests without TLS (aws:SecureTransport false)" : "the bucket has no policy denying requests without TLS");
        }
    },
});
