/**
 * `npm run test:boot`: boots the node's planned user data in Debian 13 VMs (QEMU, TCG) against moto_server
 * with IAM enforcement, runs the [Boot] checks from outside and through the guest agent, and writes
 * out/boot/report.json. Exits non-zero when a check fails.
 *
 * usage: npm run test:boot [-- --only main|negative] [--keep]
 *   main:     node 1 (all checks), node 1 rebooted while node 2 boots, node 2 (joins the cluster, restores
 *             node 1's backup)
 *   negative: the harness catches what it is for: a role without the keystore read, a firewall that drops
 *             the load balancer's source, a distribution whose SHA-256 is wrong: each turns its check red.
 *             They run beside the main scenario, one after another.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DATABASE_NODE_PACKAGES } from "../../components/host/datasources";
import { PRODUCTS } from "../../products";
import * as checks from "./checks";
import type { Check, Context } from "./checks";
import { BootDatabase, databaseConnected, databaseSecrets, pointAtBootDatabase, startBootDatabase } from "./database";
import { Emulator } from "./emulator";
import { ModelService, startModelService } from "./model-service";
import { NodeVm } from "./node";
import { NodePlan, readNodePlan, runPlan } from "./plan";
import { sha256Hex } from "./probes";
import { editWrittenFile, NFTABLES_PATH, nodeEnv, testUserData, withLbSources, writtenFile } from "./userdata";

const REPO = path.resolve(__dirname, "../..");
const OUT = path.join(REPO, "out/boot");
const STACK = "prod";
/** The host as a VM's user-mode network shows it: where forwarded connections come from (the test's load
 * balancer) and the address the guest reaches the host's loopback services at (the database). */
const HOST_FROM_GUEST = "10.0.2.2";
const LB_SOURCE = `${HOST_FROM_GUEST}/32`;
const BOOT_TIMEOUT_SECONDS = Number(process.env.BOOT_TIMEOUT_SECONDS ?? 2400);
const KEY_ALIAS = "wso2node";
/** The clustering peer refresh the test plans with (see planFor in main). */
const PEERS_REFRESH = "hourly";
const NODE_PACKAGES = ["default-jre-headless", "awscli", "auditd", "unattended-upgrades", ...DATABASE_NODE_PACKAGES];

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const keep = args.includes("--keep");

function log(msg: string): void {
    console.log(`boot: ${msg}`);
}

function sh(cmd: string, argv: string[], stderr: "inherit" | "ignore" = "inherit"): string {
    return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", stderr], maxBuffer: 64 << 20 }).trim();
}

/** The stand-in distribution: built once per run, with the product's layout. */
function buildDistribution(plan: NodePlan, dir: string, modelPort: number): { zip: string; sha256: string; defaultFingerprint: string; ciphersByPort: Map<number, string[]> } {
    const product = PRODUCTS[readProductId(plan)];
    const home = path.basename(plan.productHome);
    const toml = writtenFile(plan.cloudConfig, `/etc/wso2/deployment.toml`);
    // Which deployment.toml table sets the protocols and ciphers of each service port.
    const tlsTables: Record<string, string> = {
        servlet: "transport.https.sslHostConfig.properties,protocols,ciphers",
        passthru: "transport.passthru_https.listener.parameters,HttpsProtocols,PreferredCiphers",
    };
    const transportOf = (port: number) => (port === product.trafficPort && product.id === "apim" ? "passthru" : "servlet");
    const layout = [
        `startScript=${product.layout.startScript}`,
        `configFile=${product.layout.configFile}`,
        `keystore=${product.layout.keystore}`,
        `truststore=${product.layout.truststore}`,
        `writableDirs=${product.layout.writableDirs.join(" ")}`,
        `ports=${plan.ports.service.map((p) => `${p}:${transportOf(p)}`).join(",")}`,
        `clusterPorts=${plan.ports.clustering.join(",")}`,
        `healthPaths=${[...new Set(plan.healthChecks.map((h) => h.path))].join(",")}`,
        ...Object.entries(tlsTables).map(([t, v]) => `tls.${t}=${v}`),
        `modelCheck=http://10.0.2.2:${modelPort}/check/${product.id}/${path.basename(plan.productHome).slice(product.distribution.length + 1)}`,
    ].join("\n");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "standin.properties"), layout + "\n");
    const zip = path.join(dir, `${home}.zip`);
    execFileSync(path.join(__dirname, "standin/build-distribution.sh"), [zip, home, path.join(dir, "standin.properties")], { stdio: ["ignore", "ignore", "inherit"] });
    // The default certificate's fingerprint, to prove it is gone from the node.
    const unzipDir = path.join(dir, "unzipped");
    fs.rmSync(unzipDir, { recursive: true, force: true });
    execFileSync("python3", ["-m", "zipfile", "-e", zip, unzipDir]);
    const listing = sh("keytool", ["-list", "-v", "-keystore", path.join(unzipDir, home, product.layout.keystore), "-storepass", "wso2carbon", "-alias", "wso2carbon"], "ignore");
    const defaultFingerprint = /SHA256: ([0-9A-F:]+)/.exec(listing)![1];
    const ciphersByPort = new Map<number, string[]>();
    for (const p of plan.ports.service) {
        const [table, , key] = tlsTables[transportOf(p)].split(",");
        const section = toml.split(/^\[/m).find((s) => s.startsWith(`${table}]`)) ?? "";
        const m = new RegExp(`^${key} = "([^"]*)"`, "m").exec(section);
        ciphersByPort.set(p, m ? m[1].split(",").map((c) => c.trim()) : []);
    }
    return { zip, sha256: sha256Hex(fs.readFileSync(zip)), defaultFingerprint, ciphersByPort };
}

