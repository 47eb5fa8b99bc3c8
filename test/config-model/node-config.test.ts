/**
 * For every product and version the model knows: the configuration a node renders is read key by key by
 * that version, its TLS in force is 1.2+ with the strong list on every TLS transport, no plaintext
 * transport is reachable beyond the host, no default credential or key remains, and merging it into a
 * shipped-style file (hand-written fixtures, test/fixtures/config-model/) keeps every other section.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { renderNodeBoot, MERGE_CONFIG_TOOL, NODE_LIB, nodeScriptFile, SECURE_VAULT_KEY_ALIAS } from "../../components/host";
import { PRODUCTS, type ProductId } from "../../products";
import { checkConfig, flattenToml, modelReads, modelVersions, productModel, STRONG_TLS_CIPHERS, TLS_PROTOCOLS, type CheckResult } from "../../products/model";
import { nodeInput } from "../host/fixtures";
import { requireTool, run, runOk, tempDir } from "../host/helpers";

const FIXTURES = path.join(__dirname, "..", "fixtures", "config-model");
const MERGE = nodeScriptFile(MERGE_CONFIG_TOOL);

function rendered(product: ProductId, version: string): { name: string; content: string } {
    const boot = renderNodeBoot(nodeInput(product, { productVersion: version }));
    const a = boot.artifacts.find((x) => x.kind === "deployment.toml" || x.path.endsWith("/deployment.yaml"))!;
    assert.ok(a, "the node's product configuration");
    return { name: path.basename(a.path), content: a.content };
}

function merge(format: "toml" | "yaml", shipped: string, overlay: string, dir: string): string {
    const file = path.join(dir, `overlay.${format}`);
    fs.writeFileSync(file, overlay);
    return runOk("python3", [MERGE, format, path.join(FIXTURES, shipped), file, "--drop", "secrets"]);
}

/** What must hold of any configuration a node of ours ends with. */
function assertHardened(result: CheckResult, product: ProductId): void {
    const spec = PRODUCTS[product];
    const errors = result.findings.filter((f) => f.severity === "error");
    assert.deepEqual(errors, [], "no error-level finding");
    const tls = Object.entries(result.effective.tls);
    assert.ok(tls.length > 0);
    for (const [id, t] of tls) {
        assert.deepEqual(t.protocols, [...TLS_PROTOCOLS], `${id} protocols`);
        assert.deepEqual(t.ciphers, [...STRONG_TLS_CIPHERS], `${id} ciphers`);
    }
    assert.deepEqual(result.findings.filter((f) => f.id === "default-credential" && !/embedded H2/.test(f.message)), [], "no default credential or key");
    // Plaintext listeners that stay open are closed to the outside by the host firewall.
    const reachable = new Set([...spec.servicePorts]);
    const model = productModel(product, result.version);
    for (const f of result.findings.filter((x) => x.id === "plaintext-transport")) {
        const transport = model.plaintext.find((p) => f.key === (p.enabledKey ?? p.id)) ?? model.plaintext.find((p) => f.message.includes(`port ${p.port}`) || f.message.includes(` ${p.port}`));
        assert.ok(transport, f.message);
        assert.ok(!reachable.has(transport!.port), `${transport!.id} on ${transport!.port} is a port the load balancer reaches`);
        assert.ok(spec.closedPorts.includes(transport!.port) || spec.clusteringPorts.includes(transport!.port), `${transport!.id} port ${transport!.port} is firewalled`);
    }
}

