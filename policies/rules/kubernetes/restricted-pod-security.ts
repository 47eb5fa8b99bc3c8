import { resourceRule } from "../../lib/define";
import { isUnknown } from "../../lib/values";
import { Obj, WORKLOAD_TYPES, containersOf, podTemplate } from "./pods";

/** Volume types the "restricted" profile allows. */
const ALLOWED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
/** The only capability "restricted" lets a container add back. */
const ALLOWED_ADDED_CAPABILITY = "NET_BIND_SERVICE";

/** Where the restricted profile is broken in one pod spec; unknown fields go to `unknown`. */
export function restrictedFindings(spec: Obj, requireReadOnlyRoot: boolean, requireNoToken: boolean): { problems: string[]; unknown: string[] } {
    const problems: string[] = [];
    const unknown: string[] = [];
    const podSc: Obj = spec.securityContext && !isUnknown(spec.securityContext) ? spec.securityContext : {};
    if (isUnknown(spec.securityContext)) unknown.push("securityContext");
    for (const f of ["hostNetwork", "hostPID", "hostIPC"]) {
        if (isUnknown(spec[f])) unknown.push(f);
        else if (spec[f] === true) problems.push(`${f} is true`);
    }
    if (Array.isArray(podSc.sysctls) && podSc.sysctls.length) problems.push("sets sysctls");
    for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
        const type = Object.keys(v ?? {}).find((k) => k !== "name");
        if (type && !ALLOWED_VOLUMES.has(type)) problems.push(`volume "${v.name}" is a ${type} volume`);
    }
    if (requireNoToken) {
        if (isUnknown(spec.automountServiceAccountToken)) unknown.push("automountServiceAccountToken");
        else if (spec.automountServiceAccountToken !== false) problems.push("mounts a service account token (set automountServiceAccountToken: false)");
    }
    const containers = containersOf(spec);
    if (containers.length === 0 && isUnknown(spec.containers)) unknown.push("containers");
    for (const c of containers) {
        const where = `container "${c.name}"`;
        if (isUnknown(c.securityContext)) {
            unknown.push(`${where} securityContext`);
            continue;
        }
        const sc: Obj = c.securityContext ?? {};
        const field = (name: string, value: unknown, ok: (v: unknown) => boolean, what: string) => {
            if (isUnknown(value)) unknown.push(`${where} ${name}`);
            else if (!ok(value)) problems.push(`${where} ${what}`);
        };
        field("privileged", sc.privileged, (v) => v !== true, "is privileged");
        field("allowPrivilegeEscalation", sc.allowPrivilegeEscalation, (v) => v === false, "does not set allowPrivilegeEscalation: false");
        const drop = sc.capabilities?.drop;
        field("capabilities.drop", drop, (v) => Array.isArray(v) && v.includes("ALL"), "does not drop ALL capabilities");
        const add = sc.capabilities?.add;
        field("capabilities.add", add, (v) => v === undefined || (Array.isArray(v) && v.every((x) => x === ALLOWED_ADDED_CAPABILITY)), "adds capabilities");
        field("runAsNonRoot", sc.runAsNonRoot ?? podSc.runAsNonRoot, (v) => v === true, "does not set runAsNonRoot: true");
        field("runAsUser", sc.runAsUser ?? podSc.runAsUser, (v) => v === undefined || v !== 0, "runs as UID 0");
        const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
        field("seccompProfile", seccomp, (v) => v === "RuntimeDefault" || v === "Localhost", "has no RuntimeDefault or Localhost seccomp profile");
        field("procMount", sc.procMount, (v) => v === undefined || v === "Default", "unmasks /proc");
        field("appArmorProfile", sc.appArmorProfile?.type, (v) => v !== "Unconfined", "runs AppArmor unconfined");
        if (requireReadOnlyRoot) field("readOnlyRootFilesystem", sc.readOnlyRootFilesystem, (v) => v === true, "has a writable root filesystem");
        for (const port of Array.isArray(c.ports) ? c.ports : []) {
            if (port?.hostPort) problems.push(`${where} binds host port ${port.hostPort}`);
        }
    }
    return { problems, unknown };
}

export const rule = resourceRule<{ requireReadOnlyRootFilesystem: boolean; requireNoServiceAccountToken: boolean }>({
    name: "wso2-k8s-restricted-pod-security",
    description:
        "Pods meet the Pod Security \"restricted\" profile (non-root, no privilege escalation, all capabilities dropped, " +
        "RuntimeDefault seccomp, no host namespaces, ports or paths), with a read-only root filesystem and no service account token.",
    severity: "high",
    guidelines: ["OS-DEDICATED-USER"],
    remediation:
        "Set runAsNonRoot: true and a non-zero runAsUser (WSO2's images use 802), allowPrivilegeEscalation: false, " +
        "capabilities.drop: [ALL], seccompProfile.type: RuntimeDefault and readOnlyRootFilesystem: true on every container; " +
        "mount emptyDir volumes for the directories the product writes; set automountServiceAccountToken: false; label the " +
        "namespace pod-security.kubernetes.io/enforce: restricted.",
    checkov: ["CKV_K8S_16", "CKV_K8S_20", "CKV_K8S_22", "CKV_K8S_23", "CKV_K8S_28", "CKV_K8S_31", "CKV_K8S_37", "CKV_K8S_38"],
    trivy: ["AVD-KSV-0001", "AVD-KSV-0003", "AVD-KSV-0012", "AVD-KSV-0014", "AVD-KSV-0017", "AVD-KSV-0030"],
    config: {
        requireReadOnlyRootFilesystem: { type: "boolean", description: "Also require readOnlyRootFilesystem: true.", default: true },
        requireNoServiceAccountToken: { type: "boolean", description: "Also require automountServiceAccountToken: false on the pod.", default: true },
    },
    types: WORKLOAD_TYPES,
    validate(subject, config, report) {
        const template = podTemplate(subject.type, subject.props);
        if (!template) {
            report.unproven(subject, "the pod spec");
            return;
        }
        const { problems, unknown } = restrictedFindings(template.spec, config.requireReadOnlyRootFilesystem, config.requireNoServiceAccountToken);
        if (problems.length) report.violation(subject, `the pod breaks the restricted profile: ${problems.join("; ")}`);
        if (unknown.length) report.unproven(subject, unknown.join(", "));
    },
});
