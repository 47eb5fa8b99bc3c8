/**
 * The rendered node files judged by the tools that read them: cloud-init's schema, shellcheck,
 * systemd-analyze, a TOML parser; plus the artifact contract the plan relies on.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import {
    DB_LIB,
    heapSizeMiB,
    HOST_SCRIPTS,
    NODE_LIB,
    JVM_SECURITY_FLAGS,
    LOG_PATTERN,
    NODE_ENV_FILE,
    NODE_SCRIPT_DIR,
    nodeScriptFile,
    renderDeploymentToml,
    renderNodeBoot,
    renderSiDeploymentYaml,
    renderWso2Unit,
    SECURE_VAULT_ALIASES,
    STRONG_TLS_CIPHERS,
    TOMCAT_URI_HARDENING,
} from "../../components/host";
import { productModel } from "../../products/model";
import { PRODUCTS } from "../../products";
import type { ProductId } from "../../config/settings";
import { nodeInput } from "./fixtures";
import { encodeUserData } from "../../components/aws/nodes";

/** A shared database as the cluster passes it to its nodes. */
const TEST_DATABASE = {
    host: "wso2-prod-db.abcdefghijkl.eu-west-1.rds.amazonaws.com",
    port: 5432,
    databases: { apim_db: "wso2am_db", shared_db: "wso2shared_db", identity_db: "wso2identity_db" },
    masterSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0123-AbCdEf",
    runtimeSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wso2-prod/db-runtime-AbCdEf",
    runtimeUsername: "wso2_runtime",
};
import { requireTool, run, tempDir } from "./helpers";

const PRODUCT_IDS: ProductId[] = ["apim", "mi", "is", "si"];

interface WrittenFile {
    path: string;
    content: string;
    permissions: string;
    owner: string;
}

