/**
 * The boot test's checks, by the names the [Boot] issue gives them. Each returns ok and the evidence it saw;
 * a check that cannot see what it needs fails and says why.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Emulator, SessionCredentials } from "./emulator";
import type { NodeVm } from "./node";
import type { NodePlan } from "./plan";
import { banner, httpsGet, opensslHandshake, sha256Hex, tlsHandshake } from "./probes";
import type { ProductSpec } from "../../products";

export interface Check {
    name: string;
    ok: boolean;
    evidence: string;
}

export interface Context {
    plan: NodePlan;
    product: ProductSpec;
    emu: Emulator;
    /** The guest's view of the emulator, for AWS commands run in the guest. */
    awsEnv: string;
    keystorePassword: string;
    /** SHA-256 fingerprint (keytool's colon form) of the distribution's default certificate. */
    defaultFingerprint: string;
    /** The ruleset the test's user data writes (the planned one, LB sources as configured). */
    ruleset: string;
    /** Clustering peers' addresses as the EC2 API knows them, by node name. */
    addresses: Record<string, string>;
    instanceIds: Record<string, string>;
    /** Each node's role session, as its metadata service serves it. */
    credentials: Record<string, SessionCredentials>;
    otherClusterSecretArn: string;
    otherClusterBackupKey: string;
}

function q(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function sh(vm: NodeVm, script: string, timeoutMs?: number) {
    return vm.guest.sh(script, timeoutMs);
}

export async function run(name: string, fn: () => Promise<{ ok: boolean; evidence: string }>): Promise<Check> {
    const started = Date.now();
    let result: { ok: boolean; evidence: string };
    try {
        result = await fn();
    } catch (e) {
        result = { ok: false, evidence: `check failed to run: ${(e as Error).message}` };
    }
    console.log(`boot: ${result.ok ? "ok  " : "FAIL"} ${name} (${Math.round((Date.now() - started) / 1000)} s): ${result.evidence.split("\n")[0].slice(0, 300)}`);
    return { name, ...result };
}

/** Lines of the boot log that explain a failure (the boot steps' own messages). */
async function bootLogHints(vm: NodeVm, pattern = "wso2-|error|denied|fail|refus"): Promise<string> {
    const r = await sh(vm, `grep -aiE ${q(pattern)} /var/log/cloud-init-output.log | tail -n 8`);
    return r.stdout.trim();
}

export async function cloudInitDone(vm: NodeVm): Promise<{ ok: boolean; evidence: string }> {
    const r = await sh(vm, "cloud-init status --format json");
    const st = JSON.parse(r.stdout);
    const errors: string[] = [...(st.errors ?? [])];
    const recoverable = Object.entries(st.recoverable_errors ?? {}).flatMap(([lvl, msgs]) => (msgs as string[]).map((m) => `${lvl}: ${m}`));
    const ok = st.status === "done" && errors.length === 0 && recoverable.length === 0 && r.exitcode === 0;
    let evidence = `status ${st.status} (exit ${r.exitcode}), ${errors.length} errors, ${recoverable.length} recoverable errors`;
    if (!ok) evidence += `; ${[...errors, ...recoverable].slice(0, 3).join("; ")}\nboot log:\n${await bootLogHints(vm)}`;
    return { ok, evidence };
}

export async function userAndModes(vm: NodeVm, ctx: Context): Promise<{ ok: boolean; evidence: string }> {
    const home = ctx.plan.productHome;
    const l = ctx.product.layout;
    const expect: [string, string][] = [
        [`${home}/..`, "root:wso2 750"],
        [home, "root:wso2 750"],
        [`${home}/${l.startScript}`, "root:wso2 750"],
        [`${home}/${l.configFile}`, "root:wso2 640"],
        [`${home}/${l.keystore}`, "root:wso2 640"],
        [`${home}/${l.truststore}`, "root:wso2 640"],
        ...l.writableDirs.map((d) => [`${home}/${d}`, "wso2:wso2 750"] as [string, string]),
    ];
    const r = await sh(
        vm,
        [
            "getent passwd wso2 | cut -d: -f7",
            "id -Gn wso2",
            "passwd -S wso2 | cut -d' ' -f2",
            "grep -rlE '^[[:space:]]*%?wso2[[:space:]]' /etc/sudoers /etc/sudoers.d 2>/dev/null | wc -l",
            ...expect.map(([p]) => `stat -c '%U:%G %a' ${q(p)} 2>&1`),
            // Nothing in the home is writable or readable by others.
            `find ${q(home)} -perm /o=rwx | wc -l`,
        ].join("; "),
    );
    const lines = r.stdout.trim().split("\n");
    const [shell, groups, pwState, sudoers] = lines;
    const problems: string[] = [];
    if (!/nologin$/.test(shell ?? "")) problems.push(`login shell ${shell}`);
    if (groups?.trim() !== "wso2") problems.push(`groups "${groups}"`);
    if (pwState?.trim() !== "L") problems.push(`password state ${pwState} (not locked)`);
    if (sudoers?.trim() !== "0") problems.push(`${sudoers} sudoers files name wso2`);
    expect.forEach(([p, want], i) => {
        const got = lines[4 + i]?.trim();
        if (got !== want) problems.push(`${p}: ${got} (want ${want})`);
    });
    const worldAccess = lines[4 + expect.length]?.trim();
    if (worldAccess !== "0") problems.push(`${worldAccess} paths in ${home} open to others`);
    return {
        ok: problems.length === 0,
        evidence: problems.length ? problems.join("; ") : `wso2: shell ${shell}, groups ${groups}, password locked, no sudo; ${expect.length} paths with the designed owner and mode; nothing open to others`,
    };
}

/** nft output without what changes at run time: counters and the cluster_peers elements. */
export function normalizeRuleset(listing: string): string {
    return listing
        .replace(/counter packets \d+ bytes \d+/g, "counter")
        .replace(/(set cluster_peers \{[^}]*?)\s*elements = \{[^}]*\}/g, "$1")
        .replace(/[ \t]+$/gm, "")
        .trim();
}

