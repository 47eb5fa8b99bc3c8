import { stackRule } from "../lib/define";
import type { Node, StackIndex } from "../lib/graph";
import { bucketViews } from "../lib/s3";
import { T } from "../lib/types";
import { isUnknown, list, unwrap } from "../lib/values";

/** Words that say a bucket holds backups, in its names or tags. */
const BACKUP = /backup/i;

function saysBackup(bucket: Node): boolean {
    const p = bucket.props;
    const tags = unwrap(p.tags);
    const words = [bucket.name, p.bucket, p.bucketPrefix, ...(tags && typeof tags === "object" ? Object.entries(tags).flat() : [])];
    return words.some((w) => typeof w === "string" && !isUnknown(w) && BACKUP.test(w));
}

/** Buckets that receive replicated objects of a backup bucket (its replicas, maybe in another region). */
function replicasOf(stack: StackIndex, backups: Set<string>): Node[] {
    const out: Node[] = [];
    for (const config of stack.ofType(T.bucketReplication)) {
        if (!stack.resolve(config, "bucket", [T.bucket]).targets.some((b) => backups.has(b.urn))) continue;
        for (const rule of list(config.props.rules) ?? []) {
            out.push(...stack.resolve(config, "rules", [T.bucket], unwrap(rule)?.destination?.bucket).targets);
        }
    }
    return out;
}

export const rule = stackRule<Record<string, never>>({
    name: "wso2-backup-bucket-access-logs",
    description:
        "S3 buckets holding backups, and the buckets they replicate to, log every request (server access logging), so access to " +
        "backups (keystores, databases, configuration) can be investigated.",
    severity: "medium",
    guidelines: ["OS-BACKUPS", "NET-LOGGING"],
    remediation:
        "Add `s3.BucketLogging { bucket: <backup bucket>, targetBucket: <log bucket>, targetPrefix }` for the backup bucket and for its " +
        "replica (with a log bucket in the replica's region). The log bucket uses SSE-S3, the only encryption S3 access logging accepts. " +
        "A bucket is taken as holding backups when its name, bucket name or a tag says `backup`, or when a backup bucket replicates to it.",
    checkov: ["CKV_AWS_18"],
    trivy: ["AVD-AWS-0089"],
    validate(stack, _config, report) {
        const views = bucketViews(stack).buckets;
        // Log buckets themselves are not logged (AWS would log the logging); a backup's log bucket says "backup" too.
        const backups = new Set(views.filter((v) => !v.logTarget && saysBackup(v.bucket)).map((v) => v.bucket.urn));
        for (const replica of replicasOf(stack, backups)) backups.add(replica.urn);
        if (backups.size === 0) return;
        const logged = new Set<string>();
        let unattributed = false;
        for (const logging of stack.ofType(T.bucketLogging)) {
            const r = stack.resolve(logging, "bucket", [T.bucket]);
            r.targets.forEach((b) => logged.add(b.urn));
            if (r.unknown) unattributed = true;
        }
        for (const view of views) {
            if (!backups.has(view.bucket.urn)) continue;
            const inline = unwrap(view.bucket.props.logging);
            if (logged.has(view.bucket.urn) || (inline && typeof inline === "object" && inline.targetBucket)) continue;
            if (unattributed) report.unproven(view.bucket, "the bucket of a BucketLogging resource");
            else report.violation(view.bucket, "the bucket holds backups but has no server access logging (s3.BucketLogging)");
        }
    },
});
