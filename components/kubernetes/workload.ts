/**
 * The product's pods: one workload per color (a StatefulSet when the product clusters, so members have
 * stable DNS names for well-known-address membership without reading the Kubernetes API; else a
 * Deployment), its PodDisruptionBudget, ServiceAccount and rendered configuration.
 *
 * The root filesystem is read-only. The directories the product writes are `emptyDir` volumes; an init
 * container seeds them with what the image ships there (webapps, default configuration) and drops the
 * rendered configuration in; a second one runs the product's cipher tool so the passwords from the
 * mounted Secrets end up only encrypted in the configuration (PROD-SECURE-VAULT).
 */
import type { Color } from "../../config/settings";
import type { HealthCheck, ProductSpec } from "../../products";
import { SECURE_VAULT_ALIASES, ADMIN_USERNAME_ENV, NODE_IP_ENV, renderDeploymentToml } from "../host/product-config";
import { DATABASE_VAULT_ALIAS, datasourceKeys } from "../host/datasources";
import { JVM_SECURITY_FLAGS, heapSizeMiB } from "../host/systemd";
import { EMBEDDED_DATABASE_PASSWORD, EMBEDDED_DATABASE_PRODUCTS, inPlaceOfShipped } from "./complete-config";
import { containerSecurityContext, podSecurityContext } from "./security";
import type { KubernetesInput, Manifest } from "./types";

/** Where WSO2's images install the product: `/home/wso2carbon/<distribution>-<version>`. */
export function containerProductHome(spec: ProductSpec, version: string): string {
    return `/home/wso2carbon/${spec.distribution}-${version || spec.defaultVersion}`;
}

export const COLOR_LABEL = "wso2-hardening/color";
export const COLORS: readonly Color[] = ["blue", "green"];