describe("node configuration against the model, every product and version", function () {
    let dir = "";
    before(() => {
        requireTool("python3");
        dir = tempDir("config-model");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const product of ["apim", "mi", "is"] as const) {
        for (const version of modelVersions(product)) {
            describe(`${product} ${version}`, () => {
                it("renders only keys the version reads", () => {
                    const model = productModel(product, version);
                    const keys = [...flattenToml(parseToml(rendered(product, version).content) as Record<string, unknown>).keys()];
                    assert.ok(keys.length > 15);
                    const unread = keys.filter((k) => !modelReads(model, k));
                    assert.deepEqual(unread, []);
                });

                it("merged into a shipped-style file: strong TLS everywhere, no default secret, no reachable plaintext, shipped sections kept", () => {
                    const overlay = rendered(product, version).content;
                    const merged = merge("toml", `shipped-${product}.toml`, overlay, dir);
                    const doc = parseToml(merged) as any;
                    const shipped = parseToml(fs.readFileSync(path.join(FIXTURES, `shipped-${product}.toml`), "utf8")) as any;
                    // Sections the overlay does not write survive as shipped.
                    if (product === "apim") {
                        assert.deepEqual(doc.database, shipped.database);
                        assert.deepEqual(doc.user_store, shipped.user_store);
                        assert.deepEqual(doc.apim.gateway.environment, shipped.apim.gateway.environment);
                        assert.deepEqual(doc.apim.devportal, shipped.apim.devportal);
                        assert.deepEqual(doc.event_handler, shipped.event_handler);
                        assert.equal(doc.transport.https.properties.maxThreads, 300, "a shipped key beside ours");
                    }
                    if (product === "is") {
                        assert.deepEqual(doc.database, shipped.database);
                        assert.equal(doc.server.base_path, shipped.server.base_path);
                    }
                    if (product === "mi") {
                        assert.deepEqual(doc.datasource, shipped.datasource);
                        // The management API's file store: the shipped admin/admin replaced by the super admin from the secrets.
                        assert.deepEqual(JSON.parse(JSON.stringify(doc.internal_apis.users)), [{ user: { name: "$env{WSO2_ADMIN_USERNAME}", password: "$secret{admin_password}", is_admin: true } }]);
                    }
                    assert.equal(doc.server.hostname, "api.example.com", "ours wins over the shipped value");
                    // The shipped file with our overlay is judged as the product will read it.
                    assertHardened(checkConfig(merged, productModel(product, version)), product);
                });

                it("on the shared database: the datasource keys are ones the version reads, passwords from the vault", () => {
                    const databases: Record<string, string> = product === "apim" ? { apim_db: "wso2am_db", shared_db: "wso2shared_db" } : product === "is" ? { identity_db: "wso2identity_db", shared_db: "wso2shared_db" } : { coordination_db: "wso2mi_coordination_db" };
                    const database = { host: "db.internal.example.com", port: 5432, databases, runtimeUsername: "wso2_runtime", masterSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-master-AbCdEf", runtimeSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-runtime-AbCdEf" };
                    const boot = renderNodeBoot(nodeInput(product, { productVersion: version, database }));
                    const toml = boot.artifacts.find((a) => a.kind === "deployment.toml")!.content;
                    const model = productModel(product, version);
                    const flat = flattenToml(parseToml(toml) as Record<string, unknown>);
                    assert.deepEqual([...flat.keys()].filter((k) => !modelReads(model, k)), []);
                    assert.ok([...flat.keys()].some((k) => k.startsWith(product === "mi" ? "datasource" : "database.")), "datasources rendered");
                    assertHardened(checkConfig(toml, model), product);
                });

                it("the overlay alone already closes what the defaults leave open", () => {
                    assertHardened(checkConfig(rendered(product, version).content, productModel(product, version)), product);
                });
            });
        }
    }

    describe("si 4.3.0", () => {
        it("the overlay really lands in SI's deployment.yaml: TLS, receivers, admin, vault reference; shipped sections kept", () => {
            const merged = merge("yaml", "shipped-si.yaml", rendered("si", "4.3.0").content, dir);
            const doc = parseYaml(merged) as any;
            const shipped = parseYaml(fs.readFileSync(path.join(FIXTURES, "shipped-si.yaml"), "utf8")) as any;
            for (const section of ["wso2.transport.http", "siddhi.stores.query.api"]) {
                const listeners = doc[section].listenerConfigurations;
                assert.equal(listeners.length, 2, "merged by id, not appended");
                const https = listeners.find((l: any) => l.id === "msf4j-https");
                assert.equal(https.keyStorePassword, "${sec:keystore_password}");
                assert.equal(https.parameters.find((p: any) => p.name === "sslEnabledProtocols").value, "TLSv1.2,TLSv1.3");
                assert.equal(listeners.find((l: any) => l.id === "default").host, "127.0.0.1");
                assert.equal(listeners.find((l: any) => l.id === "default").port, section === "wso2.transport.http" ? 9090 : 7070, "shipped port kept");
            }
            assert.deepEqual(doc["wso2.transport.http"].transportProperties, shipped["wso2.transport.http"].transportProperties);
            const receivers = doc["databridge.config"].dataReceivers;
            assert.equal(receivers.length, 2);
            for (const r of receivers) {
                assert.equal(r.dataReceiver.properties.sslEnabledProtocols, "TLSv1.2,TLSv1.3");
                assert.ok(r.dataReceiver.properties.tcpPort, "shipped receiver properties kept");
            }
            // What resolves ${sec:...}: WSO2's repository and reader, pointed at the keystore, key and files the
            // secrets step writes.
            const vault = doc["wso2.securevault"];
            assert.equal(vault.secretRepository.type, shipped["wso2.securevault"].secretRepository.type);
            assert.equal(vault.masterKeyReader.type, shipped["wso2.securevault"].masterKeyReader.type);
            const files = PRODUCTS.si.layout.secureVault!;
            assert.deepEqual(vault.secretRepository.parameters, {
                privateKeyAlias: SECURE_VAULT_KEY_ALIAS,
                keystoreLocation: `\${sys:carbon.home}/${files.keystore}`,
                secretPropertiesFile: `\${sys:carbon.home}/${files.secretsFile}`,
            });
            assert.deepEqual(vault.masterKeyReader.parameters, { masterKeyReaderFile: `\${sys:carbon.home}/${files.masterKeysFile}` });
            assert.deepEqual(doc["wso2.datasources"], shipped["wso2.datasources"]);
            const users = doc["auth.configs"].userManager.userStore.users;
            assert.deepEqual(users, [{ user: { username: "${env:WSO2_ADMIN_USERNAME}", password: "${sec:admin_password}", roles: 1 } }], "admin/admin gone");
            assertHardened(checkConfig(merged, productModel("si", "4.3.0")), "si");
        });
    });

    it("log4j2: IS keeps its %mm masking converter inside the CR/LF encoding; the others log %m", () => {
        for (const product of ["apim", "mi", "is"] as const) {
            const log4j2 = renderNodeBoot(nodeInput(product)).artifacts.find((a) => a.kind === "log4j2.properties")!.content;
            const patterns = log4j2.split("\n").filter((l) => l.includes(".layout.pattern = "));
            assert.equal(patterns.length, 2);
            for (const p of patterns) assert.ok(p.includes(product === "is" ? "%enc{%mm}{CRLF}" : "%enc{%m}{CRLF}"), `${product}: ${p}`);
        }
    });

    it("the merge tool fails on a file that does not parse, naming the file", () => {
        const bad = path.join(dir, "bad.toml");
        fs.writeFileSync(bad, "[server\nhostname = 1\n");
        const r = run("python3", [MERGE, "toml", bad, bad]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /bad\.toml.*line 1/);
        assert.equal(run("python3", [MERGE, "ini", bad, bad]).status, 2);
    });

    it("the node carries the merge tool its secrets step calls", () => {
        const boot = renderNodeBoot(nodeInput("apim"));
        const tool = boot.artifacts.find((a) => a.meta?.hostPath === MERGE_CONFIG_TOOL)!;
        assert.equal(tool.content, fs.readFileSync(MERGE, "utf8"));
        // The secrets step finds it beside the step library (MERGE_CONFIG overrides).
        assert.equal(path.dirname(MERGE_CONFIG_TOOL), path.dirname(NODE_LIB));
    });
});
