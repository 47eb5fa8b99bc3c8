/**
 * `wso2-harden check-config` through the real CLI (node cli/bin/wso2-harden.js) on hand-written files
 * (test/fixtures/check-config/): an out-of-box file, a Helm-chart-like one, one misspelled key, a missing
 * protocol list, and bad input.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { spawnSync } from "child_process";
import { tomlKeyLine } from "../../cli/check-config";

const ROOT = path.join(__dirname, "..", "..");
const CLI = path.join(ROOT, "cli", "bin", "wso2-harden.js");
const FIXTURES = path.join(ROOT, "test", "fixtures", "check-config");

function cli(args: string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [CLI, "check-config", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60000 });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json(file: string, product: string, extra: string[] = []) {
    const r = cli([path.resolve(FIXTURES, file), "--product", product, "--format", "json", ...extra]);
    return { ...r, report: JSON.parse(r.stdout) as { product: string; version: string; findings: { id: string; severity: string; key: string; message: string }[]; effective: { tls: Record<string, { protocols: string[]; ciphers: string[] }> } } };
}

const has = (findings: { id: string; severity: string; key: string }[], id: string, key: string, severity = "error") =>
    findings.some((f) => f.id === id && f.key === key && f.severity === severity);

describe("check-config (CLI)", function () {
    this.timeout(120000);

    it("out-of-box file: admin/admin, the wso2carbon stores and the TLS defaults in force are errors, exit 1", function () {
        const { status, report } = json("out-of-box.toml", "apim");
        assert.equal(status, 1);
        assert.deepEqual([report.product, report.version], ["apim", "4.3.0"]);
        const f = report.findings;
        assert.ok(has(f, "default-credential", "super_admin.username"));
        assert.ok(has(f, "default-credential", "super_admin.password"));
        assert.ok(has(f, "default-credential", "keystore.primary.password"));
        assert.ok(has(f, "default-credential", "keystore.primary.alias"), "absent alias: the public default key");
        assert.ok(has(f, "default-credential", "truststore.password"));
        // No TLS key at all: each transport's default is reported as in force.
        assert.deepEqual(report.effective.tls["servlet-https"].protocols, ["TLSv1", "TLSv1.1", "TLSv1.2"]);
        assert.deepEqual(report.effective.tls["amqp-ssl"].protocols, ["TLSv1"]);
        assert.ok(has(f, "weak-tls-protocol", "broker.transport.amqp.ssl_connection.ssl_enabled_protocols"));
        assert.ok(has(f, "weak-tls-protocol", "transport.binary.receiver.sslEnabledProtocols"));
        assert.ok(has(f, "weak-cipher", "transport.binary.receiver.ciphers", "warning"), "the shipped CBC suites");
        assert.ok(has(f, "plaintext-transport", "servlet-http", "warning"));
        assert.match(f.find((x) => x.key === "servlet-http")!.message, /no key closes it; contained by the host firewall/);
        assert.ok(has(f, "missing-key", "http_header_security_filter.hsts.enabled", "warning"), "HSTS off by the kernel's default");
        assert.ok(has(f, "missing-key", "transport.https.properties.server", "warning"), "Server header");
        assert.ok(!f.some((x) => x.id === "admin-wsdl-exposed"), "admin WSDLs are off by default");
        // MI: its defaults include admin/admin for the super admin and the management API's file store.
        const mi = json("out-of-box.toml", "mi").report.findings;
        assert.ok(has(mi, "default-credential", "internal_apis.users"));
        assert.ok(has(mi, "default-credential", "encryption.key"), "SECRET_KEY");
        assert.ok(has(mi, "plaintext-transport", "management_api.protocols"), "management API over HTTP on the health-check port");
        assert.ok(has(mi, "missing-key", "keystore.primary.file_name"), "MI resolves the bare name against its home");
    });

    it("--complete: a file that replaces the shipped one and lacks its datasources and gateway environment is told so; without it the file is an overlay", function () {
        // out-of-box.toml has no [database.*] and no [[apim.gateway.environment]]: as an overlay merged into the
        // shipped file that is fine; in place of it, the kernel's $ref{database.shared_db.*} cannot resolve.
        const complete = json("out-of-box.toml", "apim", ["--complete"]);
        assert.equal(complete.status, 1);
        assert.ok(has(complete.report.findings, "missing-key", "database.shared_db.url"), "a $ref target: error");
        assert.ok(has(complete.report.findings, "missing-key", "database.apim_db.username"), "a datasource without its user: error");
        assert.ok(has(complete.report.findings, "missing-key", "apim.gateway.environment", "warning"));
        assert.ok(!complete.report.findings.some((f) => f.key === "user_store.type"), "the file sets the shipped user store type");
        const overlay = json("out-of-box.toml", "apim").report.findings;
        assert.ok(!overlay.some((f) => f.id === "missing-key" && (f.key.startsWith("database.") || f.key === "apim.gateway.environment")));
        const is = json("out-of-box.toml", "is", ["--complete"]).report.findings;
        assert.ok(has(is, "missing-key", "database.identity_db.url"));
        assert.ok(has(is, "missing-key", "server.node_ip"));
    });

    it("Helm-chart-like file: +TLSv1, +TLSv1.1 and an RC4 suite are errors naming them", function () {
        const { status, report } = json("helm-like.toml", "apim");
        assert.equal(status, 1);
        const protocols = report.findings.find((f) => f.key === "transport.https.sslHostConfig.properties.protocols")!;
        assert.equal(protocols.id, "weak-tls-protocol");
        assert.match(protocols.message, /accepts TLSv1, TLSv1\.1;/);
        const ciphers = report.findings.find((f) => f.key === "transport.https.sslHostConfig.properties.ciphers" && f.severity === "error")!;
        assert.equal(ciphers.id, "weak-cipher");
        assert.match(ciphers.message, /TLS_RSA_WITH_RC4_128_SHA/);
        assert.deepEqual(report.effective.tls["servlet-https"], { protocols: ["TLSv1", "TLSv1.1", "TLSv1.2"], ciphers: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_RC4_128_SHA"] });
        assert.ok(!report.findings.some((f) => f.id === "default-credential" && f.key.startsWith("super_admin")), "vault references are not defaults");
    });

    it("one misspelled key: found as unknown-key, and its consequence (the default protocols) too", function () {
        const { status, report } = json("misspelled.toml", "is");
        assert.equal(status, 1);
        assert.ok(has(report.findings, "unknown-key", "transport.https.sslHostConfig.properties.protocol"));
        assert.ok(has(report.findings, "weak-tls-protocol", "transport.https.sslHostConfig.properties.protocols"));
        assert.deepEqual(report.effective.tls["servlet-https"].protocols, ["TLSv1", "TLSv1.1", "TLSv1.2"]);
        assert.equal(report.findings.filter((f) => f.severity === "error").length, 2, JSON.stringify(report.findings));
    });

    it("a file missing `protocols`: the default in force is reported", function () {
        const { status, report } = json("missing-protocols.toml", "is");
        assert.equal(status, 1);
        const f = report.findings.find((x) => x.key === "transport.https.sslHostConfig.properties.protocols")!;
        assert.equal(f.id, "weak-tls-protocol");
        assert.match(f.message, /is absent: is 7\.0\.0's default TLSv1,TLSv1\.1,TLSv1\.2 is in force/);
        assert.ok(!report.findings.some((x) => x.id === "unknown-key"));
        // The same file for IS 7.1 is judged against 7.1's defaults (same list there).
        assert.equal(json("missing-protocols.toml", "is", ["--version", "7.1.0"]).report.version, "7.1.0");
    });

    it("text and SARIF: the same findings; SARIF points at the key's line", function () {
        const text = cli([path.join(FIXTURES, "helm-like.toml"), "--product", "apim"]);
        assert.equal(text.status, 1);
        assert.match(text.stdout, /^error {3}weak-cipher {9}transport\.https\.sslHostConfig\.properties\.ciphers$/m);
        assert.match(text.stdout, /TLS in force:\n {2}servlet-https: protocols TLSv1,TLSv1\.1,TLSv1\.2/);
        const sarif = cli([path.join(FIXTURES, "helm-like.toml"), "--product", "apim", "--format", "sarif"]);
        const doc = JSON.parse(sarif.stdout);
        assert.equal(doc.version, "2.1.0");
        const run = doc.runs[0];
        assert.deepEqual(run.tool.driver.rules.map((r: any) => r.id), ["unknown-key", "default-credential", "weak-tls-protocol", "weak-cipher", "plaintext-transport", "admin-wsdl-exposed", "missing-key"]);
        const rc4 = run.results.find((r: any) => r.ruleId === "weak-cipher" && r.level === "error");
        assert.equal(rc4.locations[0].physicalLocation.region.startLine, 24, "the ciphers line of helm-like.toml");
        assert.equal(rc4.locations[0].physicalLocation.artifactLocation.uri, "test/fixtures/check-config/helm-like.toml");
        assert.equal(tomlKeyLine("[a]\nb = 1\n[c.d]\ne = 2\n", "c.d.e"), 4);
    });

    it("admin WSDLs turned on are an error (kernel products and MI have their own key)", function () {
        const dir = require("fs").mkdtempSync(path.join(require("os").tmpdir(), "check-config-"));
        try {
            const kernel = path.join(dir, "kernel.toml");
            require("fs").writeFileSync(kernel, "[admin_service.wsdl]\nenable = true\n");
            assert.ok(has(json(kernel, "is").report.findings, "admin-wsdl-exposed", "admin_service.wsdl.enable"));
            const mi = path.join(dir, "mi.toml");
            require("fs").writeFileSync(mi, "[server]\nhide_admin_service_wsdl = false\n");
            assert.ok(has(json(mi, "mi").report.findings, "admin-wsdl-exposed", "server.hide_admin_service_wsdl"));
        } finally {
            require("fs").rmSync(dir, { recursive: true, force: true });
        }
    });

    it("SI reads deployment.yaml", function () {
        const r = json("../config-model/shipped-si.yaml", "si");
        assert.equal(r.status, 1);
        assert.ok(has(r.report.findings, "default-credential", "auth.configs.userManager.userStore.users"));
        assert.deepEqual(r.report.effective.tls["msf4j-https"].protocols, ["jvm-default"]);
    });

    it("bad input exits 2 naming the problem: a file that does not parse (with its line), unknown product, version, format, missing file", function () {
        const bad = cli([path.join(FIXTURES, "unparseable.toml"), "--product", "mi"]);
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /unparseable\.toml:4: does not parse/);
        assert.equal(cli([path.join(FIXTURES, "out-of-box.toml"), "--product", "esb"]).status, 2);
        const version = cli([path.join(FIXTURES, "out-of-box.toml"), "--product", "apim", "--version", "4.2.0"]);
        assert.equal(version.status, 2);
        assert.match(version.stderr, /--version "4\.2\.0" is not a version of apim the configuration model knows \(4\.3\.0, 4\.5\.0\)/);
        assert.equal(cli([path.join(FIXTURES, "out-of-box.toml"), "--product", "apim", "--format", "xml"]).status, 2);
        assert.match(cli([path.join(FIXTURES, "nope.toml"), "--product", "apim"]).stderr, /cannot read .*nope\.toml: ENOENT/);
        assert.equal(cli(["--product", "apim"]).status, 2);
    });
});