describe("host renderers (cloud-init schema, shellcheck, systemd-analyze, TOML)", function () {
    this.timeout(60000);
    let dir = "";
    before(() => {
        dir = tempDir("render");
    });
    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const id of PRODUCT_IDS) {
        describe(id, function () {
            const boot = renderNodeBoot(nodeInput(id));

            it("cloud-init schema accepts the user data", function () {
                requireTool("cloud-init");
                assert.ok(boot.userData.startsWith("#cloud-config\n"));
                const file = path.join(dir, `${id}-cloud-config.yaml`);
                fs.writeFileSync(file, boot.userData);
                const r = run("cloud-init", ["schema", "--config-file", file]);
                assert.equal(r.status, 0, r.stdout + r.stderr);
                assert.match(r.stdout, /Valid cloud-config/);
            });

            it("every file the cloud-config writes is an artifact with the same content, path <cluster>/<name>", function () {
                const doc = parseYaml(boot.userData) as { write_files: WrittenFile[]; runcmd: string[][] };
                const byHostPath = new Map(
                    boot.artifacts.filter((a) => a.kind !== "cloud-config" && a.kind !== "steps-bundle" && a.meta?.delivery !== "steps-bundle").map((a) => [a.meta?.hostPath as string, a]),
                );
                assert.equal(byHostPath.size, doc.write_files.length);
                for (const f of doc.write_files) {
                    const a = byHostPath.get(f.path);
                    assert.ok(a, `no artifact for ${f.path}`);
                    assert.equal(a!.content, f.content, f.path);
                    assert.equal(a!.path, `wso2-prod/${path.basename(f.path)}`);
                }
                const cc = boot.artifacts.filter((a) => a.kind === "cloud-config");
                assert.equal(cc.length, 1);
                assert.equal(cc[0].content, boot.userData);
                assert.equal(new Set(boot.artifacts.map((a) => a.path)).size, boot.artifacts.length, "artifact paths are unique");
                // Steps run from the files written above.
                const written = new Set(doc.write_files.map((f) => f.path));
                for (const cmd of doc.runcmd) if (cmd[0].startsWith("/usr/local/sbin/")) assert.ok(written.has(cmd[0]), cmd[0]);
            });

            it("the steps after the fetch step travel in the bundle the settings name by SHA-256, and the user data keeps EC2's 16 KiB with room", function () {
                requireTool("tar");
                const doc = parseYaml(boot.userData) as { write_files: WrittenFile[] };
                const written = new Set(doc.write_files.map((f) => f.path));
                const bundled = boot.artifacts.filter((a) => a.meta?.delivery === "steps-bundle");
                assert.ok(bundled.length >= 8);
                for (const a of bundled) assert.ok(!written.has(a.meta!.hostPath as string), `${a.path} is in the user data and the bundle`);
                for (const p of [HOST_SCRIPTS.boot, HOST_SCRIPTS.installPackages, HOST_SCRIPTS.fetchSteps, NODE_LIB, NODE_ENV_FILE]) assert.ok(written.has(p), p);
                // The real tar unpacks exactly the bundled artifacts, byte for byte, with their modes.
                const root = path.join(dir, `${id}-steps`);
                fs.mkdirSync(root);
                const archive = path.join(dir, `${id}-steps.tar.gz`);
                fs.writeFileSync(archive, boot.stepsBundle.content);
                const x = run("tar", ["-xzf", archive, "-C", root, "--no-same-owner"]);
                assert.equal(x.status, 0, x.stderr);
                for (const a of bundled) {
                    const file = path.join(root, (a.meta!.hostPath as string).slice(1));
                    assert.equal(fs.readFileSync(file, "utf8"), a.content, a.path);
                    assert.equal(fs.statSync(file).mode & 0o777, a.meta!.hostPath === DB_LIB ? 0o644 : 0o755, a.path);
                }
                const listed = run("tar", ["-tzf", archive]).stdout.trim().split("\n");
                assert.equal(listed.length, bundled.length);
                const artifact = boot.artifacts.find((a) => a.kind === "steps-bundle")!;
                assert.equal(Buffer.from(artifact.content, "base64").compare(boot.stepsBundle.content), 0);
                // The settings name the bundle's object and checksum; the fetch step runs before any bundled step.
                const env = boot.artifacts.find((a) => a.meta?.hostPath === NODE_ENV_FILE)!.content;
                assert.match(env, new RegExp(`^STEPS_SHA256='${createHash("sha256").update(boot.stepsBundle.content).digest("hex")}'$`, "m"));
                assert.match(env, new RegExp(`^STEPS_S3_URI='s3://[^/]+/steps/wso2-prod/${boot.stepsBundle.sha256}\\.tar\\.gz'$`, "m"));
                const steps = /^BOOT_STEPS='([^']*)'$/m.exec(env)![1].split(" ");
                assert.deepEqual(steps.slice(0, 2), ["wso2-install-packages", "wso2-fetch-steps"]);
                // With a shared database (the most the user data carries), at most 12 KiB of EC2's 16 KiB.
                const withDb = renderNodeBoot(nodeInput(id, { database: TEST_DATABASE }));
                const packed = Buffer.from(encodeUserData(withDb.userData), "base64").length;
                assert.ok(packed <= 12 * 1024, `${id}: user data with a database is ${packed} bytes`);
            });

            it("every script artifact is its repository file; the settings file gives every setting a step requires", function () {
                const scripts = boot.artifacts.filter((a) => a.kind === "script");
                assert.ok(scripts.length >= 10);
                for (const a of scripts) {
                    // The repository file, less its comment-only lines (user data is limited to 16 KiB).
                    const file = nodeScriptFile(a.meta!.hostPath as string);
                    const source = fs.readFileSync(file, "utf8");
                    const code = file.endsWith(".sh") ? source.split("\n").filter((l, i) => (i === 0 && l.startsWith("#!")) || !/^\s*#/.test(l)).join("\n") : source;
                    assert.equal(a.content, code, a.path);
                    if (file.endsWith(".sh")) assert.equal(run("bash", ["-n", "-c", a.content]).status, 0, `${a.path} parses`);
                }
                const env = boot.artifacts.find((a) => a.meta?.hostPath === NODE_ENV_FILE)!;
                const settings = new Map<string, string>();
                for (const line of env.content.split("\n").filter((l) => l && !l.startsWith("#"))) {
                    const m = /^([A-Z][A-Z0-9_]*)='([^']*)'$/.exec(line);
                    assert.ok(m, `malformed settings line ${line}`);
                    settings.set(m![1], m![2]);
                }
                for (const a of scripts) {
                    for (const m of a.content.matchAll(/^\s*require_settings ((?:[A-Z0-9_ ]|\\\n)+)$/gm)) {
                        for (const name of m[1].split(/[\s\\]+/).filter(Boolean)) {
                            assert.ok(settings.has(name), `${a.path} requires ${name}, which the settings file lacks`);
                        }
                    }
                }
                const steps = settings.get("BOOT_STEPS")!.split(" ");
                for (const s of steps) assert.ok(scripts.some((a) => a.meta!.hostPath === `/usr/local/sbin/${s}`), s);
                assert.equal(steps.includes("wso2-cluster-peers"), PRODUCTS[id].clusteringPorts.length > 0);
                if (PRODUCTS[id].layout.configFormat === "toml") {
                    assert.equal(settings.get("VAULT_ALIAS_ADMIN"), SECURE_VAULT_ALIASES.adminPassword);
                    assert.equal(settings.get("VAULT_ALIAS_KEYSTORE"), SECURE_VAULT_ALIASES.keystorePassword);
                }
            });

            it("systemd-analyze security scores the product unit at 2.0 or less", function () {
                requireTool("systemd-analyze");
                const unit = boot.artifacts.find((a) => a.path.endsWith("/wso2.service"))!;
                const file = path.join(dir, `${id}`, "wso2.service");
                fs.mkdirSync(path.dirname(file), { recursive: true });
                fs.writeFileSync(file, unit.content);
                const r = run("systemd-analyze", ["security", "--offline=true", "--no-pager", file]);
                const m = /Overall exposure level for wso2\.service: (\d+\.\d+)/.exec(r.stdout);
                assert.ok(m, r.stdout + r.stderr);
                assert.ok(Number(m![1]) <= 2.0, `exposure ${m![1]}\n${r.stdout}`);
                const verify = run("systemd-analyze", ["verify", "--man=no", file]);
                assert.doesNotMatch(verify.stderr, /Unknown key|Invalid|Failed to parse/, verify.stderr);
            });

            it("systemd-analyze security scores backup, restore and peer refresh at 2.0 or less, none as root, each with only its capability", function () {
                requireTool("systemd-analyze");
                const expected: Record<string, string> = {
                    "wso2-backup.service": "CAP_DAC_READ_SEARCH",
                    "wso2-restore@.service": "CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER",
                    ...(PRODUCTS[id].clusteringPorts.length > 0 ? { "wso2-cluster-peers.service": "CAP_NET_ADMIN" } : {}),
                };
                const helpers = boot.artifacts.filter((a) => /^wso2-(backup|restore@|cluster-peers)\.service$/.test(path.basename(a.path)));
                assert.deepEqual(helpers.map((a) => path.basename(a.path)).sort(), Object.keys(expected).sort());
                for (const unit of helpers) {
                    const name = path.basename(unit.path).replace("@.", "@i-0123456789abcdef0.");
                    const file = path.join(dir, `${id}-helpers`, name);
                    fs.mkdirSync(path.dirname(file), { recursive: true });
                    fs.writeFileSync(file, unit.content);
                    const r = run("systemd-analyze", ["security", "--offline=true", "--no-pager", file]);
                    const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(r.stdout);
                    assert.ok(m, r.stdout + r.stderr);
                    assert.ok(Number(m![1]) <= 2.0, `${name}: exposure ${m![1]}\n${r.stdout}`);
                    assert.match(unit.content, /^DynamicUser=yes$/m, name);
                    assert.doesNotMatch(unit.content, /^User=(root|0)?$/m, name);
                    const caps = expected[path.basename(unit.path)];
                    assert.match(unit.content, new RegExp(`^CapabilityBoundingSet=${caps}$`, "m"), name);
                    assert.match(unit.content, new RegExp(`^AmbientCapabilities=${caps}$`, "m"), name);
                    const verify = run("systemd-analyze", ["verify", "--man=no", file]);
                    assert.doesNotMatch(verify.stderr, /Unknown key|Invalid|Failed to parse/, verify.stderr);
                }
            });

            it("the product's configuration parses and never holds a password", function () {
                const spec = PRODUCTS[id];
                const cfg = boot.artifacts.find((a) => a.kind === "deployment.toml" || (a.kind === "config" && a.path.endsWith("deployment.yaml")))!;
                assert.ok(cfg, "product configuration artifact");
                assert.doesNotMatch(cfg.content, /wso2carbon"|password\s*=\s*"(?!\$secret\{)/);
                if (spec.layout.configFormat === "toml") {
                    const doc = parseToml(cfg.content) as any;
                    assert.equal(doc.server.hostname, "api.example.com");
                    // WSDL endpoints are URLs of the public name, where the product reads a prefix.
                    if (id === "apim") assert.equal(doc.transport.http.listener.wsdl_epr_prefix, "https://api.example.com");
                    if (id !== "is") assert.equal(doc.transport.http.listener.secured_wsdl_epr_prefix, "https://api.example.com");
                    assert.equal(doc.super_admin.password, `$secret{${SECURE_VAULT_ALIASES.adminPassword}}`);
                    assert.notEqual(doc.keystore.primary.alias, "wso2carbon");
                    assert.equal(doc.keystore.primary.password, `$secret{${SECURE_VAULT_ALIASES.keystorePassword}}`);
                    assert.equal(doc.secrets, undefined, "[secrets] is added on the node, never in the artifact");
                    // Every $secret{} reference is one the node's secrets step defines.
                    for (const m of cfg.content.matchAll(/\$secret\{([^}]+)\}/g)) {
                        assert.ok((Object.values(SECURE_VAULT_ALIASES) as string[]).includes(m[1]), m[1]);
                    }
                    if (spec.clusteringPorts.length > 0) {
                        assert.equal(doc.clustering.membership_scheme, "aws");
                        assert.equal(doc.clustering.local_member_port, String(spec.clusteringPorts[0]));
                        // Member host: the node's own address (set at boot), with the kernel's own parameter names.
                        assert.equal(doc.clustering.local_member_host, "$env{WSO2_NODE_IP}");
                        const names = productModel(id, spec.defaultVersion).awsMembership!;
                        assert.equal(doc.clustering.properties[names.tagValue], "wso2-prod");
                    } else {
                        assert.equal(doc.clustering, undefined);
                    }
                    assert.equal(Boolean(doc.session_data), spec.sessionCleanup);
                    if (spec.sessionCleanup) assert.equal(doc.session_data.cleanup.clean_expired_session_data_in_chunks_of, 8192);
                } else {
                    const doc = parseYaml(cfg.content) as any;
                    const https = doc["wso2.transport.http"].listenerConfigurations.find((l: any) => l.id === "msf4j-https");
                    assert.equal(https.keyStorePassword, "${sec:keystore_password}");
                    assert.deepEqual(https.parameters.find((p: any) => p.name === "sslEnabledProtocols").value, "TLSv1.2,TLSv1.3");
                }
            });
        });
    }

    it("shellcheck passes every node script as written in components/host/node/", function () {
        requireTool("shellcheck");
        const files = fs.readdirSync(NODE_SCRIPT_DIR).filter((f) => f.endsWith(".sh")).map((f) => path.join(NODE_SCRIPT_DIR, f));
        assert.ok(files.length >= 11);
        const r = run("shellcheck", ["--external-sources", "--severity=style", "--shell=bash", ...files]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it("TLS: 1.2 and 1.3 only, forward-secret AEAD ciphers on the HTTPS and PassThrough transports", function () {
        const doc = parseToml(renderDeploymentToml({ product: PRODUCTS.apim, productVersion: "", hostname: "api.example.com" })) as any;
        const ssl = doc.transport.https.sslHostConfig.properties;
        assert.equal(ssl.protocols, "TLSv1.2,TLSv1.3");
        for (const c of String(ssl.ciphers).split(",")) {
            assert.match(c, /^TLS_(AES|CHACHA20)|^TLS_(ECDHE|DHE)_/, c);
            assert.match(c, /GCM|CHACHA20_POLY1305/, c);
            assert.doesNotMatch(c, /CBC|3DES|RC4|MD5|_SHA$|NULL|EXPORT|anon|DSS/, c);
        }
        for (const side of ["listener", "sender"]) {
            assert.equal(doc.transport.passthru_https[side].parameters.HttpsProtocols, "TLSv1.2,TLSv1.3");
            assert.equal(doc.transport.passthru_https[side].parameters.PreferredCiphers, STRONG_TLS_CIPHERS.join(","));
        }
        // MI reads its PassThrough TLS settings from the parameter maps of the https listener and sender.
        const mi = parseToml(renderDeploymentToml({ product: PRODUCTS.mi, productVersion: "", hostname: "mi.example.com" })) as any;
        for (const side of ["listener", "sender"]) {
            assert.equal(mi.transport.https[side].parameter.HttpsProtocols, "TLSv1.2,TLSv1.3");
            assert.equal(mi.transport.https[side].parameter.PreferredCiphers, STRONG_TLS_CIPHERS.join(","));
        }
    });

    it("servlet transport: neutral Server header, proxy port, URI-hardening connector attributes, HSTS", function () {
        for (const product of [PRODUCTS.apim, PRODUCTS.is]) {
            const doc = parseToml(renderDeploymentToml({ product, productVersion: "", hostname: "api.example.com" })) as any;
            const props = doc.transport.https.properties;
            assert.equal(props.server, "server");
            assert.equal(props.proxyPort, 443);
            for (const [k, v] of Object.entries(TOMCAT_URI_HARDENING)) assert.equal(props[k], v, k);
            assert.equal(doc.transport.http.properties.server, "server", "9763 too");
            // The kernel's console filter is what API-M and IS read for HSTS; no template reads the webapp keys.
            assert.equal(doc.http_header_security_filter.hsts.enabled, true);
            assert.equal(doc.authenticationendpoint, undefined);
        }
        assert.deepEqual(Object.keys(TOMCAT_URI_HARDENING).sort(), ["allowBackslash", "encodedReverseSolidusHandling", "encodedSolidusHandling", "rejectSuspiciousURIs"]);
    });

    it("proxy settings go to the sender when configured, and not otherwise", function () {
        const withProxy = parseToml(renderDeploymentToml({ product: PRODUCTS.mi, productVersion: "", hostname: "mi.example.com", proxy: { host: "proxy.internal", port: 3128 } })) as any;
        assert.equal(withProxy.transport.http.sender.proxy_host, "proxy.internal");
        assert.equal(withProxy.transport.http.sender.proxy_port, 3128);
        const without = parseToml(renderDeploymentToml({ product: PRODUCTS.apim, productVersion: "", hostname: "api.example.com" })) as any;
        assert.equal(without.transport.http.sender, undefined);
        assert.throws(() => renderDeploymentToml({ product: PRODUCTS.apim, productVersion: "", hostname: "bad host" }), /hostname: "bad host"/);
        assert.throws(() => renderDeploymentToml({ product: PRODUCTS.si, productVersion: "", hostname: "a.example.com" }), /renderSiDeploymentYaml/);
        assert.throws(() => renderSiDeploymentYaml({ product: PRODUCTS.is, productVersion: "", hostname: "a.example.com" }), /renderDeploymentToml/);
    });

    it("the unit runs as wso2 with the TLS flags and about half the memory as heap", function () {
        const unit = renderWso2Unit({ product: PRODUCTS.apim, productVersion: "", instanceMemoryMiB: 16384 });
        assert.match(unit, /^User=wso2$/m);
        assert.match(unit, /^NoNewPrivileges=yes$/m);
        assert.match(unit, /^CapabilityBoundingSet=$/m);
        for (const flag of JVM_SECURITY_FLAGS) assert.ok(unit.includes(flag), flag);
        assert.match(unit, /-Xms8192m -Xmx8192m/);
        assert.equal(heapSizeMiB(4096), 2048);
        assert.equal(heapSizeMiB(7800), 3840);
        assert.throws(() => heapSizeMiB(1024), /instanceMemoryMiB: 1024 is too small/);
        assert.match(unit, /^ReadWritePaths=\/opt\/wso2\/wso2am-4\.3\.0\/repository\/logs /m);
    });

    it("log4j2 overrides rotate by time and size, bound retention and tag every line with a UUID", function () {
        const log4j2 = renderNodeBoot(nodeInput("apim")).artifacts.find((a) => a.kind === "log4j2.properties")!.content;
        const props = new Map(log4j2.split("\n").filter((l) => l.includes(" = ")).map((l) => l.split(" = ") as [string, string]));
        for (const appender of ["CARBON_LOGFILE", "AUDIT_LOGFILE"]) {
            const a = `appender.${appender}`;
            assert.equal(props.get(`${a}.type`), "RollingFile");
            assert.equal(props.get(`${a}.layout.pattern`), LOG_PATTERN);
            assert.equal(props.get(`${a}.policies.time.type`), "TimeBasedTriggeringPolicy");
            assert.equal(props.get(`${a}.policies.size.type`), "SizeBasedTriggeringPolicy");
            assert.equal(props.get(`${a}.strategy.max`), "30");
            assert.equal(props.get(`${a}.strategy.action.condition.nested.age`), "14d");
        }
        assert.ok(LOG_PATTERN.startsWith("[%u]"));
        assert.match(LOG_PATTERN, /%enc\{%m\}\{CRLF\}/);
    });

    it("the timers carry their schedules: backups on backupSchedule, the peer refresh on clusterPeersRefresh and at every boot before the product", function () {
        const timer = (boot: ReturnType<typeof renderNodeBoot>, name: string) => {
            const doc = parseYaml(boot.userData) as { write_files: WrittenFile[] };
            return doc.write_files.find((f) => f.path === `/etc/systemd/system/${name}`)?.content ?? "";
        };
        const defaults = renderNodeBoot(nodeInput("apim"));
        assert.match(timer(defaults, "wso2-cluster-peers.timer"), /^OnCalendar=minutely$/m);
        const custom = renderNodeBoot(nodeInput("apim", { backupSchedule: "*-*-* 02:30", clusterPeersRefresh: "*:0/5" }));
        assert.match(timer(custom, "wso2-backup.timer"), /^OnCalendar=\*-\*-\* 02:30$/m);
        const peers = timer(custom, "wso2-cluster-peers.timer");
        assert.match(peers, /^OnCalendar=\*:0\/5$/m);
        // Not OnBootSec=: a timer started after that point (a slow boot) does not fire.
        assert.doesNotMatch(peers, /OnBootSec|OnStartupSec/);
        const service = timer(custom, "wso2-cluster-peers.service");
        assert.match(service, /^Before=wso2\.service$/m);
        // Enabling the timer, as the configure step does, also enables the boot-time run: the real systemctl
        // on an offline root.
        requireTool("systemctl");
        const root = path.join(dir, "peers-root");
        const unitDir = path.join(root, "etc/systemd/system");
        fs.mkdirSync(unitDir, { recursive: true });
        fs.writeFileSync(path.join(unitDir, "wso2-cluster-peers.timer"), peers);
        fs.writeFileSync(path.join(unitDir, "wso2-cluster-peers.service"), service);
        const enabled = run("systemctl", [`--root=${root}`, "enable", "wso2-cluster-peers.timer"]);
        assert.equal(enabled.status, 0, enabled.stderr);
        assert.ok(fs.lstatSync(path.join(unitDir, "timers.target.wants/wso2-cluster-peers.timer")).isSymbolicLink());
        assert.ok(fs.lstatSync(path.join(unitDir, "multi-user.target.wants/wso2-cluster-peers.service")).isSymbolicLink());
        // The backup is not run at boot.
        assert.doesNotMatch(timer(custom, "wso2-backup.service"), /\[Install\]/);
        // systemd reads the expression as a calendar event.
        requireTool("systemd-analyze");
        const r = run("systemd-analyze", ["calendar", "*:0/5"]);
        assert.equal(r.status, 0, r.stderr);
        // No peer refresh on a product without clustering ports.
        assert.equal(timer(renderNodeBoot(nodeInput("mi")), "wso2-cluster-peers.timer"), "");
    });

    it("refuses bad input with the key and the problem", function () {
        assert.throws(() => renderNodeBoot(nodeInput("apim", { clusterName: "Bad_Name" })), /clusterName: "Bad_Name"/);
        assert.throws(() => renderNodeBoot(nodeInput("apim", { adminSecretArn: "secret" })), /adminSecretArn: "secret" is not a Secrets Manager secret ARN/);
        assert.throws(() => renderNodeBoot(nodeInput("apim", { backupBucket: "Bad Bucket" })), /backupBucket/);
        assert.throws(() => renderNodeBoot(nodeInput("apim", { backupPrefix: "/abs/" })), /backupPrefix/);
        assert.throws(() => renderNodeBoot(nodeInput("apim", { updateWindow: "daily; rm -rf /" })), /updateWindow/);
        assert.throws(() => renderNodeBoot(nodeInput("apim", { backupSchedule: "daily\nExecStart=/bin/sh" })), /^Error: backupSchedule: /);
        assert.throws(() => renderNodeBoot(nodeInput("apim", { clusterPeersRefresh: "$(reboot)" })), /^Error: clusterPeersRefresh: /);
        assert.throws(() => renderNodeBoot(nodeInput("apim", { lbSourceCidrs: ["10.0.0.0/33"] })), /lbSourceCidrs: "10.0.0.0\/33"/);
        assert.throws(() => renderNodeBoot(nodeInput("apim", { instanceMemoryMiB: 512 })), /instanceMemoryMiB: 512/);
    });

    it("SSH: sshd is masked when no SSH sources are configured, and the sets stay IPv4 with IPv6 in companions", function () {
        const settingsOf = (b: ReturnType<typeof renderNodeBoot>) => b.artifacts.find((a) => a.meta?.hostPath === NODE_ENV_FILE)!.content;
        const offBoot = renderNodeBoot(nodeInput("apim", { sshSourceCidrs: [] }));
        assert.match(settingsOf(offBoot), /^SSH_ENABLED='no'$/m);
        assert.match(offBoot.artifacts.find((a) => a.path.endsWith("/wso2-install-packages"))!.content, /if \[\[ "\$SSH_ENABLED" != yes \]\]; then\n.*\n  systemctl mask ssh\.service ssh\.socket/);
        const on = renderNodeBoot(nodeInput("apim", { sshSourceCidrs: ["10.0.0.0/8", "2001:db8::/32"] }));
        assert.match(settingsOf(on), /^SSH_ENABLED='yes'$/m);
        const nft = on.artifacts.find((a) => a.kind === "nftables")!.content;
        assert.match(nft, /set ssh_sources \{\s*type ipv4_addr\s*flags interval\s*auto-merge\s*elements = \{ 10\.0\.0\.0\/8 \}/);
        assert.match(nft, /set ssh_sources_v6 \{\s*type ipv6_addr[\s\S]*2001:db8::\/32/);
        assert.match(nft, /ip6 saddr @ssh_sources_v6 tcp dport 2222 accept/);
    });
});
