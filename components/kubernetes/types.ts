/**
 * Plain input of the Kubernetes renderers and the manifest type they return. No Pulumi inside: the
 * component resolves its Outputs first, tests build these by hand and validate the manifests.
 */
import type { Color, Environment } from "../../config/settings";
import type { ProductSpec } from "../../products";

/** A Kubernetes object as plain JSON: what `kubectl apply` takes and what `kubernetes-models` validates. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [field: string]: unknown;
}

/** Where the backup job writes and with which identity. */
export interface BackupTarget {
    /** S3 bucket the archives go to. */
    bucket: string;
    /** Region of the bucket. */
    region: string;
    /** Key prefix of this deployment's archives, e.g. `k8s-prod/wso2-apim`. */
    prefix: string;
    /** KMS key the archives are encrypted with (server side). */
    kmsKeyArn: string;
    /** Cron expression of the job (UTC), e.g. `30 2 * * *`. */
    schedule: string;
    /**
     * Image with the AWS CLI that uploads the archive, pinned by digest or exact tag.
     * @default AWS_CLI_IMAGE
     */
    uploaderImage?: string;
}

export interface KubernetesDatabase {
    /** Host name of the server, as its certificate names it. */
    host: string;
    port: number;
    /** Database name per datasource (`apim_db` -> `wso2am_db`). */
    databases: Record<string, string>;
    runtimeUsername: string;
    /** Secret holding `password` of the runtime user. */
    secretName: string;
    /** Secret holding `ca.pem`, the bundle that signs the server's certificate. */
    caSecretName: string;
}

export interface ClusterResources {
    /** CPU request of a product container, e.g. `1`. @default "1" */
    cpuRequest?: string;
    /** CPU limit. @default "2" */
    cpuLimit?: string;
    /** Memory request and limit in MiB (equal, so the pod is never OOM-killed for another's burst). @default 4096 */
    memoryMiB?: number;
}

export interface KubernetesInput {
    /** Base name of every object, e.g. `wso2-apim`; objects of one color are `<name>-<color>`. */
    name: string;
    /** Namespace of every object (created by the component). */
    namespace: string;
    /** Environment of the deployment (labels, and what the renderers hold it to). */
    environment: Environment;
    /** The product's catalog entry (`PRODUCTS.apim`, ...). */
    product: ProductSpec;
    /** Empty: the catalog's version. */
    productVersion: string;
    /** Product image pinned by digest (`repo@sha256:...`) or exact version tag. */
    image: string;
    /** Pods per color. */
    replicas: number;
    /** UID and GID the containers run as (WSO2's images use 802). */
    uid: number;
    /** Public host name (HTTPRoute hostname, `[server] hostname`). */
    hostname: string;
    /** Extra path prefixes to route, beyond the product's public routes. */
    publicPaths: string[];
    /** The Gateway API gateway the HTTPRoute attaches to. */
    gateway: { namespace: string; name: string };
    /** Color the Service `<name>` selects and the route sends `100 - canaryWeight` percent to. */
    activeColor: Color;
    /** Percent of routed traffic sent to the inactive color (0..100). */
    canaryWeight: number;
    /** Networks of the databases and user stores, reached on `databasePort`. */
    databaseCidrs: string[];
    /** Port of the databases and user stores. */
    databasePort: number;
    /** Networks reachable on 443 (AWS APIs, update mirrors, endpoints the product calls). */
    egressCidrs: string[];
    /**
     * Outbound HTTP proxy of the product.
     * @default undefined (no proxy)
     */
    proxy?: { host: string; port: number };
    /** Name of the Secret holding `username` and `password` of the super admin. */
    adminSecretName: string;
    /**
     * Name of the Secret holding the keystore and truststore (keys named like the product's files, e.g.
     * `wso2carbon.jks`) and their `password`; provisioned outside this program (e.g. by cert-manager).
     */
    keystoreSecretName: string;
    /**
     * The shared database (an external endpoint, e.g. RDS): the product connects as the runtime user over TLS
     * verifying the server against `ca.pem` of `caSecretName`, its password (`password` of `secretName`, e.g.
     * synced from Secrets Manager) through Secure Vault. The image must carry the PostgreSQL JDBC driver.
     * @default undefined (the image's embedded H2)
     */
    database?: KubernetesDatabase;
    /**
     * CPU and memory of the product containers.
     * @default the defaults of `ClusterResources`
     */
    resources?: ClusterResources;
}
