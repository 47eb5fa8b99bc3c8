/**
 * systemd units of a node: the product service, sandboxed (OS-DEDICATED-USER, PROD-JVM, PROD-DH-KEYSIZE,
 * PROD-NO-RENEGOTIATION, PROD-HOSTNAME-VERIFICATION), and the timers of the backup, the cluster-peer
 * refresh and the security-update window.
 */
import type { ProductSpec } from "../../products";
import { productHome } from "../../products";
import { ADMIN_ENV_FILE, HOST_SCRIPTS } from "./paths";

/** TLS and hostname flags WSO2 asks for in the startup script; passed through JAVA_OPTS. */
export const JVM_SECURITY_FLAGS = [
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dhttpclient.hostnameVerifier=Strict",
] as const;

/** Heap in MiB: half the instance memory (PROD-JVM), rounded down to 256 MiB. */
export function heapSizeMiB(instanceMemoryMiB: number): number {
    if (!Number.isInteger(instanceMemoryMiB) || instanceMemoryMiB < 2048) {
        throw new Error(`instanceMemoryMiB: ${instanceMemoryMiB} is too small for a WSO2 node (at least 2048 MiB)`);
    }
    return Math.floor(instanceMemoryMiB / 2 / 256) * 256;
}

export interface Wso2UnitInput {
    product: ProductSpec;
    productVersion: string;
    instanceMemoryMiB: number;
}

/** Name of the product's unit. */
export const WSO2_UNIT = "wso2.service";

/**
 * The product's unit. `systemd-analyze security` scores it at 2.0 or less: no capabilities, read-only
 * system and product home except the directories the product writes, private /tmp and devices, no new
 * privileges, a system-call allow list. `MemoryDenyWriteExecute` stays off: the JIT needs it.
 */
export function renderWso2Unit(input: Wso2UnitInput): string {
    const spec = input.product;
    const home = productHome(spec, input.productVersion);
    const heap = heapSizeMiB(input.instanceMemoryMiB);
    const javaOpts = [`-Xms${heap}m`, `-Xmx${heap}m`, "-XX:+HeapDumpOnOutOfMemoryError", `-XX:HeapDumpPath=${home}/${spec.layout.logDir}`, ...JVM_SECURITY_FLAGS];
    const writable = spec.layout.writableDirs.map((d) => `${home}/${d}`);
    return [
        "[Unit]",
        `Description=${spec.name} ${input.productVersion || spec.defaultVersion}`,
        "Documentation=https://github.com/wso2",
        "After=network-online.target nftables.service",
        "Wants=network-online.target",
        "Requires=nftables.service",
        "",
        "[Service]",
        "Type=simple",
        "User=wso2",
        "Group=wso2",
        `WorkingDirectory=${home}`,
        "Environment=JAVA_HOME=/usr/lib/jvm/default-java",
        `Environment="JAVA_OPTS=${javaOpts.join(" ")}"`,
        // The super admin's name (not secret) for $env{} in deployment.toml, written by the secrets step.
        `EnvironmentFile=${ADMIN_ENV_FILE}`,
        `ExecStartPre=+${HOST_SCRIPTS.secrets}`,
        `ExecStart=${home}/${spec.layout.startScript}`,
        // Secure Vault's password file must not outlive the process that read it.
        `ExecStopPost=+/bin/rm -f ${home}/password-tmp`,
        "SuccessExitStatus=143",
        "Restart=on-failure",
        "RestartSec=10",
        "TimeoutStopSec=120",
        "LimitNOFILE=65536",
        "UMask=0027",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=",
        "AmbientCapabilities=",
        "ProtectSystem=strict",
        `ReadWritePaths=${writable.join(" ")}`,
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "PrivateUsers=yes",
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectKernelLogs=yes",
        "ProtectControlGroups=yes",
        "ProtectClock=yes",
        "ProtectHostname=yes",
        "ProtectProc=invisible",
        "ProcSubset=pid",
        // AF_NETLINK: the JVM enumerates interfaces (clustering binds to the node's address).
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK",
        "RestrictNamespaces=yes",
        "RestrictRealtime=yes",
        "RestrictSUIDSGID=yes",
        "LockPersonality=yes",
        "RemoveIPC=yes",
        "KeyringMode=private",
        "DevicePolicy=closed",
        "SystemCallArchitectures=native",
        "SystemCallFilter=@system-service",
        "SystemCallFilter=~@privileged @obsolete @debug @mount @cpu-emulation @clock @module @raw-io @reboot @swap",
        "SystemCallErrorNumber=EPERM",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}

export interface TimerUnits {
    service: string;
    timer: string;
}

/** A oneshot service running `command` as root, and its timer. */
function oneshotWithTimer(description: string, command: string, onCalendar: string, randomDelay: string): TimerUnits {
    if (!/^[A-Za-z0-9*,.:/~\- ]{1,80}$/.test(onCalendar)) {
        throw new Error(`${JSON.stringify(onCalendar)} is not a systemd OnCalendar expression such as 'daily'`);
    }
    return {
        service: [
            "[Unit]",
            `Description=${description}`,
            "After=network-online.target",
            "Wants=network-online.target",
            "",
            "[Service]",
            "Type=oneshot",
            `ExecStart=${command}`,
            "PrivateTmp=yes",
            "NoNewPrivileges=yes",
            "ProtectHome=yes",
            "",
        ].join("\n"),
        timer: [
            "[Unit]",
            `Description=${description} (schedule)`,
            "",
            "[Timer]",
            `OnCalendar=${onCalendar}`,
            `RandomizedDelaySec=${randomDelay}`,
            "Persistent=true",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
        ].join("\n"),
    };
}

/** Backup of configuration, keystores and deployed artifacts to S3 (OS-BACKUPS). */
export function renderBackupUnits(schedule: string): TimerUnits {
    return oneshotWithTimer("Back up WSO2 configuration, keystores and artifacts", HOST_SCRIPTS.backup, schedule, "15min");
}

/** Refresh of the `cluster_peers` set from the EC2 API, every minute. */
export function renderClusterPeersUnits(): TimerUnits {
    const units = oneshotWithTimer("Refresh the cluster_peers firewall set from EC2", HOST_SCRIPTS.clusterPeers, "minutely", "10s");
    // Also right after boot, before the product starts clustering.
    units.timer = units.timer.replace("[Timer]\n", "[Timer]\nOnBootSec=15s\n");
    return units;
}

/** Moves unattended-upgrades into the configured window (OS-UPDATES: staging's window comes first). */
export function renderUpdateWindowDropIn(updateWindow: string): string {
    if (!/^[A-Za-z0-9*,.:/~\- ]{1,80}$/.test(updateWindow)) {
        throw new Error(`updateWindow: ${JSON.stringify(updateWindow)} is not a systemd OnCalendar expression`);
    }
    return ["[Timer]", "OnCalendar=", `OnCalendar=${updateWindow}`, "RandomizedDelaySec=30min", ""].join("\n");
}
