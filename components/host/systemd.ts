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

/** Sandbox settings every unit of a node shares. */
const KERNEL_AND_PROC_PROTECTION = [
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "ProtectProc=invisible",
    "ProcSubset=pid",
];
const RESTRICTIONS = ["RestrictNamespaces=yes", "RestrictRealtime=yes", "RestrictSUIDSGID=yes", "LockPersonality=yes"];
const SYSTEM_CALL_FILTER = [
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallFilter=~@privileged @obsolete @debug @mount @cpu-emulation @clock @module @raw-io @reboot @swap",
    "SystemCallErrorNumber=EPERM",
];

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
        // The super admin's name (not secret) for $env{} in deployment.toml, written by the secrets step
        // (ExecStartPre). systemd reads the file before each command, so the first start's ExecStartPre
        // runs before it exists: "-" lets that one command start without it; ExecStart then reads it.
        `EnvironmentFile=-${ADMIN_ENV_FILE}`,
        `ExecStartPre=+${HOST_SCRIPTS.secrets}`,
        `ExecStart=${home}/${spec.layout.startScript}`,
        // Secure Vault's password file must not outlive the process that read it.
        `ExecStopPost=+/bin/rm -f ${home}/password-tmp`,
        "SuccessExitStatus=143",
        "Restart=on-failure",
        "RestartSec=10",
        // The secrets step (ExecStartPre) reads its secrets from AWS and seals them with the product's
        // cipher tool (a JVM) before the product starts: systemd's default 90 s is too tight for that on a
        // small or busy instance, and a timeout there restarts the unit in a loop.
        "TimeoutStartSec=300",
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
        ...KERNEL_AND_PROC_PROTECTION,
        // AF_NETLINK: the JVM enumerates interfaces (clustering binds to the node's address).
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK",
        ...RESTRICTIONS,
        "RemoveIPC=yes",
        "KeyringMode=private",
        "DevicePolicy=closed",
        ...SYSTEM_CALL_FILTER,
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

/** What a helper unit may do beyond the common sandbox. */
interface HelperSandbox {
    /** The only capabilities it holds (ambient, as a dynamic non-root user); empty: none. */
    capabilities: string[];
    addressFamilies: string[];
    /** Paths it may write besides its private /tmp. @default none */
    readWritePaths?: string[];
    /** Also run at every boot (multi-user.target, once enabled), before this unit. @default never at boot */
    atBootBefore?: string;
}

/**
 * A oneshot helper service, sandboxed to `systemd-analyze security` exposure 2.0 or less: a dynamic
 * (never root) user, read-only system, private /tmp and devices, no new privileges, a system-call allow
 * list, and only the capabilities its step needs. HOME is the private /tmp (the AWS CLI writes a cache).
 */
function helperService(description: string, command: string, sandbox: HelperSandbox): string {
    const caps = sandbox.capabilities.join(" ");
    return [
        "[Unit]",
        `Description=${description}`,
        "After=network-online.target",
        "Wants=network-online.target",
        ...(sandbox.atBootBefore ? [`Before=${sandbox.atBootBefore}`] : []),
        "",
        "[Service]",
        "Type=oneshot",
        `ExecStart=${command}`,
        "DynamicUser=yes",
        "Environment=HOME=/tmp",
        "UMask=0077",
        `CapabilityBoundingSet=${caps}`,
        `AmbientCapabilities=${caps}`,
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        ...(sandbox.readWritePaths?.length ? [`ReadWritePaths=${sandbox.readWritePaths.join(" ")}`] : []),
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "PrivateMounts=yes",
        ...KERNEL_AND_PROC_PROTECTION,
        `RestrictAddressFamilies=${sandbox.addressFamilies.join(" ")}`,
        ...RESTRICTIONS,
        "MemoryDenyWriteExecute=yes",
        "RemoveIPC=yes",
        "KeyringMode=private",
        "DevicePolicy=closed",
        ...SYSTEM_CALL_FILTER,
        "",
        ...(sandbox.atBootBefore ? ["[Install]", "WantedBy=multi-user.target", ""] : []),
    ].join("\n");
}