function readProductId(plan: NodePlan): keyof typeof PRODUCTS {
    const id = Object.values(PRODUCTS).find((p) => plan.productHome.includes(`/${p.distribution}-`))?.id;
    if (!id) throw new Error(`no product with the home ${plan.productHome}`);
    return id;
}

/** The planned policy without any grant on `arn` (for the negative run). */
function withoutResource(policy: any, arn: string): any {
    const statements = policy.Statement.map((s: any) => {
        const res = ([] as string[]).concat(s.Resource);
        return res.includes(arn) ? { ...s, Resource: res.filter((r) => r !== arn) } : s;
    }).filter((s: any) => ([] as string[]).concat(s.Resource).length > 0);
    return { ...policy, Statement: statements };
}

interface NodeSpec {
    name: string;
    privateIp: string;
    role: string;
}

async function main(): Promise<number> {
    const started = Date.now();
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    const results: Check[] = [];
    const timings: Record<string, number> = {};
    const lap = (name: string, since: number) => (timings[name] = Math.round((Date.now() - since) / 1000));
    const vms: NodeVm[] = [];
    const emu = new Emulator();
    let model: ModelService | undefined;
    let db: BootDatabase | undefined;
    // Interrupted (Ctrl-C, CI's timeout): everything started is still stopped, by its pid.
    const onSignal = (signal: NodeJS.Signals) => {
        log(`${signal}: stopping the VMs, the emulator and the database`);
        for (const vm of vms) {
            try {
                vm.stop();
            } catch (e) {
                console.error(`stopping ${vm.opts.name}: ${(e as Error).message}`);
            }
        }
        emu.kill();
        db?.pg.kill();
        process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        model = await startModelService();
        // 1. The image (cached) and a first plan, to learn the product and its layout.
        let t = Date.now();
        const image = sh(path.join(__dirname, "build-image.sh"), NODE_PACKAGES);
        lap("image", t);
        t = Date.now();
        runPlan(STACK, path.join(OUT, "plan-layout"), {});
        const layoutPlan = readNodePlan(STACK, path.join(OUT, "plan-layout"));
        const product = PRODUCTS[readProductId(layoutPlan)];
        const dist = buildDistribution(layoutPlan, path.join(OUT, "distribution"), model.port);
        const distUri = `s3://${layoutPlan.clusterName}-distribution-boot-test/${path.basename(dist.zip)}`;
        // 2. The plan the nodes boot: the project's stack, with the stand-in as its distribution, and the
        // clustering peer refresh hourly instead of every minute: each refresh starts the AWS CLI, about 20 s
        // of an emulated CPU, so the default kept a node's CPU 40% busy from the end of its boot. The checks
        // run the refresh themselves where they read the peer set.
        const planFor = (sha256: string, dir: string) => {
            runPlan(STACK, path.join(OUT, dir), {
                "wso2-hardening:distributionS3Uri": distUri,
                "wso2-hardening:distributionSha256": sha256,
                "wso2-hardening:clusterPeersRefresh": PEERS_REFRESH,
            });
            return readNodePlan(STACK, path.join(OUT, dir));
        };
        const plan = planFor(dist.sha256, "plan");
        lap("plan-and-distribution", t);

        // 3. The shared database, when the plan has one: a real PostgreSQL on the host.
        t = Date.now();
        const settings = nodeEnv(plan.cloudConfig);
        if (settings.DB_HOST) {
            if (!plan.databaseMasterUsername) throw new Error("the node has database settings but the plan has no RDS instance");
            db = await startBootDatabase(settings, plan.databaseMasterUsername, HOST_FROM_GUEST);
            lap("database", t);
        }

        // 4. The emulator with what the plan says exists, plus another cluster's secret and backup.
        t = Date.now();
        await emu.start(path.join(OUT, "moto.log"));
        const keystorePassword = `ks-${sha256Hex(String(Date.now())).slice(0, 20)}`;
        const keystoreSecret = plan.secrets.find((s) => /keystore/i.test(s.name));
        const adminSecret = plan.secrets.find((s) => /admin/i.test(s.name));
        if (!keystoreSecret || !adminSecret) throw new Error("the plan has no keystore or admin secret");
        const otherSecretName = "wso2-staging-credentials-keystore-0a1b2c";
        const otherClusterBackupKey = "nodes/wso2-staging/i-0123456789abcdef0/wso2-backup-20260101T000000Z.tar.gz";
        const nodes: NodeSpec[] = [
            { name: "node1", privateIp: "10.0.2.15", role: plan.role.name },
            { name: "node2", privateIp: "10.0.2.16", role: plan.role.name },
            { name: "neg-keystore-read", privateIp: "10.0.2.17", role: `${plan.role.name}-no-keystore-read` },
            { name: "neg-lb-source", privateIp: "10.0.2.18", role: plan.role.name },
            { name: "neg-checksum", privateIp: "10.0.2.19", role: plan.role.name },
        ];
        const setup = emu.setup({
            region: plan.region,
            roles: [
                { name: plan.role.name, policies: plan.role.policies },
                {
                    name: `${plan.role.name}-no-keystore-read`,
                    policies: plan.role.policies.map((p) => ({ name: p.name, document: withoutResource(p.document, keystoreSecret.arn) })),
                },
            ],
            kmsKeys: plan.kmsKeyIds,
            buckets: [...plan.buckets.filter((b) => !b.region || b.region === plan.region), { name: distUri.split("/")[2] }],
            secrets: [
                { name: keystoreSecret.name, value: JSON.stringify({ password: keystorePassword }) },
                { name: adminSecret.name, value: JSON.stringify({ username: "wso2admin", password: `adm-${sha256Hex("a" + Date.now()).slice(0, 20)}` }) },
                { name: otherSecretName, value: JSON.stringify({ password: "another-clusters-password" }) },
                ...(db ? databaseSecrets(db) : []),
            ],
            objects: [
                { bucket: distUri.split("/")[2], key: distUri.split("/").slice(3).join("/"), file: dist.zip },
                { bucket: plan.backupBucket, key: otherClusterBackupKey, body: "another cluster's backup" },
                ...plan.objects,
            ],
            instances: nodes.map((n) => ({ name: n.name, privateIp: n.privateIp, role: n.role, tags: plan.instanceTags })),
        });
        lap("emulator", t);
        const otherClusterSecretArn = `arn:aws:secretsmanager:${plan.region}:123456789012:secret:${otherSecretName}`;
        const instanceIds = Object.fromEntries(nodes.map((n) => [n.name, setup.instances[n.name].instanceId]));
        const ctx: Context = {
            plan,
            product,
            emu,
            awsEnv: `AWS_ENDPOINT_URL=${emu.guestEndpoint}`,
            keystorePassword,
            defaultFingerprint: dist.defaultFingerprint,
            ruleset: withLbSources(writtenFile(plan.cloudConfig, NFTABLES_PATH), [LB_SOURCE]),
            addresses: Object.fromEntries(nodes.map((n) => [n.name, n.privateIp])),
            instanceIds,
            credentials: Object.fromEntries(nodes.map((n) => [n.name, setup.instances[n.name].credentials])),
            otherClusterSecretArn,
            otherClusterBackupKey,
        };

        const boot = async (name: string, cloudConfig: string): Promise<NodeVm> => {
            const n = nodes.find((x) => x.name === name)!;
            const creds = setup.instances[name].credentials;
            const vm = await NodeVm.start({
                name,
                runRoot: path.join(OUT, "vms"),
                image,
                userData: testUserData(cloudConfig, emu.guestEndpoint),
                instanceId: instanceIds[name],
                metadata: {
                    "/latest/meta-data/instance-id": instanceIds[name],
                    "/latest/meta-data/local-ipv4": n.privateIp,
                    "/latest/meta-data/placement/region": plan.region,
                    "/latest/meta-data/iam/security-credentials/": n.role,
                    [`/latest/meta-data/iam/security-credentials/${n.role}`]: creds,
                },
                ports: [...plan.ports.service, ...plan.ports.clustering, 22],
                otherSourcePorts: plan.ports.service,
                bootTimeoutSeconds: BOOT_TIMEOUT_SECONDS,
            });
            vms.push(vm);
            return vm;
        };
        // What differs in the test: the load balancer's source, and the database's address and CA.
        const testConfig = (cloudConfig: string) => {
            const withLb = editWrittenFile(cloudConfig, NFTABLES_PATH, () => ctx.ruleset);
            return db ? pointAtBootDatabase(withLb, settings, db, HOST_FROM_GUEST, fs.readFileSync(db.pg.ca, "utf8")) : withLb;
        };
        const nodeConfig = testConfig(plan.cloudConfig);

        // The negative runs go beside the main scenario, one after another: they are off its critical path
        // (node 1's boot, then node 2's) and fill the core it leaves idle. One at a time: with npm test
        // beside (test:all), more VMs left each guest so little CPU that its own timeouts fired (systemd's
        // daemon-reload bus call, the JDBC driver's TLS answer) and checks failed for the host's reasons.
        const negatives = only !== "main" ? negativeScenarios(ctx, boot, planFor, testConfig, nodeConfig, timings, dist.sha256) : undefined;
        // Keep the main scenario going when a negative run's harness fails; its error is reported below.
        negatives?.catch(() => undefined);
        if (only !== "negative") await mainScenario(ctx, boot, nodeConfig, results, timings, dist.ciphersByPort, db);
        if (negatives) results.push(...(await negatives));
    } catch (e) {
        results.push({ name: "harness", ok: false, evidence: (e as Error).stack ?? String(e) });
        console.error(e);
    } finally {
        for (const vm of vms) {
            try {
                vm.stop();
            } catch (e) {
                console.error(`stopping ${vm.opts.name}: ${(e as Error).message}`);
            }
        }
        await emu.stop();
        await model?.close();
        await db?.pg.stop();
        if (!keep) fs.rmSync(path.join(OUT, "vms"), { recursive: true, force: true, maxRetries: 3 });
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    fs.writeFileSync(path.join(OUT, "report.json"), JSON.stringify({ seconds, timings, checks: results, configModel: model?.verdicts ?? [] }, null, 2) + "\n");
    const failed = results.filter((c) => !c.ok);
    log(`${results.length - failed.length}/${results.length} checks ok in ${seconds} s; report: out/boot/report.json`);
    for (const c of failed) log(`FAILED ${c.name}: ${c.evidence}`);
    return failed.length ? 1 : 0;
}

type Boot = (name: string, cloudConfig: string) => Promise<NodeVm>;

const MAIN_CHECKS = [
    "cloud-init-done",
    "user-and-modes",
    "firewall-loaded",
    "health-check",
    "firewall-probes",
    "tls-min-1.2",
    "keystore-replaced",
    "backup-written",
    "iam-denies",
    "database-connected",
    "second-node-joins",
    "restore-identical",
    "service-sandboxed",
    "reboot-idempotent",
];

async function mainScenario(
    ctx: Context,
    boot: Boot,
    nodeConfig: string,
    results: Check[],
    timings: Record<string, number>,
    ciphersByPort: Map<number, string[]>,
    db: BootDatabase | undefined,
): Promise<void> {
    const add = async (name: string, fn: () => Promise<{ ok: boolean; evidence: string }>) => results.push(await checks.run(name, fn));
    let t = Date.now();
    const node1 = await boot("node1", nodeConfig);
    try {
        log(`node1 booted: ${await node1.waitBoot()}`);
    } catch (e) {
        // Without a finished first boot no check can see anything: each says so.
        const hints = (await node1.guest.sh("tail -n 15 /var/log/cloud-init-output.log").catch(() => ({ stdout: "" }))).stdout.trim();
        for (const name of MAIN_CHECKS) results.push({ name, ok: false, evidence: `node1 did not finish its first boot: ${(e as Error).message}\n${hints}` });
        return;
    }
    timings["node1-boot"] = Math.round((Date.now() - t) / 1000);
    // Node 2 boots while node 1 is checked: it needs only the cluster keystore node 1 has stored.
    t = Date.now();
    const node2 = await boot("node2", nodeConfig);
    const node2Booted = node2.waitBoot().then(
        (m) => {
            timings["node2-boot"] = Math.round((Date.now() - t) / 1000);
            log(`node2 booted: ${m}`);
            return "";
        },
        (e: Error) => e.message,
    );

    await add("cloud-init-done", () => checks.cloudInitDone(node1));
    await add("user-and-modes", () => checks.userAndModes(node1, ctx));
    await add("firewall-loaded", () => checks.firewallLoaded(node1, ctx));
    await add("health-check", () => waitHealthy(node1, ctx));
    await add("firewall-probes", () => checks.firewallProbes(node1, ctx));
    await add("tls-min-1.2", () => checks.tlsMin12(node1, ctx, ciphersByPort));
    await add("keystore-replaced", () => checks.keystoreReplaced(node1, ctx, KEY_ALIAS));
    await add("backup-written", () => backupWritten(node1, ctx));
    // What the backup holds, as node 1 has it now: the reboot below restarts the product, whose secrets step
    // re-encrypts deployment.toml (fresh padding), so node 1's files are compared before it.
    const backedUp = await backedUpFiles(node1, ctx).catch((e: Error) => e);
    await add("iam-denies", () => iamDenies(ctx));
    await add("database-connected", async () =>
        db ? databaseConnected(node1, db) : { ok: false, evidence: `the plan of ${ctx.plan.stack} has no shared database for the node` },
    );
    await add("service-sandboxed", () => checks.serviceSandboxed(node1, ctx));
    // Node 1 reboots while node 2 still boots; node 2 restores node 1's backup as soon as it has booted
    // (it needs nothing of node 1 but the backup); the check that needs both nodes runs after.
    t = Date.now();
    const rebooted = checks.run("reboot-idempotent", () => rebootIdempotent(node1, ctx)).then((c) => {
        timings["node1-reboot"] = Math.round((Date.now() - t) / 1000);
        return c;
    });
    const restored = node2Booted.then((node2Failure) =>
        checks.run("restore-identical", async () => {
            if (node2Failure) return { ok: false, evidence: `node2 did not finish its first boot: ${node2Failure}` };
            if (backedUp instanceof Error) return { ok: false, evidence: `cannot describe node1's backed-up files: ${backedUp.message}` };
            return restoreIdentical(backedUp, node2, ctx);
        }),
    );
    results.push(...(await Promise.all([rebooted, restored])));

    const node2Failure = await node2Booted;
    await add("second-node-joins", async () => {
        if (node2Failure) return { ok: false, evidence: `node2 did not finish its first boot: ${node2Failure}` };
        const c = await checks.cloudInitDone(node2);
        if (!c.ok) return { ok: false, evidence: `node2 did not boot cleanly: ${c.evidence}` };
        // Each node's peer refresh runs in its own guest: both at once.
        const [fp1, fp2, peers1, peers2] = await Promise.all([
            checks.keystoreEntry(node1, ctx, KEY_ALIAS),
            checks.keystoreEntry(node2, ctx, KEY_ALIAS),
            checks.peerSet(node1),
            checks.peerSet(node2),
        ]);
        const problems: string[] = [];
        if (!fp1 || fp1 !== fp2) problems.push(`keystore ${KEY_ALIAS}: node1 ${fp1}, node2 ${fp2}`);
        if (!(await checks.peerSetHas(node1, ctx.addresses.node2))) problems.push(`node1's cluster_peers ${JSON.stringify(peers1)} lacks node2 (${ctx.addresses.node2})`);
        if (!(await checks.peerSetHas(node2, ctx.addresses.node1))) problems.push(`node2's cluster_peers ${JSON.stringify(peers2)} lacks node1 (${ctx.addresses.node1})`);
        return {
            ok: problems.length === 0,
            evidence: problems.length ? problems.join("; ") : `both nodes serve ${KEY_ALIAS} ${fp1?.slice(0, 23)}…; node1 peers ${peers1.join(",")}; node2 peers ${peers2.join(",")}`,
        };
    });
}

/** The load balancer's health check, retried while the product starts (bounded). */
async function waitHealthy(vm: NodeVm, ctx: Context): Promise<{ ok: boolean; evidence: string }> {
    // The product's start (the secrets step's AWS calls and cipher tool, the JVM, the datasources) takes
    // minutes on an emulated CPU shared with other VMs.
    const until = Date.now() + 300_000;
    let last = await checks.healthCheck(vm, ctx);
    while (!last.ok && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 5000));
        last = await checks.healthCheck(vm, ctx);
    }
    if (!last.ok) {
        const st = await vm.guest.sh("systemctl status --no-pager -n 5 wso2.service 2>&1 | tail -n 8");
        return { ok: false, evidence: `${last.evidence}\n${st.stdout.trim()}` };
    }
    return last;
}