/** Labels every object of the deployment carries. */
export function commonLabels(input: Pick<KubernetesInput, "name" | "product">): Record<string, string> {
    return {
        "app.kubernetes.io/name": input.product.distribution,
        "app.kubernetes.io/instance": input.name,
        "app.kubernetes.io/part-of": "wso2-hardening",
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** Labels that select the product pods of one color (Services, PDBs and NetworkPolicies use them). */
export function serverSelector(name: string, color: Color): Record<string, string> {
    return { "app.kubernetes.io/instance": name, "app.kubernetes.io/component": "server", [COLOR_LABEL]: color };
}

/** Labels that select the product pods of both colors. */
export function allServersSelector(name: string): Record<string, string> {
    return { "app.kubernetes.io/instance": name, "app.kubernetes.io/component": "server" };
}

/** Whether the product clusters (and so runs as a StatefulSet with a members Service). */
export function isClustered(spec: ProductSpec): boolean {
    return spec.clusteringPorts.length > 0;
}

export const colorName = (name: string, color: Color) => `${name}-${color}`;
export const membersServiceName = (name: string, color: Color) => `${name}-${color}-members`;
export const configMapName = (name: string, color: Color) => `${name}-${color}-config`;

/** Directory of the product's configuration file, relative to its home (`repository/conf`, `conf`). */
export function configDir(spec: ProductSpec): string {
    return spec.layout.configFile.slice(0, spec.layout.configFile.lastIndexOf("/"));
}

function basename(path: string): string {
    return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * The directories the product writes at run time: the catalog's, plus the configuration directory, which
 * the product's config deployer regenerates from `deployment.toml` at every start.
 */
export function writableDirs(spec: ProductSpec): string[] {
    return [...new Set([...spec.layout.writableDirs, configDir(spec)])];
}

/** Volume name of a writable directory: `rw-repository-logs`. */
export function volumeName(dir: string): string {
    const name = `rw-${dir.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/-+$/, "")}`;
    if (name.length > 63) throw new Error(`writable directory ${dir}: volume name ${name} is longer than 63 characters`);
    return name;
}

/** Size limits of the writable volumes: logs and deployed artifacts may grow, the rest stays small. */
function sizeLimit(spec: ProductSpec, dir: string): string {
    if (dir === spec.layout.logDir) return "2Gi";
    if (spec.layout.artifactDirs.some((a) => a === dir || a.startsWith(dir + "/"))) return "1Gi";
    return "512Mi";
}

const SEED_ROOT = "/seed";
const RENDERED_DIR = "/etc/wso2-rendered";
const ADMIN_SECRET_DIR = "/run/secrets/wso2-admin";
/** The runtime database user's Secret (init container only) and the database CA bundle (product container). */
const DATABASE_SECRET_DIR = "/run/secrets/wso2-database";
export const DATABASE_CA_DIR = "/run/secrets/wso2-database-ca";
const KEYSTORE_SECRET_DIR = "/run/secrets/wso2-keystore";
/** Secure Vault reads the keystore password from this file in the product home and keeps it there. */
const PASSWORD_PERSIST = "password-persist";
const OS_TMP_VOLUME = "os-tmp";

/** `value` as a POSIX shell single-quoted word. */
function sq(value: string): string {
    return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/**
 * Init step 1: copy what the image ships in each writable directory into its volume, then the rendered
 * configuration over the shipped deployment.toml: the rendered file is complete (renderProductConfig).
 */
export function renderSeedScript(spec: ProductSpec, version: string): string {
    const home = containerProductHome(spec, version);
    const lines = [
        "#!/bin/sh",
        "# Seeds the writable volumes with what the image ships in those directories, then installs the rendered configuration.",
        "set -eu",
        `home=${sq(home)}`,
        "seed() {",
        '  if [ -d "$home/$1" ]; then cp -R "$home/$1/." "$2/"; fi',
        "}",
        ...writableDirs(spec).map((d) => `seed ${sq(d)} ${sq(`${SEED_ROOT}/${volumeName(d)}`)}`),
        `cp ${sq(`${RENDERED_DIR}/${basename(spec.layout.configFile)}`)} ${sq(`${SEED_ROOT}/${volumeName(configDir(spec))}/${basename(spec.layout.configFile)}`)}`,
    ];
    return lines.join("\n") + "\n";
}

/**
 * Init step 2: append a `[secrets]` table with the passwords between brackets and let the product's cipher
 * tool encrypt them in place with the keystore, so the configuration holds only ciphertext.
 */
export function renderSecureVaultScript(spec: ProductSpec, version: string, database = false): string {
    const home = containerProductHome(spec, version);
    // Without a database the embedded H2 files keep the password the distribution created them with
    // (complete-config.ts): it goes through Secure Vault too, so the configuration holds no literal password.
    const embedded = !database && EMBEDDED_DATABASE_PRODUCTS.includes(spec.id);
    const db = database
        ? { read: `\ndatabase_password="$(cat ${sq(`${DATABASE_SECRET_DIR}/password`)})"`, check: ' "$database_password"', put: `\n  printf '%s = "[%s]"\\n' ${DATABASE_VAULT_ALIAS} "$database_password"` }
        : embedded
          ? { read: `\nembedded_database_default_password=${sq(EMBEDDED_DATABASE_PASSWORD)}`, check: "", put: `\n  printf '%s = "[%s]"\\n' ${DATABASE_VAULT_ALIAS} "$embedded_database_default_password"` }
          : { read: "", check: "", put: "" };
    return `#!/bin/sh
# Puts the super admin and keystore passwords into Secure Vault: plain values between brackets in
# [secrets], which the cipher tool encrypts in place with the product's keystore.
set -eu
home=${sq(home)}
config="$home/${spec.layout.configFile}"
admin_password="$(cat ${sq(`${ADMIN_SECRET_DIR}/password`)})"
keystore_password="$(cat ${sq(`${KEYSTORE_SECRET_DIR}/password`)})"${db.read}
for value in "$admin_password" "$keystore_password"${db.check}; do
  case "$value" in
    '' | *'"'* | *\\\\* | *']'*)
      echo "secure-vault: a password is empty or holds a quote, backslash or ']', which the [secrets] table cannot carry" >&2
      exit 1
      ;;
  esac
done
{
  printf '\\n[secrets]\\n'
  printf '%s = "[%s]"\\n' ${SECURE_VAULT_ALIASES.adminPassword} "$admin_password"
  printf '%s = "[%s]"\\n' ${SECURE_VAULT_ALIASES.keystorePassword} "$keystore_password"${db.put}
} >>"$config"
printf '%s\\n' "$keystore_password" | "$home/bin/ciphertool.sh" -Dconfigure >/dev/null
`;
}

/**
 * The product configuration of one color, clustered with its own members only: a complete deployment.toml
 * that replaces the image's shipped one (the seed step copies it over), so it also carries every key the
 * configuration model says only the shipped file supplies (complete-config.ts).
 */
export function renderProductConfig(input: KubernetesInput, color: Color): string {
    const spec = input.product;
    if (spec.layout.configFormat !== "toml") {
        throw new Error(`product: ${spec.id} is configured with ${basename(spec.layout.configFile)}; Kubernetes supports the deployment.toml products (apim, mi, is)`);
    }
    const members = isClustered(spec)
        ? Array.from(
              { length: input.replicas },
              (_, i) => `${colorName(input.name, color)}-${i}.${membersServiceName(input.name, color)}.${input.namespace}.svc.cluster.local:${spec.clusteringPorts[0]}`,
          )
        : [];
    const databases = input.database ? datasourceKeys({ ...input.database, product: spec.id, caBundlePath: `${DATABASE_CA_DIR}/ca.pem` }) : undefined;
    return renderDeploymentToml({
        product: spec,
        productVersion: input.productVersion,
        hostname: input.hostname,
        publicPort: 443,
        clustering: isClustered(spec) ? { scheme: "wka", members } : undefined,
        proxy: input.proxy,
        databases,
        inPlaceOfShipped: inPlaceOfShipped(spec, input.productVersion, input.hostname, databases),
    });
}

export function configMapManifest(input: KubernetesInput, color: Color): Manifest {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: configMapName(input.name, color), namespace: input.namespace, labels: { ...commonLabels(input), [COLOR_LABEL]: color } },
        data: { [basename(input.product.layout.configFile)]: renderProductConfig(input, color) },
    };
}

export function serviceAccountManifest(input: KubernetesInput, name: string, component: string): Manifest {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name, namespace: input.namespace, labels: { ...commonLabels(input), "app.kubernetes.io/component": component } },
        // No pod needs the Kubernetes API: members find each other by DNS, backups use the cloud identity.
        automountServiceAccountToken: false,
    };
}

