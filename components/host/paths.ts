/** Where the boot steps and their settings live on a node. */

/**
 * The node's steps, installed under these names; each is `components/host/node/<name>.sh` in the
 * repository (see `node-scripts.ts`).
 */
export const HOST_SCRIPTS = {
    boot: "/usr/local/sbin/wso2-boot",
    installPackages: "/usr/local/sbin/wso2-install-packages",
    fetchSteps: "/usr/local/sbin/wso2-fetch-steps",
    installProduct: "/usr/local/sbin/wso2-install-product",
    setupUser: "/usr/local/sbin/wso2-setup-user",
    configure: "/usr/local/sbin/wso2-configure",
    keystore: "/usr/local/sbin/wso2-keystore",
    secrets: "/usr/local/sbin/wso2-secrets",
    clusterPeers: "/usr/local/sbin/wso2-cluster-peers",
    backup: "/usr/local/sbin/wso2-backup",
    restore: "/usr/local/sbin/wso2-restore",
    dbClient: "/usr/local/sbin/wso2-db-client",
    dbBootstrap: "/usr/local/sbin/wso2-db-bootstrap",
    dbBackup: "/usr/local/sbin/wso2-db-backup",
    dbRestore: "/usr/local/sbin/wso2-db-restore",
} as const;

/** Shell functions the database steps source (settings, verified TLS connections, secrets). */
export const DB_LIB = "/usr/local/lib/wso2/db-lib.sh";

/** Shell functions every step sources (settings, the AWS CLI wrapper, failure lines). */
export const NODE_LIB = "/usr/local/lib/wso2/node-lib.sh";

/** components/host/node/merge-config.py: merges the rendered overlay into the shipped configuration. */
export const MERGE_CONFIG_TOOL = "/usr/local/lib/wso2/merge-config.py";

/** Rendered configuration, kept outside the product home; the configure step installs it. */
export const CONFIG_DIR = "/etc/wso2";

/** The steps' settings (`KEY='value'` lines), written by cloud-init. */
export const NODE_ENV_FILE = `${CONFIG_DIR}/node.env`;

/**
 * `WSO2_ADMIN_USERNAME=...`, `WSO2_NODE_IP=...` (and IS's app password hash) for the unit: values the
 * configuration reads through `$env{...}`; none is a secret (the passwords never leave the vault).
 */
export const ADMIN_ENV_FILE = `${CONFIG_DIR}/admin.env`;

export const NFTABLES_CONF = "/etc/nftables.conf";
export const AUDIT_RULES = "/etc/audit/rules.d/60-wso2.rules";
export const CLOUDWATCH_AGENT_CONFIG = "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json";
export const UPDATE_WINDOW_DROPIN = "/etc/systemd/system/apt-daily-upgrade.timer.d/50-wso2-window.conf";
export const UNATTENDED_UPGRADES_CONF = "/etc/apt/apt.conf.d/52wso2-unattended-upgrades";