export async function firewallLoaded(vm: NodeVm, ctx: Context): Promise<{ ok: boolean; evidence: string }> {
    const r = await sh(
        vm,
        [
            "set -e",
            "systemctl is-enabled nftables.service",
            "systemctl is-active nftables.service",
            "sha256sum /etc/nftables.conf | cut -d' ' -f1",
            "echo ==== live",
            "nft list table inet wso2",
            "echo ==== rendered",
            // The rendered file loaded alone in a fresh namespace: what the file means to nft.
            "ip netns add boot-test-fw",
            "ip netns exec boot-test-fw nft -f /etc/nftables.conf",
            "ip netns exec boot-test-fw nft list table inet wso2",
            "ip netns del boot-test-fw",
        ].join("\n"),
    );
    if (r.exitcode !== 0) return { ok: false, evidence: `cannot compare rulesets: ${r.stderr.trim()} ${r.stdout.trim().slice(0, 200)}` };
    const [head, rest] = r.stdout.split("==== live\n");
    const [live, rendered] = rest.split("==== rendered\n");
    const [enabled, active, fileSha] = head.trim().split("\n");
    const problems: string[] = [];
    if (enabled !== "enabled" || active !== "active") problems.push(`nftables.service ${enabled}/${active}`);
    if (fileSha !== sha256Hex(ctx.ruleset)) problems.push("/etc/nftables.conf is not the rendered ruleset");
    if (normalizeRuleset(live) !== normalizeRuleset(rendered)) problems.push(`the ruleset in force differs from the rendered one:\n${normalizeRuleset(live)}`);
    const others = await sh(vm, "nft list tables");
    return {
        ok: problems.length === 0,
        evidence: problems.length
            ? problems.join("; ")
            : `nftables.service enabled and active; /etc/nftables.conf is the rendered file (sha256 ${fileSha.slice(0, 16)}…); table inet wso2 in force equals the file loaded alone (tables: ${others.stdout.trim().replace(/\n/g, ", ")})`,
    };
}

