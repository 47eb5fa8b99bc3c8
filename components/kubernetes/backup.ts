/**
 * Backups on a cluster (OS-BACKUPS): a CronJob archives the rendered configuration of both colors and the
 * keystores, then uploads the archive to the backup bucket, encrypted with its customer key, as the
 * job's own workload identity (an IAM role bound to its ServiceAccount; no keys in the cluster).
 *
 * The keystore password is not archived: a restore takes it from where the keystore Secret came from.
 */
import { COLORS, commonLabels, configMapName } from "./workload";
import { containerSecurityContext, podSecurityContext } from "./security";
import type { BackupTarget, KubernetesInput, Manifest } from "./types";

/** The AWS CLI image of the upload step; pin it by digest in your registry mirror when you can. */
export const AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.22.0";

export const backupName = (name: string) => `${name}-backup`;

/** Labels of the backup pods (its NetworkPolicy selects them). */
export function backupSelector(name: string): Record<string, string> {
    return { "app.kubernetes.io/instance": name, "app.kubernetes.io/component": "backup" };
}

const ARCHIVE_DIR = "/archive";
const SOURCE_DIR = "/backup-source";

function basename(path: string): string {
    return path.slice(path.lastIndexOf("/") + 1);
}

/** Step 1 (product image, which has tar): copy the known files, no Secret bookkeeping links, into one archive. */
export function renderArchiveScript(input: KubernetesInput): string {
    const config = basename(input.product.layout.configFile);
    const stores = [basename(input.product.layout.keystore), basename(input.product.layout.truststore)];
    const lines = [
        "#!/bin/sh",
        "# Archives the rendered configuration of both colors and the keystores.",
        "set -eu",
        'stamp="$(date -u +%Y%m%dT%H%M%SZ)"',
        `stage='${ARCHIVE_DIR}/stage'`,
        'mkdir -p "$stage/config" "$stage/keystores"',
        ...COLORS.map((c) => `mkdir -p "$stage/config/${c}" && cp -L '${SOURCE_DIR}/config/${c}/${config}' "$stage/config/${c}/"`),
        ...stores.map((s) => `cp -L '${SOURCE_DIR}/keystores/${s}' "$stage/keystores/"`),
        `tar -czf "${ARCHIVE_DIR}/${input.name}-$stamp.tar.gz" -C "$stage" .`,
        'rm -rf "$stage"',
    ];
    return lines.join("\n") + "\n";
}

/** Step 2 (AWS CLI image): upload with SSE-KMS under the deployment's prefix. */
export function renderUploadScript(): string {
    return `#!/bin/sh
# Uploads the archive with the job's workload identity, encrypted with the bucket's customer key.
set -eu
for archive in ${ARCHIVE_DIR}/*.tar.gz; do
  aws s3 cp "$archive" "s3://$BACKUP_BUCKET/$BACKUP_PREFIX/$(basename "$archive")" \\
    --sse aws:kms --sse-kms-key-id "$BACKUP_KMS_KEY_ARN" --only-show-errors
done
`;
}

