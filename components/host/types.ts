import type { Environment } from "../../config/settings";
import type { ProductSpec } from "../../products";
import type { RenderedArtifact } from "../artifacts";

/** Where the node's shared database is and which secrets hold its users (never their values). */
export interface NodeDatabase {
    host: string;
    port: number;
    /** Database name per datasource (`apim_db` -> `wso2am_db`). */
    databases: Record<string, string>;
    masterSecretArn: string;
    runtimeSecretArn: string;
    runtimeUsername: string;
}

/**
 * Everything the host renderers need to boot one WSO2 node. Plain values: components resolve their
 * Outputs first (pulumi.all(...).apply) and then call the pure renderers.
 */
export interface NodeHostInput {
    /** Stack-unique name of the node group, used in artifact paths and tags, e.g. `wso2-prod`. */
    clusterName: string;
    environment: Environment;
    product: ProductSpec;
    productVersion: string;
    region: string;
    /** UID/GID of the dedicated `wso2` user (default 802). */
    wso2Uid: number;
    /** Memory of the instance in MiB (JVM heap about half). */
    instanceMemoryMiB: number;
    domainName: string;
    /** SSH allowed from these CIDRs on `sshPort`; empty: sshd disabled, access through SSM. */
    sshSourceCidrs: string[];
    sshPort: number;
    /** CIDRs the load balancer connects from (the public subnets' CIDRs), filling `lb_sources`. */
    lbSourceCidrs: string[];
    /** EC2 tag that marks members of this cluster; `cluster_peers` is refreshed from it. */
    clusterTag: { key: string; value: string };
    /** Secrets Manager secret holding `{ "username", "password" }` of the super admin. */
    adminSecretArn: string;
    /** Secrets Manager secret holding the keystore password (generated). */
    keystoreSecretArn: string;
    backupBucket: string;
    /** Prefix under which this cluster's nodes write; each node writes under `<prefix>/<instance-id>/`. */
    backupPrefix: string;
    /** systemd OnCalendar of the backup timer. */
    backupSchedule: string;
    /** systemd OnCalendar of the clustering peer-set refresh (products with clustering ports). */
    clusterPeersRefresh: string;
    /** systemd OnCalendar of the security-update window. */
    updateWindow: string;
    /** CloudWatch log group the agent ships product and audit logs to. */
    logGroupName: string;
    proxy?: { host: string; port: number };
    /** The shared database the node bootstraps and connects to; absent: the product's embedded H2. */
    database?: NodeDatabase;
    /**
     * The product zip the install step downloads and refuses unless its SHA-256 matches. Absent: the image
     * must already hold the product, or the install step fails the boot.
     */
    distribution?: { s3Uri: string; sha256: string };
    /**
     * Test only: the AWS API endpoint the node's steps call instead of AWS (an emulator such as moto_server
     * at the VM host's 10.0.2.2), and a credentials file for it. Never set on a real node.
     */
    testAws?: { endpointUrl: string; credentialsFile?: string };
}

/** What booting a node takes: the user data and every file it writes, for `artifacts/`. */
export interface NodeBoot {
    /** `#cloud-config` document passed as EC2 user data. */
    userData: string;
    artifacts: RenderedArtifact[];
    /** The steps the user data's fetch step downloads from `s3://<backupBucket>/<key>` and checks by SHA-256. */
    stepsBundle: { content: Buffer; sha256: string; key: string };
}
