/**
 * The Kubernetes ConfigMap replaces the image's shipped deployment.toml as a whole: for every product and
 * version Kubernetes supports, the rendered file holds every key the configuration model says only the
 * shipped file supplies (products/model completeFileKeys, derived from WSO2's shipped files and defaults),
 * with and without a database; and check-config in complete mode finds a dropped section.
 */
import { strict as assert } from "assert";
import { parse as parseToml } from "smol-toml";
import { renderProductConfig } from "../../components/kubernetes";
import { PRODUCTS, type ProductId } from "../../products";
import { checkConfig, completeFileKeys, flattenToml, modelVersions, productModel } from "../../products/model";
import { input } from "./fixtures";

const DATABASE = {
    host: "wso2.cluster-abc.eu-west-1.rds.amazonaws.com",
    port: 5432,
    databases: { apim_db: "wso2am_db", shared_db: "wso2shared_db", identity_db: "wso2identity_db", coordination_db: "wso2coord_db" },
    runtimeUsername: "wso2_runtime",
    secretName: "wso2-database",
    caSecretName: "wso2-database-ca",
};

const KUBERNETES_PRODUCTS: ProductId[] = ["apim", "mi", "is"];

function rendered(product: ProductId, version: string, database: boolean): string {
    return renderProductConfig(input({ productVersion: version, ...(database ? { database: DATABASE } : {}) }, product), "blue");
}

/** `text` without the TOML table (or array of tables) named `section`: what a dropped section looks like. */
function dropSection(text: string, section: string): string {
    const out: string[] = [];
    let skipping = false;
    for (const line of text.split("\n")) {
        const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*$/.exec(line);
        if (header) skipping = header[1] === section || header[1].startsWith(`${section}.`);
        if (!skipping) out.push(line);
    }
    return out.join("\n");
}