function probe(check: HealthCheck, periodSeconds: number, failureThreshold: number) {
    return {
        httpGet: { path: check.path, port: check.port, scheme: check.protocol },
        periodSeconds,
        timeoutSeconds: 5,
        failureThreshold,
    };
}

/** Probes on the product's health-check API (PROD-HEALTH-CHECK): startup gives a cold start ten minutes. */
export function probes(spec: ProductSpec) {
    const readiness = spec.healthChecks[0];
    const liveness = spec.livenessCheck ?? readiness;
    return {
        startupProbe: probe(readiness, 10, 60),
        readinessProbe: probe(readiness, 10, 3),
        livenessProbe: probe(liveness, 20, 3),
    };
}

export function containerPorts(spec: ProductSpec) {
    return [
        ...spec.servicePorts.map((p) => ({ name: `https-${p}`, containerPort: p, protocol: "TCP" })),
        ...spec.clusteringPorts.map((p) => ({ name: `cluster-${p}`, containerPort: p, protocol: "TCP" })),
    ];
}

/** The pod template of one color. */
export function podTemplate(input: KubernetesInput, color: Color) {
    const spec = input.product;
    const home = containerProductHome(spec, input.productVersion);
    const memoryMiB = input.resources?.memoryMiB ?? 4096;
    const heap = heapSizeMiB(memoryMiB);
    const dirs = writableDirs(spec);
    const security = containerSecurityContext(input.uid);
    const keystoreFile = basename(spec.layout.keystore);
    const truststoreFile = basename(spec.layout.truststore);

    const productMounts = [
        ...dirs.map((d) => ({ name: volumeName(d), mountPath: `${home}/${d}` })),
        { name: OS_TMP_VOLUME, mountPath: "/tmp" },
        { name: "keystore", mountPath: `${home}/${spec.layout.keystore}`, subPath: keystoreFile, readOnly: true },
        { name: "keystore", mountPath: `${home}/${spec.layout.truststore}`, subPath: truststoreFile, readOnly: true },
    ];
    const resources = {
        requests: { cpu: input.resources?.cpuRequest ?? "1", memory: `${memoryMiB}Mi`, "ephemeral-storage": "1Gi" },
        limits: { cpu: input.resources?.cpuLimit ?? "2", memory: `${memoryMiB}Mi`, "ephemeral-storage": "6Gi" },
    };
    const initResources = {
        requests: { cpu: "250m", memory: "512Mi" },
        limits: { cpu: "1", memory: "1Gi" },
    };
    const javaOpts = [
        `-Xms${heap}m`,
        `-Xmx${heap}m`,
        "-XX:+HeapDumpOnOutOfMemoryError",
        `-XX:HeapDumpPath=${home}/${spec.layout.logDir}`,
        ...JVM_SECURITY_FLAGS,
    ].join(" ");

    return {
        metadata: { labels: { ...commonLabels(input), ...serverSelector(input.name, color) } },
        spec: {
            serviceAccountName: input.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext(input.uid),
            terminationGracePeriodSeconds: 60,
            topologySpreadConstraints: ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
                maxSkew: 1,
                topologyKey,
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: serverSelector(input.name, color) },
            })),
            initContainers: [
                {
                    name: "seed",
                    image: input.image,
                    imagePullPolicy: "IfNotPresent",
                    command: ["/bin/sh", "-c", renderSeedScript(spec, input.productVersion)],
                    securityContext: security,
                    resources: initResources,
                    volumeMounts: [
                        ...dirs.map((d) => ({ name: volumeName(d), mountPath: `${SEED_ROOT}/${volumeName(d)}` })),
                        { name: "rendered-config", mountPath: RENDERED_DIR, readOnly: true },
                    ],
                },
                {
                    name: "secure-vault",
                    image: input.image,
                    imagePullPolicy: "IfNotPresent",
                    command: ["/bin/sh", "-c", renderSecureVaultScript(spec, input.productVersion, input.database !== undefined)],
                    securityContext: security,
                    resources: initResources,
                    volumeMounts: [
                        ...productMounts,
                        { name: "admin-secret", mountPath: ADMIN_SECRET_DIR, readOnly: true },
                        { name: "keystore", mountPath: KEYSTORE_SECRET_DIR, readOnly: true },
                        ...(input.database ? [{ name: "database-secret", mountPath: DATABASE_SECRET_DIR, readOnly: true }] : []),
                    ],
                },
            ],
            containers: [
                {
                    name: spec.id,
                    image: input.image,
                    imagePullPolicy: "IfNotPresent",
                    command: [`${home}/${spec.layout.startScript}`],
                    ports: containerPorts(spec),
                    env: [
                        { name: "JAVA_OPTS", value: javaOpts },
                        { name: ADMIN_USERNAME_ENV, valueFrom: { secretKeyRef: { name: input.adminSecretName, key: "username" } } },
                        // The address the member advertises (`server.node_ip`, `clustering.local_member_host`).
                        { name: NODE_IP_ENV, valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                    ],
                    securityContext: security,
                    resources,
                    ...probes(spec),
                    volumeMounts: [
                        ...productMounts,
                        { name: "keystore", mountPath: `${home}/${PASSWORD_PERSIST}`, subPath: "password", readOnly: true },
                        ...(input.database ? [{ name: "database-ca", mountPath: DATABASE_CA_DIR, readOnly: true }] : []),
                    ],
                },
            ],
            volumes: [
                ...dirs.map((d) => ({ name: volumeName(d), emptyDir: { sizeLimit: sizeLimit(spec, d) } })),
                { name: OS_TMP_VOLUME, emptyDir: { sizeLimit: "256Mi" } },
                { name: "rendered-config", configMap: { name: configMapName(input.name, color), defaultMode: 0o440 } },
                { name: "admin-secret", secret: { secretName: input.adminSecretName, defaultMode: 0o440 } },
                { name: "keystore", secret: { secretName: input.keystoreSecretName, defaultMode: 0o440 } },
                ...(input.database
                    ? [
                          { name: "database-secret", secret: { secretName: input.database.secretName, defaultMode: 0o440 } },
                          { name: "database-ca", secret: { secretName: input.database.caSecretName, defaultMode: 0o444, items: [{ key: "ca.pem", path: "ca.pem" }] } },
                      ]
                    : []),
            ],
        },
    };
}

