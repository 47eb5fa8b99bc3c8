/**
 * sshd hardening drop-in (OS-SSH). Debian's sshd_config includes `/etc/ssh/sshd_config.d/*.conf` before
 * its own settings and sshd keeps the first value it reads, so these values win.
 */

/** Where the drop-in, banner and the only host key live on the node. */
export const SSHD_PATHS = {
    dropIn: "/etc/ssh/sshd_config.d/10-wso2-hardening.conf",
    banner: "/etc/ssh/wso2-banner.txt",
    hostKey: "/etc/ssh/ssh_host_ed25519_key",
} as const;

/** Algorithms without NIST curves, SHA-1, CBC or encrypt-and-MAC; AES-GCM only (no chacha20, Terrapin). */
export const SSH_ALGORITHMS = {
    kex: ["sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org"],
    ciphers: ["aes256-gcm@openssh.com", "aes128-gcm@openssh.com"],
    macs: ["hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com"],
    hostKeys: ["ssh-ed25519"],
} as const;

export interface SshdConfigInput {
    port: number;
    /** @default SSHD_PATHS.banner */
    bannerPath?: string;
    /** @default SSHD_PATHS.hostKey */
    hostKeyPath?: string;
    /** Local accounts that may never log in over SSH. @default ["root", "wso2"] */
    denyUsers?: string[];
}

export function renderSshdConfig(input: SshdConfigInput): string {
    if (!Number.isInteger(input.port) || input.port < 1024 || input.port > 65535) {
        throw new Error(`sshPort: ${input.port} must be a non-default (high) port between 1024 and 65535`);
    }
    const deny = input.denyUsers ?? ["root", "wso2"];
    const settings: [string, string][] = [
        ["Port", String(input.port)],
        ["AddressFamily", "any"],
        ["HostKey", input.hostKeyPath ?? SSHD_PATHS.hostKey],
        ["HostKeyAlgorithms", SSH_ALGORITHMS.hostKeys.join(",")],
        ["KexAlgorithms", SSH_ALGORITHMS.kex.join(",")],
        ["Ciphers", SSH_ALGORITHMS.ciphers.join(",")],
        ["MACs", SSH_ALGORITHMS.macs.join(",")],
        ["PubkeyAcceptedAlgorithms", "ssh-ed25519,sk-ssh-ed25519@openssh.com,rsa-sha2-512,rsa-sha2-256"],
        ["RequiredRSASize", "3072"],
        ["PermitRootLogin", "no"],
        ["DenyUsers", deny.join(" ")],
        ["PubkeyAuthentication", "yes"],
        ["AuthenticationMethods", "publickey"],
        ["PasswordAuthentication", "no"],
        ["KbdInteractiveAuthentication", "no"],
        ["HostbasedAuthentication", "no"],
        ["IgnoreRhosts", "yes"],
        ["PermitEmptyPasswords", "no"],
        ["PermitUserEnvironment", "no"],
        ["MaxAuthTries", "3"],
        ["MaxSessions", "4"],
        ["MaxStartups", "10:30:60"],
        ["LoginGraceTime", "30"],
        ["ClientAliveInterval", "300"],
        ["ClientAliveCountMax", "2"],
        ["AllowTcpForwarding", "no"],
        ["AllowStreamLocalForwarding", "no"],
        ["AllowAgentForwarding", "no"],
        ["X11Forwarding", "no"],
        ["PermitTunnel", "no"],
        ["GatewayPorts", "no"],
        ["StrictModes", "yes"],
        ["Compression", "no"],
        // VERBOSE logs the key fingerprint of every login (OS-MONITOR-USERS).
        ["LogLevel", "VERBOSE"],
        ["Banner", input.bannerPath ?? SSHD_PATHS.banner],
    ];
    return [
        "# SSH hardening for WSO2 nodes (rendered by wso2-hardening): high port, keys only, no root,",
        "# no forwarding, modern algorithms only.",
        ...settings.map(([k, v]) => `${k} ${v}`),
        "",
    ].join("\n");
}

/** Legal notice shown before authentication. */
export function renderSshBanner(): string {
    return [
        "**************************************************************************",
        "Authorized access only. This system is the property of its operator; all",
        "activity is logged and monitored. Disconnect now if you are not authorized.",
        "**************************************************************************",
        "",
    ].join("\n");
}
