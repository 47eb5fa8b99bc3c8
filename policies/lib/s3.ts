/**
 * An S3 bucket with its companion resources (`@pulumi/aws` 7 splits versioning, encryption, public
 * access blocks, lifecycle, policy and ACL into separate resources that name the bucket in `bucket`).
 * Built once per stack index; companions whose bucket is unknown are kept apart so a missing setting
 * is reported as unproven rather than missing.
 */
import type { Node, StackIndex } from "./graph";
import { T } from "./types";

export interface BucketView {
    bucket: Node;
    companions: Map<string, Node[]>;
    /** The bucket receives load balancer or S3 server access logs (SSE-KMS is not supported for those). */
    logTarget: boolean;
}

export interface BucketViews {
    buckets: BucketView[];
    /** Companion types with at least one resource whose bucket is unknown. */
    unattributed: Set<string>;
}

const COMPANIONS = [T.bucketVersioning, T.bucketEncryption, T.bucketPublicAccessBlock, T.bucketLifecycle, T.bucketPolicy, T.bucketAcl];
const cache = new WeakMap<StackIndex, BucketViews>();

export function bucketViews(stack: StackIndex): BucketViews {
    const cached = cache.get(stack);
    if (cached) return cached;
    const views = new Map<string, BucketView>();
    for (const bucket of stack.ofType(T.bucket)) views.set(bucket.urn, { bucket, companions: new Map(), logTarget: false });
    const unattributed = new Set<string>();
    for (const c of stack.ofType(...COMPANIONS)) {
        const r = stack.resolve(c, "bucket", [T.bucket]);
        if (r.unknown) unattributed.add(c.type);
        for (const t of r.targets) {
            const view = views.get(t.urn)!;
            const list = view.companions.get(c.type) ?? [];
            list.push(c);
            view.companions.set(c.type, list);
        }
    }
    const markLogTarget = (node: Node, prop: string, value: unknown) => {
        for (const t of stack.resolve(node, prop, [T.bucket], value).targets) views.get(t.urn)!.logTarget = true;
    };
    for (const lb of stack.ofType(T.loadBalancer)) {
        const logs = lb.props.accessLogs;
        if (logs && typeof logs === "object") markLogTarget(lb, "accessLogs", logs.bucket);
    }
    for (const l of stack.ofType(T.bucketLogging)) markLogTarget(l, "targetBucket", l.props.targetBucket);
    for (const b of stack.ofType(T.bucket)) {
        const logging = b.props.logging;
        if (logging && typeof logging === "object") markLogTarget(b, "logging", logging.targetBucket);
    }
    const result = { buckets: [...views.values()], unattributed };
    cache.set(stack, result);
    return result;
}