/** Waits (bounded) until the product listens on every one of `ports` inside the guest: a boot ends once the
 * product's unit has started, and the product opens its ports later (minutes on an emulated CPU). Without
 * it the firewall probes could prove nothing. */
async function waitListening(vm: NodeVm, ports: number[], ms: number): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
        const r = await vm.guest.sh("ss -Htln");
        const open = new Set([...r.stdout.matchAll(/:(\d+)\s/g)].map((m) => Number(m[1])));
        if (ports.every((p) => open.has(p))) return;
        if (Date.now() > until) throw new Error(`${vm.opts.name}: ports ${ports.filter((p) => !open.has(p)).join(", ")} not listening within ${ms / 1000} s`);
        await new Promise((r) => setTimeout(r, 5000));
    }
}

async function backupWritten(vm: NodeVm, ctx: Context): Promise<{ ok: boolean; evidence: string }> {
    const r = await vm.guest.sh(
        "systemctl is-enabled wso2-backup.timer; systemctl is-active wso2-backup.timer; systemctl start wso2-backup.service; echo rc=$?; systemctl show -p Result --value wso2-backup.service",
        600_000,
    );
    const [enabled, active] = r.stdout.trim().split("\n");
    const problems: string[] = [];
    if (enabled !== "enabled" || active !== "active") problems.push(`wso2-backup.timer ${enabled}/${active}`);
    if (!r.stdout.includes("rc=0")) {
        const j = await vm.guest.sh("journalctl -u wso2-backup.service --no-pager -n 8 -o cat");
        return { ok: false, evidence: `${problems.join("; ")} wso2-backup.service failed: ${j.stdout.trim()}` };
    }
    const prefix = `nodes/${ctx.plan.clusterName}/${ctx.instanceIds.node1}/`;
    const listed = ctx.emu.call("s3", "list_objects_v2", { Bucket: ctx.plan.backupBucket, Prefix: prefix.replace(/nodes\/[^/]+\/[^/]+\/$/, "") });
    const keys: string[] = (listed.Contents ?? []).map((o: any) => o.Key);
    const archive = keys.find((k) => /wso2-backup-[0-9TZ]+\.tar\.gz$/.test(k) && k.includes(ctx.instanceIds.node1));
    if (!archive) return { ok: false, evidence: `${problems.join("; ")} no backup archive of ${ctx.instanceIds.node1} in s3://${ctx.plan.backupBucket}: ${keys.join(", ")}` };
    const underPrefix = archive.startsWith(prefix) || archive.includes(`/${ctx.instanceIds.node1}/`);
    if (!underPrefix) problems.push(`${archive} is not under the node's prefix ${prefix}`);
    const head = ctx.emu.call("s3", "head_object", { Bucket: ctx.plan.backupBucket, Key: archive });
    if (head.ServerSideEncryption !== "aws:kms" || head.SSEKMSKeyId !== ctx.plan.backupKeyArn) {
        problems.push(`${archive} is stored ${head.ServerSideEncryption ?? "unencrypted"} with ${head.SSEKMSKeyId ?? "no key"} (want aws:kms with ${ctx.plan.backupKeyArn})`);
    }
    const body = Buffer.from(ctx.emu.call("s3", "get_object", { Bucket: ctx.plan.backupBucket, Key: archive }).BodyBase64, "base64");
    const sumKey = keys.find((k) => k === `${archive}.sha256`);
    const sum = sumKey ? Buffer.from(ctx.emu.call("s3", "get_object", { Bucket: ctx.plan.backupBucket, Key: sumKey }).BodyBase64, "base64").toString().split(/\s+/)[0] : "";
    if (sum !== sha256Hex(body)) problems.push(`${archive}: SHA-256 ${sha256Hex(body)} does not match its .sha256 (${sum || "missing"})`);
    return {
        ok: problems.length === 0,
        evidence: problems.length ? problems.join("; ") : `s3://${ctx.plan.backupBucket}/${archive} (${body.length} bytes), aws:kms with ${ctx.plan.backupKeyArn.split("/").pop()}, SHA-256 matches; timer enabled and active`,
    };
}