/**
 * A timer on `onCalendar`, the value of the setting `key` (named when the value is refused). `also`: units
 * enabled and disabled with the timer.
 */
function timerUnit(description: string, key: string, onCalendar: string, randomDelay: string, also: string[] = []): string {
    if (!/^[A-Za-z0-9*,.:/~\- ]{1,80}$/.test(onCalendar)) {
        throw new Error(`${key}: ${JSON.stringify(onCalendar)} is not a systemd OnCalendar expression such as 'daily'`);
    }
    return [
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
        ...(also.length ? [`Also=${also.join(" ")}`] : []),
        "",
    ].join("\n");
}

const AWS_API = ["AF_INET", "AF_INET6", "AF_UNIX"];

/**
 * Backup of configuration, keystores and deployed artifacts to S3 (OS-BACKUPS). It reads root-owned
 * files (keystores, the rendered configuration) as a dynamic user: CAP_DAC_READ_SEARCH, and nothing else.
 */
export function renderBackupUnits(schedule: string): TimerUnits {
    const description = "Back up WSO2 configuration, keystores and artifacts";
    return {
        service: helperService(description, HOST_SCRIPTS.backup, { capabilities: ["CAP_DAC_READ_SEARCH"], addressFamilies: AWS_API }),
        timer: timerUnit(description, "backupSchedule", schedule, "15min"),
    };
}

export const CLUSTER_PEERS_UNIT = "wso2-cluster-peers.service";

/**
 * Refresh of the `cluster_peers` set from the EC2 API on `schedule` (an OnCalendar expression; the
 * default, minutely, lets a new node into the others' clustering ports within a minute), and at every
 * boot before the product starts: the firewall loads an empty set at boot. The boot-time run is the
 * service's own (multi-user.target, enabled with the timer through Also=), not a timer's OnBootSec=: a
 * timer that starts after its OnBootSec= point has passed, as on a slow boot, does not fire, and the set
 * stayed empty until the schedule's next run (found with an hourly schedule in the boot test). Updating
 * the firewall set takes CAP_NET_ADMIN over netlink; nothing else.
 */
export function renderClusterPeersUnits(schedule: string): TimerUnits {
    const description = "Refresh the cluster_peers firewall set from EC2";
    return {
        service: helperService(description, HOST_SCRIPTS.clusterPeers, {
            capabilities: ["CAP_NET_ADMIN"],
            addressFamilies: [...AWS_API, "AF_NETLINK"],
            atBootBefore: WSO2_UNIT,
        }),
        timer: timerUnit(description, "clusterPeersRefresh", schedule, "10s", [CLUSTER_PEERS_UNIT]),
    };
}

/** Directories a restore writes (what `BACKUP_PATHS` holds lives under these). */
export const RESTORE_WRITABLE_PATHS = ["/opt/wso2", "/etc/wso2", "/usr/local/sbin", "/usr/local/lib/wso2", "-/var/backups/wso2-db"] as const;

/**
 * `wso2-restore@<node id>.service`: restores that node's latest backup (this node's own id, or the node this
 * one replaces), overwriting. It recreates root- and wso2-owned files with their owners and modes as a
 * dynamic user with CAP_CHOWN, CAP_DAC_OVERRIDE and CAP_FOWNER, writing only where backups restore to.
 */
export function renderRestoreUnit(): string {
    return helperService("Restore the latest WSO2 backup of node %i", `${HOST_SCRIPTS.restore} --force --node %i latest`, {
        capabilities: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER"],
        addressFamilies: AWS_API,
        readWritePaths: [...RESTORE_WRITABLE_PATHS],
    });
}

/** Moves unattended-upgrades into the configured window (OS-UPDATES: staging's window comes first). */
export function renderUpdateWindowDropIn(updateWindow: string): string {
    if (!/^[A-Za-z0-9*,.:/~\- ]{1,80}$/.test(updateWindow)) {
        throw new Error(`updateWindow: ${JSON.stringify(updateWindow)} is not a systemd OnCalendar expression`);
    }
    return ["[Timer]", "OnCalendar=", `OnCalendar=${updateWindow}`, "RandomizedDelaySec=30min", ""].join("\n");
}
