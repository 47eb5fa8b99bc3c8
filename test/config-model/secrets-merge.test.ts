/**
 * The node's secrets step, run for real (bash, python3, the aws CLI against moto_server): it merges the
 * rendered overlay into the distribution's shipped file, keeps that file for the next start, adds the
 * Secure Vault entries and the environment the configuration reads. A stand-in cipher tool (the product's
 * is not here) replaces bracketed values the way WSO2's does, so no plain password stays in the file.
 * For SI the step replaces the Secure Vault keystore and writes cipherText entries; a small Java program
 * opens that keystore and decrypts them the way carbon-secvault 5.0.20 does (JKS, the key by alias with
 * the master key file's passwords, a cipher named by the key's algorithm).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { HOST_SCRIPTS, MERGE_CONFIG_TOOL, nodeScriptFile, renderDeploymentToml, renderSiDeploymentYaml, SECURE_VAULT_KEY_ALIAS, WSO2_DEFAULT_STORE_PASSWORD } from "../../components/host";
import { PRODUCTS, type ProductId } from "../../products";
import { nodeInput } from "../host/fixtures";
import { jvmCounter, Moto, requireTool, run, runOk, step, tempDir, writeNodeEnv } from "../host/helpers";

const FIXTURES = path.join(__dirname, "..", "fixtures", "config-model");
const MERGE = nodeScriptFile(MERGE_CONFIG_TOOL);
const ADMIN = { username: "opsadmin", password: "Adm1n-Secret-Value" };
const KEYSTORE_PASSWORD = "ks-Secret-Value-42";

/** Stand-in for bin/ciphertool.sh -Dconfigure: encrypts every `"[plain]"` value of deployment.toml in place. */
const CIPHER_TOOL = `#!/bin/bash
set -euo pipefail
read -r _password
conf="$(dirname "$0")/../repository/conf/deployment.toml"
[[ -f "$conf" ]] || conf="$(dirname "$0")/../conf/deployment.toml"
grep -q '^\\[secrets\\]' "$conf"
sed -i -E 's/= "\\[[^]]*\\]"/= "ENCRYPTED"/' "$conf"
`;

/**
 * Opens a JKS keystore and decrypts every cipherText entry of a secrets.properties file as SI's vault does:
 * the store loaded as JKS with the keystore password, the private key read by alias with the key password,
 * and a cipher of the key's own algorithm name ("RSA", so the JCE's default transformation). Prints
 * `alias<TAB>base64(value)` per entry, `alias<TAB>!plain` for a plainText one.
 */
const VAULT_READER = `import java.io.*;
import java.nio.charset.StandardCharsets;
import java.security.*;
import java.util.*;
import javax.crypto.Cipher;

public class VaultReader {
    public static void main(String[] a) throws Exception {
        KeyStore store = KeyStore.getInstance("JKS");
        try (InputStream in = new FileInputStream(a[0])) { store.load(in, a[2].toCharArray()); }
        PrivateKey key = (PrivateKey) store.getKey(a[1], a[3].toCharArray());
        Cipher cipher = Cipher.getInstance(key.getAlgorithm());
        Properties entries = new Properties();
        try (Reader r = new InputStreamReader(new FileInputStream(a[4]), StandardCharsets.UTF_8)) { entries.load(r); }
        for (String name : new TreeSet<>(entries.stringPropertyNames())) {
            String[] t = entries.getProperty(name).trim().split(" ");
            if (!t[0].equals("cipherText")) { System.out.println(name + "\\t!plain"); continue; }
            cipher.init(Cipher.DECRYPT_MODE, key);
            byte[] plain = cipher.doFinal(Base64.getDecoder().decode(t[1]));
            System.out.println(name + "\\t" + Base64.getEncoder().encodeToString(plain));
        }
    }
}
`;