/**
 * The node's own credentials (the role session its metadata service serves) asking for what its role must
 * be refused, with a control call it must be allowed. Asked from the host: the emulator judges the signed
 * request against the role's policies, not where it comes from, and an AWS CLI started in an emulated guest
 * costs a minute of its CPU per call.
 */
async function iamDenies(ctx: Context): Promise<{ ok: boolean; evidence: string }> {
    const bucket = ctx.plan.backupBucket;
    const creds = ctx.credentials.node1;
    const as = (service: string, operation: string, params: object) => ctx.emu.callAs(creds, ctx.plan.region, service, operation, params);
    const own = (ctx.emu.call("s3", "list_objects_v2", { Bucket: bucket }).Contents ?? []).map((o: any) => o.Key).find((k: string) => k.includes(ctx.instanceIds.node1));
    const keystoreArn = ctx.plan.secrets.find((s) => /keystore/i.test(s.name))!.arn;
    const problems: string[] = [];
    const seen: string[] = [];
    const control = as("secretsmanager", "get_secret_value", { SecretId: keystoreArn });
    if (!control.ok) problems.push(`control: the node cannot read its own keystore secret either (${control.code}: ${control.message.slice(0, 200)}), so refusals prove nothing`);
    const attempts: [string, string, string, object][] = [
        ["read another cluster's secret", "secretsmanager", "get_secret_value", { SecretId: ctx.otherClusterSecretArn }],
        ["read another cluster's node backups", "s3", "get_object", { Bucket: bucket, Key: ctx.otherClusterBackupKey }],
        ["delete a backup", "s3", "delete_object", { Bucket: bucket, Key: own ?? `nodes/${ctx.plan.clusterName}/${ctx.instanceIds.node1}/missing` }],
    ];
    for (const [what, service, operation, params] of attempts) {
        const r = as(service, operation, params);
        if (!r.ok && checks.denied(r)) seen.push(`${what}: ${r.status}${r.code && r.code !== String(r.status) ? ` ${r.code}` : ""}`);
        else problems.push(`${what}: not refused (${r.ok ? "answered" : `${r.status} ${r.code}: ${r.message.slice(0, 200)}`})`);
    }
    if (own) {
        const still = ctx.emu.call("s3", "list_objects_v2", { Bucket: bucket, Prefix: own }).KeyCount;
        if (!still) problems.push(`${own} is gone after the refused delete`);
    } else problems.push("no own backup to try deleting (backup-written failed)");
    return { ok: problems.length === 0, evidence: problems.length ? problems.join("; ") : `own secret readable; ${seen.join("; ")}` };
}