describe("Kubernetes deployment.toml: complete in place of the shipped file", function () {
    this.timeout(60000);

    it("the model derives shipped-only keys for every deployment.toml product version, the ones the issue names among them", function () {
        for (const product of KUBERNETES_PRODUCTS) {
            for (const version of modelVersions(product)) {
                assert.ok(completeFileKeys(productModel(product, version)).length > 0, `${product} ${version}`);
            }
        }
        const apim = completeFileKeys(productModel("apim", "4.3.0"));
        const ref = (list: typeof apim, key: string) => list.find((s) => s.key === key)?.class;
        assert.equal(ref(apim, "database.shared_db.url"), "ref", "kernel default.json: governance cache id = $ref{database.shared_db.*}");
        assert.equal(ref(apim, "database.apim_db.username"), "unset");
        assert.equal(ref(apim, "apim.gateway.environment"), "unset");
        assert.equal(ref(apim, "user_store.type"), "differs", "kernel default `database`, API-M ships `database_unique_id`");
        assert.ok(!apim.some((s) => s.key.startsWith("keystore.tls")), "keystore.tls is left to its default ($ref keystore.primary)");
        assert.equal(ref(completeFileKeys(productModel("is", "7.0.0")), "server.node_ip"), "ref");
        assert.equal(ref(completeFileKeys(productModel("mi", "4.3.0")), "server.hostname"), "ref");
    });

    for (const product of KUBERNETES_PRODUCTS) {
        for (const version of modelVersions(product)) {
            for (const database of [false, true]) {
                it(`${product} ${version} ${database ? "with a database" : "with the embedded H2"}: every key the model requires is rendered, and check-config --complete passes`, function () {
                    const text = rendered(product, version, database);
                    const flat = flattenToml(parseToml(text) as Record<string, unknown>);
                    const model = productModel(product, version);
                    const missing = completeFileKeys(model).filter((s) => !flat.has(s.key));
                    assert.deepEqual(missing, [], `${product} ${version}: keys only the shipped file supplies are missing`);
                    const result = checkConfig(text, model, { complete: true });
                    const errors = result.findings.filter((f) => f.severity === "error");
                    assert.deepEqual(errors.map((f) => `${f.key}: ${f.message}`), [], `${product} ${version}: error-level findings`);
                    assert.ok(!result.findings.some((f) => f.id === "missing-key"), JSON.stringify(result.findings.filter((f) => f.id === "missing-key")));
                    // The hardened values, not the shipped ones.
                    // The TLS store is the primary one (what the kernel's default refers it to), said explicitly
                    // (MI reads no keystore.tls).
                    if (product !== "mi") for (const k of ["file_name", "password", "alias", "key_password"]) assert.equal(flat.get(`keystore.tls.${k}`), flat.get(`keystore.primary.${k}`), `keystore.tls.${k}`);
                    assert.notEqual(flat.get("super_admin.password"), "admin");
                    if (database) {
                        for (const [key, value] of flat) {
                            if (/^database\.[^.]+\.url$/.test(key)) assert.match(String(value), /^jdbc:postgresql:.*sslmode=verify-full/, key);
                        }
                    } else {
                        const h2 = [...flat].filter(([k]) => /^database\.[^.]+\.url$/.test(k));
                        for (const [key, value] of h2) assert.match(String(value), /^jdbc:h2:\.\/repository\/database\//, key);
                        // The H2 files' fixed password comes through Secure Vault, never as a literal.
                        for (const [key] of h2) assert.equal(flat.get(key.replace(/url$/, "password")), "$secret{database_password}", key);
                    }
                });
            }
        }
    }

    it("check-config --complete fails when a required section is dropped, and names it", function () {
        const cases: [ProductId, string, string, string][] = [
            ["apim", "4.3.0", "database.shared_db", "database.shared_db.url"],
            ["apim", "4.5.0", "database.apim_db", "database.apim_db.url"],
            ["apim", "4.3.0", "apim.gateway.environment", "apim.gateway.environment"],
            ["is", "7.0.0", "database.identity_db", "database.identity_db.url"],
            ["is", "7.1.0", "database.shared_db", "database.shared_db.username"],
            ["mi", "4.3.0", "user_store", "user_store.type"],
        ];
        for (const [product, version, section, key] of cases) {
            const text = rendered(product, version, false);
            const model = productModel(product, version);
            const dropped = dropSection(text, section);
            assert.notEqual(dropped, text, `${section} is in the rendered ${product} file`);
            const missing = completeFileKeys(model).filter((s) => !flattenToml(parseToml(dropped) as Record<string, unknown>).has(s.key));
            assert.ok(missing.some((s) => s.key === key), `${product} ${version}: dropping ${section} loses ${key}`);
            const findings = checkConfig(dropped, model, { complete: true }).findings;
            assert.ok(findings.some((f) => f.id === "missing-key" && f.key === key), `${product} ${version}: missing-key ${key}`);
            // As an overlay (merged on the node) the same file is not judged for shipped keys.
            assert.ok(!checkConfig(dropped, model).findings.some((f) => f.id === "missing-key" && f.key === key && key !== "server.node_ip"));
        }
        const severity = (product: ProductId, version: string, section: string, key: string) =>
            checkConfig(dropSection(rendered(product, version, false), section), productModel(product, version), { complete: true }).findings.find((f) => f.key === key)?.severity;
        assert.equal(severity("apim", "4.3.0", "database.shared_db", "database.shared_db.url"), "error", "a $ref target: the config mapper stops");
        assert.equal(severity("is", "7.0.0", "database.identity_db", "database.identity_db.url"), "error", "a datasource without a URL");
        assert.equal(severity("apim", "4.3.0", "user_store", "user_store.type"), "warning", "the kernel's default store is in force");
    });

    it("SI has no deployment.toml on Kubernetes, and the catalog's versions are the model's first", function () {
        assert.throws(() => renderProductConfig(input({}, "si"), "blue"), /Kubernetes supports the deployment.toml products/);
        for (const product of KUBERNETES_PRODUCTS) assert.equal(modelVersions(product)[0], PRODUCTS[product].defaultVersion);
    });
});
