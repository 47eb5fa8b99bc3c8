/**
 * The node's secrets step, run for real (bash, python3, the aws CLI against moto_server): it merges the
 * rendered overlay into the distribution's shipped file, keeps that file for the next start, adds the
 * Secure Vault entries and the environment the configuration reads. A stand-in cipher tool (the product's
 * is not here) replaces bracketed values the way WSO2's does, so no plain password stays in the file.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { HOST_SCRIPTS, MERGE_CONFIG_TOOL, nodeScriptFile, renderDeploymentToml, renderSiDeploymentYaml } from "../../components/host";
import { PRODUCTS, type ProductId } from "../../products";
import { nodeInput } from "../host/fixtures";
import { Moto, requireTool, runOk, step, tempDir, writeNodeEnv } from "../host/helpers";

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

    function runSecrets(product: ProductId, home: string): void {
        const spec = PRODUCTS[product];
        const input = { product: spec, productVersion: "", hostname: "api.example.com", clustering: spec.clusteringPorts.length > 0 ? { scheme: "aws" as const, region: "eu-west-1", tagKey: "wso2:cluster", tagValue: "wso2-prod" } : undefined };
        const rendered = path.join(dir, `${product}-rendered`);
        fs.writeFileSync(rendered, spec.layout.configFormat === "toml" ? renderDeploymentToml(input) : renderSiDeploymentYaml(input));
        const settings = writeNodeEnv(dir, `${product}.env`, nodeInput(product, { adminSecretArn: adminArn, keystoreSecretArn: keystoreArn, testAws: { endpointUrl: moto.endpoint } }));
        runOk("bash", [step(HOST_SCRIPTS.secrets)], {
            env: moto.stepEnv(settings, { WSO2_HOME: home, RENDERED_CONFIG: rendered, ADMIN_ENV_FILE: path.join(home, "admin.env"), MERGE_CONFIG: MERGE, NODE_IP: "10.0.1.23" }),
            timeoutMs: 90000,
        });
    }

    function shippedHome(product: ProductId, fixture: string): string {
        const home = path.join(dir, `${product}-home`);
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
        assert.match(text, new RegExp(`^keystore_password=plainText ${KEYSTORE_PASSWORD}$`, "m"));
        assert.match(text, new RegExp(`^admin_password=plainText ${Buffer.from(ADMIN.password).toString("base64")}$`, "m"));
        assert.equal((fs.statSync(secrets).mode & 0o777).toString(8), "600");
        for (const m of JSON.stringify(doc).matchAll(/\$\{sec:([^}]+)\}/g)) assert.match(text, new RegExp(`^${m[1]}=`, "m"), m[1]);
    });
});