/** The workload of one color: a StatefulSet for clustering products, else a Deployment. */
export function workloadManifest(input: KubernetesInput, color: Color): Manifest {
    const metadata = {
        name: colorName(input.name, color),
        namespace: input.namespace,
        labels: { ...commonLabels(input), "app.kubernetes.io/component": "server", [COLOR_LABEL]: color },
    };
    const selector = { matchLabels: serverSelector(input.name, color) };
    const template = podTemplate(input, color);
    if (isClustered(input.product)) {
        return {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata,
            spec: {
                replicas: input.replicas,
                serviceName: membersServiceName(input.name, color),
                // Members join through the well-known addresses of each other; no start order is needed.
                podManagementPolicy: "Parallel",
                updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
                selector,
                template,
            },
        };
    }
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata,
        spec: {
            replicas: input.replicas,
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            selector,
            template,
        },
    };
}

/** At most one pod of a color down for voluntary disruptions (node drains, upgrades). */
export function podDisruptionBudgetManifest(input: KubernetesInput, color: Color): Manifest {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: colorName(input.name, color), namespace: input.namespace, labels: { ...commonLabels(input), [COLOR_LABEL]: color } },
        spec: { maxUnavailable: 1, selector: { matchLabels: serverSelector(input.name, color) } },
    };
}