export async function firewallProbes(vm: NodeVm, ctx: Context): Promise<{ ok: boolean; evidence: string }> {
    const listening = (await sh(vm, "ss -ltnH | awk '{print $4}' | sed 's/.*://' | sort -un")).stdout.split("\n").map(Number);
    // Every probe at once: a dropped one waits out its whole timeout, and one after another they took a
    // minute. Each finding keeps its place in the evidence.
    type Finding = { problem?: string; seen?: string };
    const probes: Promise<Finding>[] = [];
    for (const p of ctx.plan.ports.service) {
        probes.push(
            tlsHandshake(vm.fwd.get(p)!).then((fromLb) => {
                if (!listening.includes(p)) return { problem: `nothing listens on service port ${p} (the product is not running)` };
                if (!fromLb.ok) return { problem: `service port ${p} refused the load balancer's source 10.0.2.2 (${fromLb.detail})` };
                return { seen: `${p} from 10.0.2.2: ${fromLb.detail}` };
            }),
            tlsHandshake(vm.otherFwd.get(p)!, 8000).then((fromOther) =>
                fromOther.ok ? { problem: `service port ${p} answered 169.254.169.1, which is not a load balancer source` } : { seen: `${p} from 169.254.169.1: dropped (${fromOther.detail})` },
            ),
        );
    }
    for (const p of ctx.plan.ports.clustering) {
        if (!listening.includes(p)) probes.push(Promise.resolve({ problem: `nothing listens on clustering port ${p}: the probe would prove nothing` }));
        probes.push(banner(vm.fwd.get(p)!).then((b) => (b !== null ? { problem: `clustering port ${p} answered a non-member (10.0.2.2): "${b}"` } : { seen: `${p} from non-member 10.0.2.2: dropped` })));
    }
    if (ctx.plan.ports.ssh === null) {
        probes.push(banner(vm.fwd.get(22)!).then((b) => (b !== null ? { problem: `SSH is off in the plan but port 22 answered: "${b}"` } : { seen: "22: closed (SSH off)" })));
    }
    const findings = await Promise.all(probes);
    const problems = findings.flatMap((f) => (f.problem ? [f.problem] : []));
    const seen = findings.flatMap((f) => (f.seen ? [f.seen] : []));
    return { ok: problems.length === 0, evidence: problems.length ? problems.join("; ") : seen.join("; ") };
}

function exposure(text: string): number | null {
    const m = /Overall exposure level for \S+: ([0-9.]+)/.exec(text);
    return m ? Number(m[1]) : null;
}

