/**
 * auditd rules (OS-MONITOR-USERS): who logs in and elevates, changes to accounts, sudo, SSH, the firewall,
 * and every write or attribute change to the product's configuration and keystores. The CloudWatch agent
 * ships `/var/log/audit/audit.log`.
 */
import type { ProductSpec } from "../../products";
import { productHome } from "../../products";

export interface AuditRulesInput {
    product: ProductSpec;
    productVersion: string;
}

function dirname(path: string): string {
    return path.slice(0, path.lastIndexOf("/"));
}

export function renderAuditRules(input: AuditRulesInput): string {
    const home = productHome(input.product, input.productVersion);
    const layout = input.product.layout;
    const watch = (path: string, key: string) => `-w ${path} -p wa -k ${key}`;
    return [
        "## WSO2 node audit rules (rendered by wso2-hardening).",
        "# Accounts and privileges",
        watch("/etc/passwd", "identity"),
        watch("/etc/group", "identity"),
        watch("/etc/shadow", "identity"),
        watch("/etc/gshadow", "identity"),
        watch("/etc/sudoers", "privilege"),
        watch("/etc/sudoers.d", "privilege"),
        "# Logins and sessions",
        watch("/var/log/lastlog", "logins"),
        watch("/var/run/utmp", "session"),
        watch("/var/log/wtmp", "session"),
        watch("/var/log/btmp", "session"),
        "# Commands run with elevated rights by a logged-in user (auid is the login uid)",
        "-a always,exit -F arch=b64 -S execve -F euid=0 -F auid>=1000 -F auid!=unset -k root-commands",
        "-a always,exit -F arch=b32 -S execve -F euid=0 -F auid>=1000 -F auid!=unset -k root-commands",
        "# Host access and firewall",
        watch("/etc/ssh/sshd_config", "sshd"),
        watch("/etc/ssh/sshd_config.d", "sshd"),
        watch("/etc/nftables.conf", "firewall"),
        watch("/etc/wso2", "wso2-config"),
        "# Product configuration and keystores",
        watch(`${home}/${dirname(layout.configFile)}`, "wso2-config"),
        watch(`${home}/${dirname(layout.keystore)}`, "wso2-keystore"),
        watch("/etc/systemd/system/wso2.service", "wso2-config"),
        "",
    ].join("\n");
}
