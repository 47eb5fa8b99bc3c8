/**
 * The Pod Security "restricted" profile as this project applies it, field by field, plus a read-only root
 * filesystem (OS-DEDICATED-USER on a cluster).
 *
 * UID: the containers run as 802, the user WSO2's images own their files with. "restricted" only asks for
 * a non-zero UID; scanners that want UID >= 10000 (Checkov CKV_K8S_40, kube-score) do so to keep container
 * users clear of host users, which matters when a container escapes without user namespaces. Running WSO2's
 * images as another UID breaks their file ownership unless the image is rebuilt, so 802 is the default and
 * `wso2Uid` moves it (with an image rebuilt for that UID).
 */
import type { Manifest } from "./types";

/** Kubernetes minor version the Pod Security labels are pinned to (the profile's rules can change with it). */
export const POD_SECURITY_VERSION = "v1.31";

/** Labels that make the API server enforce, audit and warn on "restricted" at a pinned version. */
export function podSecurityLabels(): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const mode of ["enforce", "audit", "warn"]) {
        labels[`pod-security.kubernetes.io/${mode}`] = "restricted";
        labels[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
    }
    return labels;
}

export function namespaceManifest(name: string, labels: Record<string, string>): Manifest {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: { ...labels, ...podSecurityLabels() } },
    };
}

export interface PodSecurityContext {
    runAsNonRoot: true;
    runAsUser: number;
    runAsGroup: number;
    fsGroup: number;
    fsGroupChangePolicy: "OnRootMismatch";
    seccompProfile: { type: "RuntimeDefault" };
}

export interface ContainerSecurityContext {
    runAsNonRoot: true;
    runAsUser: number;
    runAsGroup: number;
    privileged: false;
    allowPrivilegeEscalation: false;
    readOnlyRootFilesystem: true;
    capabilities: { drop: ["ALL"] };
    seccompProfile: { type: "RuntimeDefault" };
}

/** Pod-level context: non-root UID/GID, volumes group-owned by it, the runtime's default seccomp filter. */
export function podSecurityContext(uid: number): PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level context, repeated on every container so no pod default can be loosened by a patch. */
export function containerSecurityContext(uid: number): ContainerSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}
