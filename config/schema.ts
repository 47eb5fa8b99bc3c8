/**
 * The configuration keys of the `wso2-hardening` namespace: one table that the validator, the
 * `Pulumi.yaml` config schema (kept equal by a test) and the documentation are read from.
 *
 * Defaults are the strict, production ones; the dev and staging stack files relax what they must.
 */

export type ConfigType = "string" | "integer" | "boolean" | "array";

export interface ConfigKeySpec {
    /** Pulumi config schema type (`array` is an array of strings). */
    type: ConfigType;
    description: string;
    /** Default when the key is unset; `undefined` only for keys whose absence has a meaning. */
    default: string | number | boolean | string[];
}

export const CONFIG_NAMESPACE = "wso2-hardening";

export const CONFIG_KEYS = {
    environment: {
        type: "string",
        description: "Deployment environment: dev, staging or prod. prod enforces failover and refuses SSH from anywhere.",
        default: "prod",
    },
    product: {
        type: "string",
        description: "WSO2 product: apim (API Manager), mi (Micro Integrator), is (Identity Server) or si (Streaming Integrator).",
        default: "apim",
    },
    productVersion: {
        type: "string",
        description: "Product version installed on the nodes (major.minor.patch). Empty: the version the product catalog is written for.",
        default: "",
    },
    platform: {
        type: "string",
        description: "Where WSO2 runs: aws (EC2 nodes behind an ALB) or kubernetes.",
        default: "aws",
    },
    role: {
        type: "string",
        description: "Stack role: standalone (nodes and edge), cluster (one color's nodes and target group) or edge (ALB switching between colors).",
        default: "standalone",
    },
    namePrefix: {
        type: "string",
        description: "Prefix of the AWS resources' physical names (load balancer, target groups, buckets, roles, backup vaults). Empty: wso2-<stack name>. AWS's name limits bound its length; validation names the limit it breaks.",
        default: "",
    },
    color: {
        type: "string",
        description: "Color of a cluster stack: blue or green. Required when role is cluster.",
        default: "",
    },
    activeColor: {
        type: "string",
        description: "Color that receives the traffic at the edge: blue or green.",
        default: "blue",
    },
    canaryWeight: {
        type: "integer",
        description: "Share of traffic (0..100) sent to the inactive color.",
        default: 0,
    },
    previousActiveColor: {
        type: "string",
        description: "Routing before the last switch (blue or green, empty when none); set by `wso2-harden switch` for --rollback.",
        default: "",
    },
    previousCanaryWeight: {
        type: "integer",
        description: "canaryWeight before the last switch (0..100); set by `wso2-harden switch` for --rollback.",
        default: 0,
    },
    stickinessSeconds: {
        type: "integer",
        description: "Target-group stickiness duration for weighted forwarding at the edge (0 disables it; at most 604800).",
        default: 0,
    },
    blueStack: {
        type: "string",
        description: "Stack reference of the blue cluster, read by the edge stack.",
        default: "prod-blue",
    },
    greenStack: {
        type: "string",
        description: "Stack reference of the green cluster, read by the edge stack.",
        default: "prod-green",
    },
    nodeCount: {
        type: "integer",
        description: "Number of WSO2 nodes (1..20). prod requires at least 2.",
        default: 2,
    },
    instanceType: {
        type: "string",
        description: "EC2 instance type of the nodes.",
        default: "m6i.xlarge",
    },
    instanceMemoryMiB: {
        type: "integer",
        description: "Memory of the instance type in MiB; the JVM heap is sized to about half of it. 0 looks it up in the built-in table.",
        default: 0,
    },
    amiId: {
        type: "string",
        description: "AMI of the nodes. Empty: the latest official Debian 12 AMI of the region.",
        default: "",
    },
    distributionS3Uri: {
        type: "string",
        description:
            "S3 URI (s3://bucket/key.zip) of the product distribution zip the nodes install at boot, verified against distributionSha256; the nodes' role may read exactly this object. prod requires it or productAmiId.",
        default: "",
    },
    distributionSha256: {
        type: "string",
        description: "SHA-256 (64 hex digits) of the distribution zip at distributionS3Uri; a node refuses any other file and fails its boot. Required with distributionS3Uri.",
        default: "",
    },
    productAmiId: {
        type: "string",
        description:
            "AMI built with the product already installed in its home (/opt/wso2/<distribution>-<version>); used instead of amiId, and no distribution is downloaded. prod requires it or distributionS3Uri.",
        default: "",
    },
    vpcId: {
        type: "string",
        description: "Existing VPC to deploy into. Empty: a VPC is created with private and public subnets in two or more zones.",
        default: "",
    },
    privateSubnetIds: {
        type: "array",
        description: "Private subnets of the existing VPC for the nodes (two or more, in different zones). Required with vpcId.",
        default: [],
    },
    publicSubnetIds: {
        type: "array",
        description: "Public subnets of the existing VPC for the load balancer (two or more). Required with vpcId.",
        default: [],
    },
    vpcCidr: {
        type: "string",
        description: "CIDR of the VPC to create (a /16 to /24 private range).",
        default: "10.40.0.0/16",
    },
    availabilityZoneCount: {
        type: "integer",
        description: "Number of availability zones used by a created VPC (2..3).",
        default: 2,
    },
    clientCidrs: {
        type: "array",
        description: "Client networks allowed to reach the load balancer on 443 (and 80, which only redirects).",
        default: ["0.0.0.0/0"],
    },
    sshSourceCidrs: {
        type: "array",
        description: "Networks allowed to SSH to the nodes. Empty: sshd is disabled and access goes through SSM. prod refuses 0.0.0.0/0 and ::/0.",
        default: [],
    },
    sshPort: {
        type: "integer",
        description: "Non-default SSH port (1024..65535) used when sshSourceCidrs is not empty.",
        default: 2222,
    },
    domainName: {
        type: "string",
        description: "Public host name of the deployment (server hostname, certificate name).",
        default: "wso2.example.com",
    },
    certificateArn: {
        type: "string",
        description: "Issued ACM certificate (in the stack's region) for the HTTPS listener. Empty: route53ZoneId is required.",
        default: "",
    },
    route53ZoneId: {
        type: "string",
        description: "Route 53 hosted zone of domainName: an ACM certificate is requested and its DNS validation record created there in the same update. Used when certificateArn is empty.",
        default: "",
    },
    publicPaths: {
        type: "array",
        description: "Extra path prefixes to forward at the edge, beyond the product's public paths. Admin contexts are refused.",
        default: [],
    },
    logRetentionDays: {
        type: "integer",
        description: "CloudWatch log retention in days (one of the values CloudWatch accepts).",
        default: 365,
    },
    backupRetentionDays: {
        type: "integer",
        description: "Days a backup archive (in both regions) and an AWS Backup recovery point are kept (7..3650); an expired or deleted archive's data goes 7 days later.",
        default: 90,
    },
    backupSchedule: {
        type: "string",
        description: "systemd OnCalendar expression of the node backup timer.",
        default: "daily",
    },
    clusterPeersRefresh: {
        type: "string",
        description: "systemd OnCalendar expression of the refresh of the clustering ports' peer set from the EC2 API (it also runs at every boot, before the product starts). A new node reaches the other nodes' clustering ports at their next refresh; each refresh is one DescribeInstances call per node.",
        default: "minutely",
    },
    backupReplicaRegion: {
        type: "string",
        description: "Second region the backup bucket replicates to. Required in prod; empty disables replication elsewhere.",
        default: "",
    },
    deletionProtection: {
        type: "boolean",
        description: "Deletion protection on the load balancer and `protect` on the backup bucket and keys.",
        default: true,
    },
    updateWindow: {
        type: "string",
        description: "systemd OnCalendar expression of the automatic security-update window (let staging go before prod).",
        default: "Wed *-*-* 03:00",
    },
    adminUsername: {
        type: "string",
        description: "Super admin user name. 'admin' (the default WSO2 credential) is refused.",
        default: "wso2-superadmin",
    },
    wso2Uid: {
        type: "integer",
        description: "UID and GID of the dedicated wso2 system user (WSO2's images use 802).",
        default: 802,
    },
    proxyHost: {
        type: "string",
        description: "Outbound HTTP proxy host for the product. Empty: no proxy.",
        default: "",
    },
    proxyPort: {
        type: "integer",
        description: "Outbound HTTP proxy port, used with proxyHost.",
        default: 3128,
    },
    egressCidrs: {
        type: "array",
        description: "Networks the nodes may reach on 443 besides the VPC (AWS APIs, update mirrors). Keep it narrow with VPC endpoints or a proxy.",
        default: ["0.0.0.0/0"],
    },
    databaseCidrs: {
        type: "array",
        description: "Networks of the external databases and user stores the nodes connect to (over TLS).",
        default: [],
    },
    databasePort: {
        type: "integer",
        description: "Port of the external database (3306 MySQL, 5432 PostgreSQL, 1433 SQL Server, 1521 Oracle).",
        default: 5432,
    },
    databaseMode: {
        type: "string",
        description: "Where the shared database (API-M, IS, clustered MI) comes from: managed (Amazon RDS for PostgreSQL created here) or existing (databaseEndpoint, databaseSecretArn).",
        default: "managed",
    },
    databaseEngineVersion: {
        type: "string",
        description: "Managed database: PostgreSQL major version (13..17); minor versions are upgraded automatically.",
        default: "16",
    },
    databaseInstanceClass: {
        type: "string",
        description: "Managed database: RDS instance class. Empty: db.r6g.large in prod, db.t4g.medium in dev and staging.",
        default: "",
    },
    databaseStorageGiB: {
        type: "integer",
        description: "Managed database: allocated storage in GiB (20..65536; grows automatically up to four times). 0: 100 in prod, 20 elsewhere.",
        default: 0,
    },
    databaseBackupRetentionDays: {
        type: "integer",
        description: "Managed database: days automated backups are kept (1..35), also in the replica region in prod.",
        default: 30,
    },
    databaseEndpoint: {
        type: "string",
        description: "Existing database: host name of the PostgreSQL server (its certificate must name it). Required when databaseMode is existing.",
        default: "",
    },
    databaseSecretArn: {
        type: "string",
        description: "Existing database: Secrets Manager secret of its administrative user ({\"username\", \"password\"}, the RDS format). Required when databaseMode is existing.",
        default: "",
    },
    databaseNames: {
        type: "array",
        description: "Database name per datasource (\"<datasource>=<name>\", e.g. apim_db=apim) where it differs from the default (wso2am_db, wso2shared_db, wso2identity_db, wso2coordination_db).",
        default: [],
    },
    image: {
        type: "string",
        description: "Kubernetes: container image pinned by digest (name@sha256:...) or exact version tag.",
        default: "",
    },
    namespace: {
        type: "string",
        description: "Kubernetes: namespace of the deployment.",
        default: "wso2",
    },
    gatewayNamespace: {
        type: "string",
        description: "Kubernetes: namespace of the Gateway API gateway allowed to reach the service ports.",
        default: "gateway-system",
    },
    gatewayName: {
        type: "string",
        description: "Kubernetes: name of the Gateway the HTTPRoute attaches to.",
        default: "public",
    },
    eksClusterName: {
        type: "string",
        description: "Kubernetes: name of the EKS cluster; the backup job's IAM role is bound to its ServiceAccount there (EKS Pod Identity). Required on kubernetes.",
        default: "",
    },
} as const satisfies Record<string, ConfigKeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
