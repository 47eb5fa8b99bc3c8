/**
 * Reading Kubernetes workloads as the Kubernetes policies need them: type tokens, the pod spec inside each
 * workload kind, its labels, and label-selector matching. Not a policy.
 */
import { isUnknown } from "../../lib/values";

export const K = {
    pod: "kubernetes:core/v1:Pod",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    httpRouteBeta: "kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute",
} as const;

/** Every type that carries a pod spec. */
export const WORKLOAD_TYPES: string[] = [K.pod, K.deployment, K.statefulSet, K.daemonSet, K.replicaSet, K.job, K.cronJob];

/** Workloads that keep pods running (and so need replicas, probes, a PDB). */
export const SERVING_TYPES: string[] = [K.deployment, K.statefulSet];

export type Obj = Record<string, any>;

/** The pod template of a workload's properties (`{ metadata, spec }`), or undefined when it is unknown. */
export function podTemplate(type: string, props: Obj): { metadata: Obj; spec: Obj } | undefined {
    let t: unknown;
    if (type === K.pod) t = { metadata: props.metadata, spec: props.spec };
    else if (type === K.cronJob) t = props.spec?.jobTemplate?.spec?.template;
    else t = props.spec?.template;
    if (t === undefined || t === null || isUnknown(t)) return undefined;
    const tt = t as Obj;
    const spec = tt.spec;
    if (spec === undefined || spec === null || isUnknown(spec)) return undefined;
    return { metadata: tt.metadata && !isUnknown(tt.metadata) ? tt.metadata : {}, spec };
}

/** Every container of a pod spec: init, regular and ephemeral. */
export function containersOf(spec: Obj): Obj[] {
    const out: Obj[] = [];
    for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
        const list = spec[field];
        if (Array.isArray(list)) out.push(...list.filter((c) => c && typeof c === "object"));
    }
    return out;
}

export function namespaceOf(props: Obj): string {
    const ns = props.metadata?.namespace;
    return typeof ns === "string" && !isUnknown(ns) ? ns : "default";
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether a label selector selects an object with these labels (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (!selector) return false;
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        const values = e.values ?? [];
        switch (e.operator) {
            case "In":
                if (!has || !values.includes(labels[e.key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(labels[e.key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

/** Whether a selector carries no condition at all (selects every pod). */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
    return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** The labels of a pod template, or undefined when any is unknown. */
export function podLabels(template: { metadata: Obj }): Record<string, string> | undefined {
    const labels = template.metadata.labels ?? {};
    if (isUnknown(labels) || Object.values(labels).some(isUnknown)) return undefined;
    return labels as Record<string, string>;
}