export function backupCronJobManifest(input: KubernetesInput, b: BackupTarget): Manifest {
    const security = containerSecurityContext(input.uid);
    const resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
    const labels = { ...commonLabels(input), ...backupSelector(input.name) };
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: backupName(input.name), namespace: input.namespace, labels },
        spec: {
            schedule: b.schedule,
            timeZone: "Etc/UTC",
            concurrencyPolicy: "Forbid",
            startingDeadlineSeconds: 3600,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
                metadata: { labels },
                spec: {
                    backoffLimit: 2,
                    activeDeadlineSeconds: 1800,
                    ttlSecondsAfterFinished: 86400,
                    template: {
                        metadata: { labels },
                        spec: {
                            serviceAccountName: backupName(input.name),
                            // The workload identity arrives as its own projected token, not the API token.
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            restartPolicy: "OnFailure",
                            securityContext: podSecurityContext(input.uid),
                            initContainers: [
                                {
                                    name: "archive",
                                    image: input.image,
                                    imagePullPolicy: "IfNotPresent",
                                    command: ["/bin/sh", "-c", renderArchiveScript(input)],
                                    securityContext: security,
                                    resources,
                                    volumeMounts: [
                                        ...COLORS.map((c) => ({ name: `config-${c}`, mountPath: `${SOURCE_DIR}/config/${c}`, readOnly: true })),
                                        { name: "keystores", mountPath: `${SOURCE_DIR}/keystores`, readOnly: true },
                                        { name: "archive", mountPath: ARCHIVE_DIR },
                                    ],
                                },
                            ],
                            containers: [
                                {
                                    name: "upload",
                                    image: b.uploaderImage ?? AWS_CLI_IMAGE,
                                    imagePullPolicy: "IfNotPresent",
                                    command: ["/bin/sh", "-c", renderUploadScript()],
                                    env: [
                                        { name: "AWS_REGION", value: b.region },
                                        { name: "BACKUP_BUCKET", value: b.bucket },
                                        { name: "BACKUP_PREFIX", value: b.prefix },
                                        { name: "BACKUP_KMS_KEY_ARN", value: b.kmsKeyArn },
                                        // The CLI keeps its cache under HOME; the root filesystem is read-only.
                                        { name: "HOME", value: "/tmp" },
                                    ],
                                    securityContext: security,
                                    resources,
                                    volumeMounts: [
                                        { name: "archive", mountPath: ARCHIVE_DIR, readOnly: true },
                                        { name: "tmp", mountPath: "/tmp" },
                                    ],
                                },
                            ],
                            volumes: [
                                ...COLORS.map((c) => ({ name: `config-${c}`, configMap: { name: configMapName(input.name, c), defaultMode: 0o440 } })),
                                {
                                    name: "keystores",
                                    secret: {
                                        secretName: input.keystoreSecretName,
                                        defaultMode: 0o440,
                                        items: [input.product.layout.keystore, input.product.layout.truststore].map((p) => ({ key: basename(p), path: basename(p) })),
                                    },
                                },
                                { name: "archive", emptyDir: { sizeLimit: "512Mi" } },
                                { name: "tmp", emptyDir: { sizeLimit: "128Mi" } },
                            ],
                        },
                    },
                },
            },
        },
    };
}

/**
 * A CronJob schedule (UTC) from the systemd OnCalendar forms `backupSchedule` takes: `hourly`, `daily`,
 * `weekly`, `monthly`, `*-*-* HH:MM[:SS]` and `Mon..Sun *-*-* HH:MM[:SS]` (one or more comma-separated days).
 */
export function cronFromOnCalendar(onCalendar: string): string {
    const v = onCalendar.trim();
    const fixed: Record<string, string> = { hourly: "0 * * * *", daily: "0 0 * * *", weekly: "0 0 * * 1", monthly: "0 0 1 * *" };
    if (fixed[v.toLowerCase()]) return fixed[v.toLowerCase()];
    const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    const m = /^(?:([A-Za-z]{3}(?:,[A-Za-z]{3})*) )?\*-\*-\* (\d{1,2}):(\d{2})(?::\d{2})?$/.exec(v);
    if (m) {
        const hour = Number(m[2]);
        const minute = Number(m[3]);
        if (hour < 24 && minute < 60) {
            let dow = "*";
            if (m[1]) {
                const idx = m[1].toLowerCase().split(",").map((d) => days.indexOf(d));
                if (idx.every((i) => i >= 0)) dow = idx.join(",");
                else dow = "";
            }
            if (dow !== "") return `${minute} ${hour} * * ${dow}`;
        }
    }
    throw new Error(
        `backupSchedule: "${onCalendar}" has no CronJob equivalent here; use hourly, daily, weekly, monthly, '*-*-* HH:MM' or 'Mon,Thu *-*-* HH:MM'`,
    );
}
