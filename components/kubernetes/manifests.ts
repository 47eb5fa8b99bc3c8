/**
 * Every manifest of a WSO2 deployment on Kubernetes, as plain objects, from one plain input. The
 * component turns them into resources; the artifacts and the tests read the same objects.
 */
import { stringify } from "yaml";
import type { RenderedArtifact } from "../artifacts";
import { namespaceManifest } from "./security";
import { COLORS, commonLabels, configMapManifest, podDisruptionBudgetManifest, serviceAccountManifest, workloadManifest } from "./workload";
import { backupEgressPolicy, networkManifests } from "./network";
import { backupCronJobManifest, backupName, backupSelector } from "./backup";
import type { BackupTarget, KubernetesInput, Manifest } from "./types";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Image pinned by digest, or by an exact version tag (never `latest` or a bare major). */
export const PINNED_IMAGE = /^[a-z0-9.\-/:_]+(@sha256:[0-9a-f]{64}|:\d+\.\d+\.\d+[A-Za-z0-9.\-_]*)$/;

/** Refuses input the manifests cannot be correct with; each message names the setting. */
export function validateKubernetesInput(input: KubernetesInput): void {
    const problems: string[] = [];
    // `<name>-<color>-members` must stay a DNS label, and StatefulSet pod names add `-<ordinal>`.
    if (!DNS_LABEL.test(input.name) || input.name.length > 40) problems.push(`name: "${input.name}" must be a DNS label of at most 40 characters`);
    if (!DNS_LABEL.test(input.namespace)) problems.push(`namespace: "${input.namespace}" must be a DNS label`);
    if (!DNS_LABEL.test(input.gateway.namespace)) problems.push(`gatewayNamespace: "${input.gateway.namespace}" must be a DNS label`);
    if (!PINNED_IMAGE.test(input.image)) problems.push(`image: "${input.image}" must be pinned by digest (repo@sha256:<64 hex>) or an exact version tag (repo:4.3.0)`);
    if (!Number.isInteger(input.replicas) || input.replicas < 1) problems.push(`nodeCount: ${input.replicas} must be a positive integer`);
    if (input.environment === "prod" && input.replicas < 2) problems.push(`nodeCount: ${input.replicas} must be at least 2 in prod`);
    if (!Number.isInteger(input.uid) || input.uid < 1) problems.push(`wso2Uid: ${input.uid} must be a non-root UID`);
    if (problems.length) throw new Error(`invalid Kubernetes deployment input:\n  ${problems.join("\n  ")}`);
}

/** The Secret of the super admin, without its data (which only the Pulumi resource carries). */
export function adminSecretManifest(input: KubernetesInput): Manifest {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: input.adminSecretName, namespace: input.namespace, labels: commonLabels(input) },
        type: "Opaque",
    };
}

/** Refuses a backup target the job cannot work with. */
export function validateBackupTarget(b: BackupTarget): void {
    if (b.uploaderImage !== undefined && !PINNED_IMAGE.test(b.uploaderImage)) {
        throw new Error(`backup.uploaderImage: "${b.uploaderImage}" must be pinned by digest or an exact version tag`);
    }
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b.bucket)) throw new Error(`backup.bucket: "${b.bucket}" is not an S3 bucket name`);
    if (!/^[A-Za-z0-9!_.*'()/-]+$/.test(b.prefix) || b.prefix.startsWith("/") || b.prefix.endsWith("/")) {
        throw new Error(`backup.prefix: "${b.prefix}" must be a key prefix without leading or trailing '/'`);
    }
}

/** The backup CronJob of the deployment. */
export function renderBackupManifest(input: KubernetesInput, backup: BackupTarget): Manifest {
    validateBackupTarget(backup);
    return backupCronJobManifest(input, backup);
}

/** All manifests, in apply order. The admin Secret comes without data. */
export function renderManifests(input: KubernetesInput, backup: BackupTarget): Manifest[] {
    return [...renderClusterManifests(input), renderBackupManifest(input, backup)];
}

/** Every manifest but the backup CronJob (which needs the bucket, known only once it exists). */
export function renderClusterManifests(input: KubernetesInput): Manifest[] {
    validateKubernetesInput(input);
    const out: Manifest[] = [
        namespaceManifest(input.namespace, commonLabels(input)),
        serviceAccountManifest(input, input.name, "server"),
        serviceAccountManifest(input, backupName(input.name), "backup"),
        adminSecretManifest(input),
    ];
    for (const color of COLORS) out.push(configMapManifest(input, color));
    out.push(...networkManifests(input), backupEgressPolicy(input, backupSelector(input.name)));
    for (const color of COLORS) out.push(workloadManifest(input, color), podDisruptionBudgetManifest(input, color));
    return out;
}

/** Artifact path of a manifest: `<dir>/<kind>-<name>.yaml`, kind in lower case. */
export function manifestPath(dir: string, m: Manifest): string {
    return `${dir}/${m.kind.toLowerCase()}-${m.metadata.name}.yaml`;
}

/** The manifests as `k8s-manifest` artifacts. Secrets must arrive without data. */
export function manifestArtifacts(dir: string, manifests: readonly Manifest[]): RenderedArtifact[] {
    return manifests.map((m) => {
        if (m.kind === "Secret" && ("data" in m || "stringData" in m)) {
            throw new Error(`Secret ${m.metadata.name}: its data must never be written to artifacts`);
        }
        return { kind: "k8s-manifest", path: manifestPath(dir, m), content: stringify(m, { aliasDuplicateObjects: false }) };
    });
}