describe("secrets step: merge on the node (bash, python3, aws CLI against moto_server)", function () {
    this.timeout(120000);
    const moto = new Moto();
    let dir = "";
    let adminArn = "";
    let keystoreArn = "";

    before(async function () {
        requireTool("python3");
        dir = tempDir("secrets-merge");
        await moto.start();
        adminArn = JSON.parse(moto.aws(["secretsmanager", "create-secret", "--name", "wso2-prod/admin", "--secret-string", JSON.stringify(ADMIN)])).ARN;
        keystoreArn = JSON.parse(moto.aws(["secretsmanager", "create-secret", "--name", "wso2-prod/keystore", "--secret-string", KEYSTORE_PASSWORD])).ARN;
    });

    after(async function () {
        await moto.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    function runSecrets(product: ProductId, home: string, keystoreSecretArn = keystoreArn, env: (e: NodeJS.ProcessEnv) => NodeJS.ProcessEnv = (e) => e): void {
        const spec = PRODUCTS[product];
        const input = { product: spec, productVersion: "", hostname: "api.example.com", clustering: spec.clusteringPorts.length > 0 ? { scheme: "aws" as const, region: "eu-west-1", tagKey: "wso2:cluster", tagValue: "wso2-prod" } : undefined };
        const rendered = path.join(dir, `${product}-rendered`);
        fs.writeFileSync(rendered, spec.layout.configFormat === "toml" ? renderDeploymentToml(input) : renderSiDeploymentYaml(input));
        const settings = writeNodeEnv(dir, `${product}.env`, nodeInput(product, { adminSecretArn: adminArn, keystoreSecretArn, testAws: { endpointUrl: moto.endpoint } }));
        runOk("bash", [step(HOST_SCRIPTS.secrets)], {
            env: env(moto.stepEnv(settings, { WSO2_HOME: home, RENDERED_CONFIG: rendered, ADMIN_ENV_FILE: path.join(home, "admin.env"), MERGE_CONFIG: MERGE, NODE_IP: "10.0.1.23" })),
            timeoutMs: 90000,
        });
    }

    function shippedHome(product: ProductId, fixture: string, name = `${product}-home`): string {
        const home = path.join(dir, name);
        const conf = path.join(home, PRODUCTS[product].layout.configFile);
        fs.mkdirSync(path.dirname(conf), { recursive: true });
        fs.copyFileSync(path.join(FIXTURES, fixture), conf);
        fs.mkdirSync(path.join(home, "bin"), { recursive: true });
        fs.writeFileSync(path.join(home, "bin", "ciphertool.sh"), CIPHER_TOOL, { mode: 0o755 });
        return home;
    }

    it("API-M: shipped sections kept, our keys in, secrets encrypted, node address and admin name in the unit's environment; a second start gives the same file", function () {
        const home = shippedHome("apim", "shipped-apim.toml");
        const target = path.join(home, PRODUCTS.apim.layout.configFile);
        runSecrets("apim", home);
        const first = fs.readFileSync(target, "utf8");
        const doc = parseToml(first) as any;
        const shipped = parseToml(fs.readFileSync(path.join(FIXTURES, "shipped-apim.toml"), "utf8")) as any;
        assert.deepEqual(doc.database, shipped.database);
        assert.deepEqual(doc.apim.gateway.environment, shipped.apim.gateway.environment);
        assert.equal(doc.server.hostname, "api.example.com");
        assert.equal(doc.transport.passthru_https.listener.parameters.HttpsProtocols, "TLSv1.2,TLSv1.3");
        assert.deepEqual(Object.keys(doc.secrets).sort(), ["admin_password", "app_password", "encryption_key", "keystore_password"]);
        for (const v of Object.values(doc.secrets)) assert.equal(v, "ENCRYPTED");
        assert.ok(!first.includes(ADMIN.password) && !first.includes(KEYSTORE_PASSWORD), "no plain secret in the file");
        assert.equal(fs.readFileSync(`${target}.shipped`, "utf8"), fs.readFileSync(path.join(FIXTURES, "shipped-apim.toml"), "utf8"), "the shipped file is kept as it was");
        const env = fs.readFileSync(path.join(home, "admin.env"), "utf8");
        assert.match(env, /^WSO2_ADMIN_USERNAME=opsadmin$/m);
        assert.match(env, /^WSO2_NODE_IP=10\.0\.1\.23$/m);
        assert.match(env, /^WSO2_APP_PASSWORD_HASH=[0-9a-f]{64}$/m);
        assert.equal((fs.statSync(path.join(home, "admin.env")).mode & 0o777).toString(8), "600");

        runSecrets("apim", home);
        assert.equal(fs.readFileSync(target, "utf8"), first, "idempotent: merged again from the kept shipped file");
    });

    it("IS: the app password hash in the environment is the SHA-256 of the app password in the vault", function () {
        const home = shippedHome("is", "shipped-is.toml");
        // Capture the value before the stand-in cipher tool replaces it.
        fs.writeFileSync(path.join(home, "bin", "ciphertool.sh"), "#!/bin/bash\nread -r _\ncp \"$(dirname \"$0\")/../repository/conf/deployment.toml\" \"$(dirname \"$0\")/../plain.toml\"\n", { mode: 0o755 });
        runSecrets("is", home);
        const plain = parseToml(fs.readFileSync(path.join(home, "plain.toml"), "utf8")) as any;
        const appPassword = String(plain.secrets.app_password).replace(/^\[|\]$/g, "");
        const hash = require("crypto").createHash("sha256").update(appPassword).digest("hex");
        assert.match(fs.readFileSync(path.join(home, "admin.env"), "utf8"), new RegExp(`^WSO2_APP_PASSWORD_HASH=${hash}$`, "m"));
        assert.notEqual(appPassword, "dashboard");
        assert.match(String(plain.secrets.encryption_key), /^\[[0-9a-f]{32}\]$/);
        assert.equal(plain.identity.auth_framework.endpoint.app_password, "$secret{app_password}");
        assert.deepEqual(plain.database, (parseToml(fs.readFileSync(path.join(FIXTURES, "shipped-is.toml"), "utf8")) as any).database);
    });

    it("SI: the overlay lands in conf/server/deployment.yaml and its ${sec:...} references are defined in secrets.properties", function () {
        const home = shippedHome("si", "shipped-si.yaml");
        runSecrets("si", home);
        const doc = parseYaml(fs.readFileSync(path.join(home, "conf/server/deployment.yaml"), "utf8")) as any;
        assert.equal(doc["wso2.transport.http"].listenerConfigurations.find((l: any) => l.id === "msf4j-https").keyStorePassword, "${sec:keystore_password}");
        assert.ok(doc["wso2.securevault"], "shipped secure vault section kept");
        const secrets = path.join(home, "conf/server/secrets.properties");
        const text = fs.readFileSync(secrets, "utf8");
        assert.equal((fs.statSync(secrets).mode & 0o777).toString(8), "600");
        for (const m of JSON.stringify(doc).matchAll(/\$\{sec:([^}]+)\}/g)) assert.match(text, new RegExp(`^${m[1]}=`, "m"), m[1]);
    });

    describe("SI: Secure Vault keystore and cipherText entries (keytool, openssl, java)", function () {
        let home = "";
        let reader = "";
        let shippedFingerprint = "";

        /** The vault's parameters in the merged deployment.yaml, `${sys:carbon.home}` resolved to `home`. */
        function vaultConfig(): { type: string; reader: string; keystore: string; alias: string; secrets: string; masterKeys: string } {
            const v = (parseYaml(fs.readFileSync(path.join(home, "conf/server/deployment.yaml"), "utf8")) as any)["wso2.securevault"];
            const at = (p: string) => String(p).replace("${sys:carbon.home}", home);
            const r = v.secretRepository;
            return { type: r.type, reader: v.masterKeyReader.type, keystore: at(r.parameters.keystoreLocation), alias: r.parameters.privateKeyAlias, secrets: at(r.parameters.secretPropertiesFile), masterKeys: at(v.masterKeyReader.parameters.masterKeyReaderFile) };
        }

        /** Type and SHA-256 fingerprint of every entry, by alias; null when the store does not open with `password`. */
        function entries(store: string, password: string): Map<string, { fingerprint: string; type: string }> | null {
            const r = run("keytool", ["-list", "-v", "-keystore", store, "-storetype", "JKS", "-storepass", password], { timeoutMs: 30000 });
            if (r.status !== 0) return null;
            const out = new Map<string, { fingerprint: string; type: string }>();
            let alias = "";
            let type = "";
            for (const line of r.stdout.split("\n")) {
                if (line.startsWith("Alias name: ")) alias = line.slice(12).trim();
                else if (line.startsWith("Entry type: ")) type = line.slice(12).trim();
                else if (/^\s*SHA256: /.test(line) && alias && !out.has(alias)) out.set(alias, { fingerprint: line.trim().slice(8), type });
            }
            return out;
        }

        /** The master keys as the vault's SnakeYAML reads them (`!!binary`), and `permanent`. */
        function masterKeys(file: string): { permanent: unknown; keyStorePassword: string; privateKeyPassword: string } {
            const m = parseYaml(fs.readFileSync(file, "utf8"), { schema: "yaml-1.1" }) as any;
            return { permanent: m.permanent, keyStorePassword: Buffer.from(m.masterKeys.keyStorePassword).toString("utf8"), privateKeyPassword: Buffer.from(m.masterKeys.privateKeyPassword).toString("utf8") };
        }

        /** Every entry decrypted by the Java reader with the passwords of the master key file. */
        function decrypted(): Map<string, string> {
            const c = vaultConfig();
            const mk = masterKeys(c.masterKeys);
            const out = runOk("java", [reader, c.keystore, c.alias, mk.keyStorePassword, mk.privateKeyPassword, c.secrets], { timeoutMs: 60000 });
            return new Map(
                out
                    .trim()
                    .split("\n")
                    .map((l) => l.split("\t"))
                    .map(([k, v]) => [k, v === "!plain" ? v : Buffer.from(v, "base64").toString("utf8")] as [string, string]),
            );
        }

        before(function () {
            requireTool("keytool");
            requireTool("openssl");
            requireTool("java");
            home = shippedHome("si", "shipped-si.yaml", "si-vault-home");
            reader = path.join(dir, "VaultReader.java");
            fs.writeFileSync(reader, VAULT_READER);
            // A stand-in for the store the distribution ships: WSO2's alias and password, a key of its own.
            const shipped = path.join(home, PRODUCTS.si.layout.secureVault!.keystore);
            fs.mkdirSync(path.dirname(shipped), { recursive: true });
            runOk("keytool", ["-genkeypair", "-alias", "wso2carbon", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-validity", "30",
                "-keystore", shipped, "-storetype", "JKS", "-storepass", WSO2_DEFAULT_STORE_PASSWORD, "-keypass", WSO2_DEFAULT_STORE_PASSWORD], { timeoutMs: 60000 });
            fs.copyFileSync(shipped, path.join(dir, "si-shipped-vault.jks"));
            shippedFingerprint = entries(shipped, WSO2_DEFAULT_STORE_PASSWORD)!.get("wso2carbon")!.fingerprint;
            runSecrets("si", home);
        });

        it("the merged wso2.securevault names the spec's keystore, entries and master key files and our alias; WSO2's types stay", function () {
            const c = vaultConfig();
            const vault = PRODUCTS.si.layout.secureVault!;
            assert.equal(c.type, "org.wso2.carbon.secvault.repository.DefaultSecretRepository");
            assert.equal(c.reader, "org.wso2.carbon.secvault.reader.DefaultMasterKeyReader");
            assert.equal(c.keystore, path.join(home, vault.keystore));
            assert.equal(c.secrets, path.join(home, vault.secretsFile));
            assert.equal(c.masterKeys, path.join(home, vault.masterKeysFile));
            assert.equal(c.alias, SECURE_VAULT_KEY_ALIAS);
            assert.notEqual(c.alias, "wso2carbon");
        });

        it("the vault keystore opens with the node's password, not wso2carbon, and holds only a new key under the alias", function () {
            const c = vaultConfig();
            assert.equal(entries(c.keystore, WSO2_DEFAULT_STORE_PASSWORD), null, "wso2carbon no longer opens it");
            const found = entries(c.keystore, KEYSTORE_PASSWORD);
            assert.ok(found, "opens with the node's keystore password");
            assert.deepEqual([...found.keys()], [c.alias]);
            assert.equal(found.get(c.alias)!.type, "PrivateKeyEntry");
            for (const [alias, e] of found) assert.notEqual(e.fingerprint, shippedFingerprint, `${alias} is the shipped certificate`);
            assert.equal((fs.statSync(c.keystore).mode & 0o777).toString(8), "640");
        });

        it("master-keys.yaml holds the node's keystore password for both master keys", function () {
            const c = vaultConfig();
            assert.deepEqual(masterKeys(c.masterKeys), { permanent: false, keyStorePassword: KEYSTORE_PASSWORD, privateKeyPassword: KEYSTORE_PASSWORD });
            assert.equal((fs.statSync(c.masterKeys).mode & 0o777).toString(8), "600");
        });

        it("every entry is cipherText that the vault's way of decrypting turns into the expected value; no plain secret in the file", function () {
            const text = fs.readFileSync(vaultConfig().secrets, "utf8");
            for (const line of text.trim().split("\n")) assert.match(line, /^[a-z_]+=cipherText [A-Za-z0-9+/]+={0,2}$/, line);
            assert.ok(!text.includes(KEYSTORE_PASSWORD) && !text.includes(Buffer.from(ADMIN.password).toString("base64")), "no plain secret");
            // SI's user store takes the admin password base64-encoded.
            assert.deepEqual(
                decrypted(),
                new Map([
                    ["admin_password", Buffer.from(ADMIN.password).toString("base64")],
                    ["keystore_password", KEYSTORE_PASSWORD],
                ]),
            );
        });

        it("a second start keeps the vault key and writes entries it decrypts", function () {
            const c = vaultConfig();
            const before = entries(c.keystore, KEYSTORE_PASSWORD)!.get(c.alias)!.fingerprint;
            runSecrets("si", home);
            assert.equal(entries(c.keystore, KEYSTORE_PASSWORD)!.get(c.alias)!.fingerprint, before);
            assert.equal(decrypted().get("keystore_password"), KEYSTORE_PASSWORD);
        });

        it("JVM starts (10-20 s each in a VM without KVM): at most 3 on the first start (was 3), 1 on later ones (was 2)", function () {
            const countHome = shippedHome("si", "shipped-si.yaml", "si-count-home");
            const target = path.join(countHome, PRODUCTS.si.layout.secureVault!.keystore);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.copyFileSync(path.join(dir, "si-shipped-vault.jks"), target);
            const counter = jvmCounter(dir);
            runSecrets("si", countHome, keystoreArn, counter.env);
            const first = counter.take();
            runSecrets("si", countHome, keystoreArn, counter.env);
            const later = counter.take();
            assert.ok(first.length <= 3, `first start: ${first.length} JVM starts\n${first.join("\n")}`);
            assert.ok(later.length <= 1, `later start: ${later.length} JVM starts\n${later.join("\n")}`);
            assert.ok(first.some((c) => c.startsWith("keytool -genkeypair ")), "the first start makes the vault key");
        });

        it("a new keystore password: a new vault key under it, master keys and entries follow", function () {
            const c = vaultConfig();
            const before = entries(c.keystore, KEYSTORE_PASSWORD)!.get(c.alias)!.fingerprint;
            const rotated = "ks-Rotated-Value-0815";
            const arn = JSON.parse(moto.aws(["secretsmanager", "create-secret", "--name", "wso2-prod/keystore-rotated", "--secret-string", rotated])).ARN;
            runSecrets("si", home, arn);
            assert.equal(entries(c.keystore, KEYSTORE_PASSWORD), null);
            assert.notEqual(entries(c.keystore, rotated)!.get(c.alias)!.fingerprint, before);
            assert.equal(masterKeys(c.masterKeys).keyStorePassword, rotated);
            assert.equal(decrypted().get("keystore_password"), rotated);
        });
    });
});