export async function serviceSandboxed(vm: NodeVm, ctx: Context): Promise<{ ok: boolean; evidence: string }> {
    const units = ["wso2.service", "wso2-backup.service", ...(ctx.plan.ports.clustering.length ? ["wso2-cluster-peers.service"] : [])];
    const problems: string[] = [];
    const seen: string[] = [];
    for (const unit of units) {
        const r = await sh(
            vm,
            `systemctl show -p ActiveState,SubState,Result,User,MainPID,NoNewPrivileges,ProtectSystem ${unit}; systemd-analyze security --no-pager ${unit} 2>&1 | tail -n 1`,
            300_000,
        );
        const props = Object.fromEntries(r.stdout.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
        const score = exposure(r.stdout);
        const limit = unit === "wso2.service" ? 2.0 : 2.0;
        if (score === null || score > limit) problems.push(`${unit}: exposure ${score} (limit ${limit})`);
        if (!props.User || props.User === "root") problems.push(`${unit}: runs as ${props.User || "root"}`);
        if (props.NoNewPrivileges !== "yes") problems.push(`${unit}: NoNewPrivileges=${props.NoNewPrivileges}`);
        if (unit === "wso2.service") {
            if (props.ActiveState !== "active" || props.SubState !== "running") problems.push(`${unit}: ${props.ActiveState}/${props.SubState}`);
            const who = await sh(vm, `ps -o user= -p ${props.MainPID}; ps -o user= --ppid ${props.MainPID}`);
            const users = new Set(who.stdout.split(/\s+/).filter(Boolean));
            if (users.size !== 1 || !users.has("wso2")) problems.push(`${unit}: processes run as ${[...users].join(",") || "nobody (not running)"}`);
        } else if (props.Result !== "success") {
            problems.push(`${unit}: last run ${props.Result}`);
        }
        seen.push(`${unit} ${props.ActiveState}/${props.SubState} as ${props.User}, exposure ${score}`);
    }
    return { ok: problems.length === 0, evidence: problems.length ? `${problems.join("; ")} [${seen.join("; ")}]` : seen.join("; ") };
}

/** Names OpenSSL gives the rendered (IANA-named) cipher suites. */
export function opensslNames(iana: string[]): Set<string> {
    const out = execFileSync("openssl", ["ciphers", "-stdname", "ALL:@SECLEVEL=0"], { encoding: "utf8" });
    // Lines read `<IANA name> - <OpenSSL name> <protocol> Kx=... Au=... Enc=... Mac=...`.
    const map = new Map(out.split("\n").map((l) => l.split(" - ")).filter((p) => p.length >= 2).map((p) => [p[0].trim(), p[1].trim().split(/\s+/)[0]]));
    return new Set(iana.map((n) => map.get(n) ?? n));
}

export async function tlsMin12(vm: NodeVm, ctx: Context, ciphersByPort: Map<number, string[]>): Promise<{ ok: boolean; evidence: string }> {
    const problems: string[] = [];
    const seen: string[] = [];
    for (const p of ctx.plan.ports.service) {
        const port = vm.fwd.get(p)!;
        const strong = opensslNames(ciphersByPort.get(p) ?? []);
        for (const v of ["tls1", "tls1_1"] as const) {
            const r = opensslHandshake(port, v);
            if (r.ok) problems.push(`${p} accepted ${v}: ${r.detail}`);
            else seen.push(`${p} ${v} refused`);
        }
        for (const v of ["tls1_2", "tls1_3"] as const) {
            const r = opensslHandshake(port, v);
            const suite = r.detail.split(" ")[1];
            if (!r.ok) problems.push(`${p} refused ${v}: ${r.detail}`);
            else if (!strong.has(suite)) problems.push(`${p} ${v} negotiated ${suite}, not one of the rendered ciphers`);
            else seen.push(`${p} ${r.detail}`);
        }
        for (const weak of ["AES128-SHA", "ECDHE-RSA-AES128-SHA", "DES-CBC3-SHA"]) {
            const r = opensslHandshake(port, "tls1_2", weak);
            if (r.ok) problems.push(`${p} accepted the weak cipher ${weak}`);
        }
        if (!ciphersByPort.get(p)?.length) problems.push(`${p}: the rendered configuration names no ciphers for this port`);
    }
    return { ok: problems.length === 0, evidence: problems.length ? problems.join("; ") : `${seen.join("; ")}; CBC and 3DES suites refused` };
}

export async function healthCheck(vm: NodeVm, ctx: Context): Promise<{ ok: boolean; evidence: string }> {
    const problems: string[] = [];
    const seen: string[] = [];
    if (!ctx.plan.healthChecks.length) return { ok: false, evidence: "the plan has no target group health checks" };
    for (const hc of ctx.plan.healthChecks) {
        try {
            const r = await httpsGet(vm.fwd.get(hc.port)!, hc.path);
            const want = hc.matcher.split(",").map((s) => s.trim());
            if (!want.includes(String(r.status))) problems.push(`GET :${hc.port}${hc.path} answered ${r.status}, want ${hc.matcher}`);
            else seen.push(`GET :${hc.port}${hc.path} -> ${r.status}`);
        } catch (e) {
            problems.push(`GET :${hc.port}${hc.path} from the load balancer's source failed: ${(e as Error).message}`);
        }
    }
    return { ok: problems.length === 0, evidence: problems.length ? problems.join("; ") : seen.join("; ") };
}

/**
 * keytool -list -v of a store the node has, with the cluster's keystore password. The store's bytes are
 * read from the guest and listed by the host's keytool: what is judged is the file, and a JVM started in
 * an emulated guest costs a minute of its CPU (it ran twice per check).
 */
async function keytoolList(vm: NodeVm, store: string, password: string): Promise<{ ok: boolean; text: string }> {
    let bytes: Buffer;
    try {
        bytes = await vm.guest.readFile(store);
    } catch (e) {
        return { ok: false, text: `keytool error: ${(e as Error).message}` };
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boot-test-store-"));
    try {
        const file = path.join(dir, path.basename(store));
        fs.writeFileSync(file, bytes);
        const r = spawnSync("keytool", ["-list", "-v", "-keystore", file, "-storepass:env", "KSP"], {
            encoding: "utf8",
            env: { ...process.env, KSP: password },
            timeout: 60_000,
        });
        return { ok: r.status === 0, text: `${r.stdout}${r.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function entries(listing: string): { alias: string; sha256?: string; sigalg?: string; key?: string }[] {
    return listing
        .split(/^Alias name: /m)
        .slice(1)
        .map((block) => ({
            alias: block.split("\n")[0].trim(),
            sha256: /SHA256: ([0-9A-F:]+)/.exec(block)?.[1],
            sigalg: /Signature algorithm name: (\S+)/.exec(block)?.[1],
            key: /Subject Public Key Algorithm: ([^\n]+)/.exec(block)?.[1]?.trim(),
        }));
}

export async function keystoreEntry(vm: NodeVm, ctx: Context, alias: string): Promise<string | undefined> {
    const ks = await keytoolList(vm, `${ctx.plan.productHome}/${ctx.product.layout.keystore}`, ctx.keystorePassword);
    return entries(ks.text).find((e) => e.alias === alias)?.sha256;
}

export async function keystoreReplaced(vm: NodeVm, ctx: Context, keyAlias: string): Promise<{ ok: boolean; evidence: string }> {
    const home = ctx.plan.productHome;
    const ks = await keytoolList(vm, `${home}/${ctx.product.layout.keystore}`, ctx.keystorePassword);
    const ts = await keytoolList(vm, `${home}/${ctx.product.layout.truststore}`, ctx.keystorePassword);
    const problems: string[] = [];
    const why = (text: string) => text.split("\n").find((l) => /keytool error/.test(l))?.trim() ?? text.trim().split("\n")[0];
    if (!ks.ok) problems.push(`the keystore does not open with the cluster's password: ${why(ks.text)}`);
    if (!ts.ok) problems.push(`the truststore does not open with the cluster's password: ${why(ts.text)}`);
    const ke = entries(ks.text);
    const te = entries(ts.text);
    for (const [store, list] of [["keystore", ke], ["truststore", te]] as const) {
        if (list.some((e) => e.alias === "wso2carbon")) problems.push(`the ${store} still has a wso2carbon entry`);
        if (list.some((e) => e.sha256 === ctx.defaultFingerprint)) problems.push(`the ${store} still holds the default certificate`);
    }
    const key = ke.find((e) => e.alias === keyAlias);
    if (ks.ok && !key) problems.push(`the keystore has no ${keyAlias} entry`);
    if (key) {
        const bits = Number(/(\d+)-bit RSA/.exec(key.key ?? "")?.[1] ?? 0);
        if (bits < 3072) problems.push(`${keyAlias} is a ${key.key} key (want RSA of at least 3072 bits)`);
        if (key.sigalg !== "SHA256withRSA") problems.push(`${keyAlias} is signed ${key.sigalg}`);
    }
    // The product serves that certificate.
    const served = await tlsHandshake(vm.fwd.get(ctx.plan.ports.service[0])!);
    if (key && served.fingerprint256 !== key.sha256) problems.push(`port ${ctx.plan.ports.service[0]} serves ${served.fingerprint256 ?? "nothing"}, not ${keyAlias}`);
    if (problems.length) problems.push(`boot log:\n${await bootLogHints(vm, "wso2-keystore|keystore|AccessDenied|denied")}`);
    return {
        ok: problems.length === 0,
        evidence: problems.length
            ? problems.join("; ")
            : `keystore: ${ke.map((e) => e.alias).join(",")} (${key!.key}, ${key!.sigalg}); truststore: ${te.map((e) => e.alias).join(",")}; no wso2carbon entry or default certificate; port ${ctx.plan.ports.service[0]} serves ${keyAlias}`,
    };
}

export async function peerSet(vm: NodeVm): Promise<string[]> {
    const r = await sh(vm, "systemctl start wso2-cluster-peers.service >/dev/null 2>&1; nft -j list set inet wso2 cluster_peers");
    if (r.exitcode !== 0) throw new Error(`cannot read cluster_peers: ${r.stderr.trim()}`);
    const set = JSON.parse(r.stdout).nftables.find((x: any) => x.set)?.set;
    return (set?.elem ?? []).map((e: any) =>
        typeof e === "string" ? e : e.prefix ? `${e.prefix.addr}/${e.prefix.len}` : e.range ? `${e.range[0]}-${e.range[1]}` : JSON.stringify(e),
    );
}

/**
 * Whether the firewall's cluster_peers set admits `address`, as nft itself answers: the set is an interval
 * set with auto-merge, so neighbouring members show as one range.
 */
export async function peerSetHas(vm: NodeVm, address: string): Promise<boolean> {
    if (!/^[0-9.]+$/.test(address)) throw new Error(`bad address ${address}`);
    const r = await sh(vm, `nft get element inet wso2 cluster_peers '{ ${address} }' >/dev/null 2>&1; echo $?`);
    return r.stdout.trim() === "0";
}

/** Whether a refused call was refused for its permissions (not, say, a missing object). */
export function denied(r: { code: string; status: number }): boolean {
    return r.status === 403 || /AccessDenied|Forbidden|not authorized/i.test(r.code);
}
