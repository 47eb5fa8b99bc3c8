/** Where the boot steps live on a node. */

export const HOST_SCRIPTS = {
    install: "/usr/local/sbin/wso2-install-packages",
    setupUser: "/usr/local/sbin/wso2-setup-user",
    configure: "/usr/local/sbin/wso2-configure",
    keystore: "/usr/local/sbin/wso2-keystore",
    secrets: "/usr/local/sbin/wso2-secrets",
    clusterPeers: "/usr/local/sbin/wso2-cluster-peers",
    backup: "/usr/local/sbin/wso2-backup",
    restore: "/usr/local/sbin/wso2-restore",
} as const;

/** Rendered configuration, kept outside the product home; the configure step installs it. */
export const CONFIG_DIR = "/etc/wso2";

/** `WSO2_ADMIN_USERNAME=...` for the unit (the name is not secret; the password never leaves the vault). */
export const ADMIN_ENV_FILE = `${CONFIG_DIR}/admin.env`;

export const NFTABLES_CONF = "/etc/nftables.conf";
export const AUDIT_RULES = "/etc/audit/rules.d/60-wso2.rules";
export const CLOUDWATCH_AGENT_CONFIG = "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json";
export const UPDATE_WINDOW_DROPIN = "/etc/systemd/system/apt-daily-upgrade.timer.d/50-wso2-window.conf";
export const UNATTENDED_UPGRADES_CONF = "/etc/apt/apt.conf.d/52wso2-unattended-upgrades";