/** Owner, mode, path and SHA-256 of each file under `base` named (relative to it) in `files`, by path. */
async function describeFiles(vm: NodeVm, base: string, files: string[]): Promise<Map<string, string>> {
    const list = files.join("\n") + "\n";
    const r = await vm.guest.sh(
        `printf %s ${"'" + list.replace(/'/g, `'\\''`) + "'"} | (cd ${base} && while IFS= read -r f; do printf '%s %s ' "$(stat -c '%U:%G %a' "$f")" "$f"; sha256sum < "$f" | cut -d' ' -f1; done)`,
    );
    const lines = r.stdout.trim().split("\n").filter(Boolean);
    return new Map(lines.map((l) => [l.split(" ")[2], l]));
}

/** The files under `base` (relative paths, sorted) below the given relative paths, or everything. */
async function listFiles(vm: NodeVm, base: string, paths: string[] = ["."]): Promise<string[]> {
    const r = await vm.guest.sh(`cd ${base} && find ${paths.join(" ")} \\( -type f -o -type l \\) 2>/dev/null | sed 's|^\\./||' | LC_ALL=C sort`);
    return r.stdout.trim().split("\n").filter(Boolean);
}

/** Every file the backup step archives (BACKUP_PATHS and the database export directory when present), as the
 * node has it now. */
