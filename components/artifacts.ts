/**
 * Rendered files (cloud-config, nftables, sshd_config, units, scripts, deployment.toml, log4j2, manifests)
 * that components produce. Components record them here; `wso2-harden plan` writes them to `artifacts/`.
 * The registry lives on `globalThis` so a program that loads its own copy of this library still reports
 * to the plan that runs it.
 */

export type ArtifactKind =
    | "cloud-config"
    | "nftables"
    | "sshd_config"
    | "systemd-unit"
    | "script"
    | "deployment.toml"
    | "log4j2.properties"
    | "k8s-manifest"
    | "nginx.conf"
    | "auditd-rules"
    | "config"
    /** The node's steps bundle (`.tar.gz`), base64 in the artifact; `meta` names its bucket, key and SHA-256. */
    | "steps-bundle";

export interface RenderedArtifact {
    kind: ArtifactKind;
    /** Path relative to `artifacts/`, e.g. `prod/wso2-nodes/nftables.conf`. */
    path: string;
    content: string;
    /** Extra index fields, e.g. `ports` for nftables. */
    meta?: Record<string, unknown>;
}

export interface RecordedArtifact extends RenderedArtifact {
    /** Name of the component that rendered it. */
    component: string;
}

const REGISTRY = Symbol.for("wso2-hardening.artifacts");

function registry(): RecordedArtifact[] {
    const g = globalThis as unknown as Record<symbol, RecordedArtifact[] | undefined>;
    return (g[REGISTRY] ??= []);
}

export function recordArtifacts(component: string, artifacts: readonly RenderedArtifact[]): void {
    for (const a of artifacts) registry().push({ ...a, component });
}

/** Returns and clears what has been recorded (the plan calls this once per program run). */
export function drainArtifacts(): RecordedArtifact[] {
    return registry().splice(0);
}