async function backedUpFiles(vm: NodeVm, ctx: Context): Promise<Map<string, string>> {
    const settings = nodeEnv(ctx.plan.cloudConfig);
    const paths = [...settings.BACKUP_PATHS.split(" "), ...(settings.DB_EXPORT_DIR ? [settings.DB_EXPORT_DIR.replace(/^\//, "")] : [])];
    const files = await listFiles(vm, "/", paths);
    if (!files.length) throw new Error(`no files under ${paths.join(" ")}`);
    return describeFiles(vm, "/", files);
}

async function restoreIdentical(source: Map<string, string>, fresh: NodeVm, ctx: Context): Promise<{ ok: boolean; evidence: string }> {
    const root = "/var/tmp/boot-test-restore";
    const r = await fresh.guest.sh(`export ${ctx.awsEnv}; rm -rf ${root}; mkdir -p ${root}; RESTORE_ROOT=${root} /usr/local/sbin/wso2-restore --node ${ctx.instanceIds.node1} 2>&1`, 600_000);
    if (r.exitcode !== 0) return { ok: false, evidence: `wso2-restore on a fresh VM (node2) failed (exit ${r.exitcode}): ${r.stdout.trim().slice(-600)}` };
    // Every restored file, its bytes and its owner and mode, against node 1's at backup time.
    const files = await listFiles(fresh, root);
    if (!files.length) return { ok: false, evidence: "the restore wrote no files" };
    const restored = await describeFiles(fresh, root, files);
    const problems: string[] = [];
    for (const [file, line] of restored) if (source.get(file) !== line) problems.push(`${line} (node1: ${source.get(file) ?? "absent"})`);
    for (const file of source.keys()) if (!restored.has(file)) problems.push(`${file} not restored`);
    return {
        ok: problems.length === 0,
        evidence: problems.length
            ? `${problems.length} of ${source.size} backed-up files differ: ${problems.slice(0, 3).join(" | ")}`
            : `node2 restored node1's latest backup: ${files.length} files identical in bytes, owner and mode to node1's at backup time (${r.stdout.trim().split("\n").pop()})`,
    };
}

async function snapshot(vm: NodeVm, ctx: Context): Promise<string> {
    const home = ctx.plan.productHome;
    const runtime = ctx.product.layout.writableDirs.map((d) => `-path ${home}/${d} -prune -o`).join(" ");
    const r = await vm.guest.sh(
        [
            // Contents of everything the boot wrote, except the product's configuration, which the secrets
            // step re-encrypts at every start (fresh padding), and the product's runtime directories.
            `find /etc/wso2 /usr/local/sbin /etc/systemd/system /etc/nftables.conf ${home} ${runtime} -path ${home}/${ctx.product.layout.configFile} -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum`,
            `find ${home} /etc/wso2 -printf '%m %u %g %p\\n' | grep -v -e '/repository/logs/' -e '/tmp/' | LC_ALL=C sort`,
            "getent passwd wso2; getent group wso2; id wso2",
            "nft list table inet wso2 | sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/'",
            "systemctl is-enabled wso2.service wso2-backup.timer nftables.service ssh.service 2>&1",
        ].join("; "),
    );
    return r.stdout;
}

async function rebootIdempotent(vm: NodeVm, ctx: Context): Promise<{ ok: boolean; evidence: string }> {
    const before = await snapshot(vm, ctx);
    await vm.guest.sh("systemd-run --on-active=2 systemctl reboot >/dev/null 2>&1; echo scheduled");
    const marker = await vm.waitBoot();
    const health = await waitHealthy(vm, ctx);
    const after = await snapshot(vm, ctx);
    const ci = await checks.cloudInitDone(vm);
    const a = before.split("\n");
    const b = after.split("\n");
    const changed = [...b.filter((l) => !a.includes(l)).map((l) => `+ ${l}`), ...a.filter((l) => !b.includes(l)).map((l) => `- ${l}`)];
    const problems: string[] = [];
    if (changed.length) problems.push(`${changed.length} lines changed across the reboot: ${changed.slice(0, 6).join(" | ")}`);
    if (!health.ok) problems.push(`not healthy after the reboot: ${health.evidence}`);
    if (!ci.ok) problems.push(`cloud-init after the reboot: ${ci.evidence}`);
    return {
        ok: problems.length === 0,
        evidence: problems.length ? problems.join("; ") : `rebooted (${marker}); files, owners, modes, user, ruleset and enabled units unchanged; ${health.evidence}`,
    };
}

/** The negative runs, one after another (the shortest first), each its own VM, checked as soon as its boot
 * ends and then stopped. Resolves with their checks. */
async function negativeScenarios(
    ctx: Context,
    boot: Boot,
    planFor: (sha256: string, dir: string) => NodePlan,
    testConfig: (cloudConfig: string) => string,
    nodeConfig: string,
    timings: Record<string, number>,
    goodSha256: string,
): Promise<Check[]> {
    const badSha = sha256Hex("not the distribution " + goodSha256);
    const badPlan = planFor(badSha, "plan-bad-checksum");
    const badConfig = testConfig(badPlan.cloudConfig);
    const planned = writtenFile(ctx.plan.cloudConfig, NFTABLES_PATH);
    const lbDropped = editWrittenFile(nodeConfig, NFTABLES_PATH, () => planned);
    const lbCtx = { ...ctx, ruleset: planned };
    /** Boots one negative VM, waits for `ready` when given, runs its checks expecting each red with the
     * matching reason, stops it. */
    const negative = async (
        vmName: string,
        cloudConfig: string,
        expectations: [string, (vm: NodeVm) => Promise<{ ok: boolean; evidence: string }>, RegExp][],
        ready?: (vm: NodeVm) => Promise<void>,
    ) => {
        const t = Date.now();
        const vm = await boot(vmName, cloudConfig);
        try {
            log(`${vmName} booted: ${await vm.waitBoot()}`);
            await ready?.(vm);
        } catch (e) {
            log(`negative run ${vmName}: ${(e as Error).message}`);
        }
        timings[`${vmName}-boot`] = Math.round((Date.now() - t) / 1000);
        const found: Check[] = [];
        for (const [name, check, mustMention] of expectations) {
            found.push(
                await checks.run(name, async () => {
                    const c = await check(vm);
                    const ok = !c.ok && mustMention.test(c.evidence);
                    return { ok, evidence: `${c.ok ? "check stayed green" : "check red"}: ${c.evidence}` };
                }),
            );
        }
        vm.stop();
        return found;
    };
    return [
        ...(await negative("neg-checksum", badConfig, [["negative: wrong distribution SHA-256 -> cloud-init-done red", (vm) => checks.cloudInitDone(vm), /SHA-256/]])),
        ...(await negative("neg-keystore-read", nodeConfig, [
            ["negative: role without the keystore read -> keystore-replaced red", (vm) => checks.keystoreReplaced(vm, ctx, KEY_ALIAS), /AccessDenied|not authorized/],
        ])),
        ...(await negative("neg-lb-source", lbDropped, [
            ["negative: firewall drops the load balancer's source -> health-check red", (vm) => checks.healthCheck(vm, lbCtx), /from the load balancer's source failed/],
            ["negative: firewall drops the load balancer's source -> firewall-probes red", (vm) => checks.firewallProbes(vm, lbCtx), /refused the load balancer's source/],
        ], (vm) => waitListening(vm, ctx.plan.ports.service, 300_000))),
    ];
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
