/**
 * The product install step against a local S3 (moto_server): a distribution whose SHA-256 matches is
 * installed; a wrong checksum, a missing object or no distribution at all fail the step with a line saying
 * so. The boot driver runs the steps as units in order and stops at the first failure, naming it.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { HOST_SCRIPTS, nodeSettings, parseNodeEnv, renderNodeEnv } from "../../components/host";
import { PRODUCTS, productHome } from "../../products";
import { nodeInput } from "./fixtures";
import { Moto, requireTool, run, runOk, step, stepEnv, tempDir, writeNodeEnv, writeScript } from "./helpers";

const spec = PRODUCTS.apim;
const HOME = productHome(spec, "");
const BUCKET = "wso2-dist";

/** A zip with the product's top directory and start script, built with Python's zipfile. */
function buildZip(file: string): string {
    const top = path.basename(HOME);
    runOk("python3", ["-c", [
        "import sys, zipfile",
        "z = zipfile.ZipFile(sys.argv[1], 'w')",
        "z.writestr(sys.argv[2] + '/' + sys.argv[3], '#!/bin/sh\\necho started\\n')",
        "z.writestr(sys.argv[2] + '/repository/conf/deployment.toml', '[server]\\n')",
        "z.close()",
    ].join("\n"), file, top, spec.layout.startScript]);
    return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

describe("install-product step against a local S3 (moto_server)", function () {
    this.timeout(120000);
    const moto = new Moto();
    let dir = "";
    let sha = "";
    const settings = (name: string, distribution?: { s3Uri: string; sha256: string }) =>
        writeNodeEnv(dir, name, nodeInput("apim", { distribution, testAws: { endpointUrl: moto.endpoint } }));
    const install = (settingsFile: string, root: string) => run("bash", [step(HOST_SCRIPTS.installProduct)], { env: moto.stepEnv(settingsFile, { ROOT: root }), timeoutMs: 60000 });

    before(async function () {
        requireTool("unzip");
        dir = tempDir("dist");
        await moto.start();
        moto.aws(["s3api", "create-bucket", "--bucket", BUCKET, "--create-bucket-configuration", "LocationConstraint=eu-west-1"]);
        sha = buildZip(path.join(dir, "wso2am.zip"));
        moto.aws(["s3", "cp", path.join(dir, "wso2am.zip"), `s3://${BUCKET}/wso2am-4.3.0.zip`]);
    });
    after(async function () {
        await moto.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("installs a distribution whose SHA-256 matches, then leaves it alone", function () {
        const root = path.join(dir, "ok");
        const file = settings("ok.env", { s3Uri: `s3://${BUCKET}/wso2am-4.3.0.zip`, sha256: sha });
        const r = install(file, root);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`installed s3://${BUCKET}/wso2am-4.3.0.zip \\(SHA-256 ${sha}\\)`));
        const start = path.join(root, HOME.slice(1), spec.layout.startScript);
        assert.equal(fs.readFileSync(start, "utf8"), "#!/bin/sh\necho started\n");
        assert.equal(fs.statSync(start).mode & 0o111, 0o110, "the start script is executable");
        assert.deepEqual(fs.readdirSync(path.dirname(path.join(root, HOME.slice(1)))), [path.basename(HOME)], "nothing left beside the home");
        const again = install(file, root);
        assert.equal(again.status, 0, again.stderr);
        assert.match(again.stdout, /already holds the product/);
    });

    it("refuses a distribution whose SHA-256 differs, and installs nothing", function () {
        const root = path.join(dir, "bad-sum");
        const wrong = sha.replace(/^./, (c) => (c === "0" ? "1" : "0"));
        const r = install(settings("bad.env", { s3Uri: `s3://${BUCKET}/wso2am-4.3.0.zip`, sha256: wrong }), root);
        assert.equal(r.status, 1);
        assert.match(r.stderr, new RegExp(`^wso2-install-product: the distribution s3://${BUCKET}/wso2am-4.3.0.zip has SHA-256 ${sha}, expected ${wrong}: refusing to install it$`, "m"));
        assert.ok(!fs.existsSync(path.join(root, HOME.slice(1))));
    });

    it("fails when the object cannot be read, and when no distribution is configured and the image has no product", function () {
        const missing = install(settings("missing.env", { s3Uri: `s3://${BUCKET}/nope.zip`, sha256: sha }), path.join(dir, "missing"));
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /wso2-install-product: cannot download the distribution s3:\/\/wso2-dist\/nope\.zip/);
        const none = install(settings("none.env"), path.join(dir, "none"));
        assert.equal(none.status, 1);
        assert.match(none.stderr, /wso2-install-product: the product is not installed .* no distribution is configured: set distributionS3Uri and distributionSha256, or productAmiId/);
    });
});

describe("boot driver (systemd-run and systemctl recorded by stand-ins)", function () {
    let dir = "";
    before(() => {
        dir = tempDir("boot");
    });
    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Stand-ins that log their arguments; systemd-run fails for the unit named in FAIL_UNIT. */
    function shims(): string {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin, { recursive: true });
        const log = 'printf "%s %s\\n" "$(basename "$0")" "$*" >>"$CALLS"\n';
        writeScript(bin, "systemctl", `#!/bin/sh\n${log}`);
        writeScript(bin, "journalctl", `#!/bin/sh\n${log}echo "step output"\n`);
        writeScript(bin, "systemd-run", `#!/bin/sh\n${log}case "$*" in *"--unit=$FAIL_UNIT "*) exit 1;; esac\n`);
        return bin;
    }

    it("runs every step as a unit in order, then starts the product; the first failure stops it with a line naming the unit", function () {
        const bin = shims();
        const settings = writeNodeEnv(dir, "node.env", nodeInput("apim"));
        const calls = path.join(dir, "calls");
        const env = (fail: string) => stepEnv(settings, { PATH: `${bin}:${process.env.PATH}`, CALLS: calls, FAIL_UNIT: fail });
        const ok = run("bash", [step(HOST_SCRIPTS.boot)], { env: env("none") });
        assert.equal(ok.status, 0, ok.stderr);
        const units = fs.readFileSync(calls, "utf8").split("\n").filter((l) => l.startsWith("systemd-run")).map((l) => /--unit=(\S+)/.exec(l)![1]);
        assert.deepEqual(units, ["wso2-install-packages", "wso2-fetch-steps", "wso2-install-product", "wso2-setup-user", "wso2-configure", "wso2-keystore", "wso2-cluster-peers"].map((s) => `wso2-boot-${s}.service`));
        // The timers start last, once the product runs: their runs would compete with the boot.
        assert.match(fs.readFileSync(calls, "utf8"), /systemctl enable --now wso2\.service\nsystemctl start wso2-backup\.timer apt-daily-upgrade\.timer wso2-cluster-peers\.timer\n$/);

        fs.rmSync(calls);
        const failed = run("bash", [step(HOST_SCRIPTS.boot)], { env: env("wso2-boot-wso2-install-product.service") });
        assert.equal(failed.status, 1);
        assert.match(failed.stderr, /step output\nwso2-boot: step wso2-install-product failed; see systemctl status wso2-boot-wso2-install-product\.service/);
        const log = fs.readFileSync(calls, "utf8");
        assert.doesNotMatch(log, /wso2-setup-user|enable --now|systemctl start/, "nothing after the failed step runs");
    });

    it("the configure step enables the timers without starting them (the boot driver starts them last)", function () {
        const bin = shims();
        writeScript(bin, "augenrules", "#!/bin/sh\n");
        const home = path.join(dir, "home");
        const config = path.join(dir, "config");
        fs.mkdirSync(home, { recursive: true });
        fs.mkdirSync(config, { recursive: true });
        fs.writeFileSync(path.join(config, "log4j2.properties"), "");
        const settings = writeNodeEnv(dir, "configure.env", nodeInput("apim"));
        const calls = path.join(dir, "configure-calls");
        const env = stepEnv(settings, {
            PATH: `${bin}:${process.env.PATH}`,
            CALLS: calls,
            WSO2_HOME: home,
            CONFIG_DIR: config,
            LOG4J2_FILE: "log4j2.properties",
            SSH_ENABLED: "no",
            // Without the CloudWatch agent the step fails unless it runs against a test endpoint.
            WSO2_TEST_AWS_ENDPOINT_URL: "http://127.0.0.1:9",
        });
        const r = run("bash", [step(HOST_SCRIPTS.configure)], { env });
        assert.equal(r.status, 0, r.stderr);
        const log = fs.readFileSync(calls, "utf8");
        assert.match(log, /^systemctl enable wso2-backup\.timer apt-daily-upgrade\.timer wso2-cluster-peers\.timer$/m);
        assert.doesNotMatch(log, /systemctl (start|enable --now|restart) [^\n]*\.timer/, "no timer runs during the boot");
    });
});

describe("the settings file (node.env)", function () {
    it("parseNodeEnv reads what renderNodeEnv writes exactly as load_settings in node-lib.sh does", function () {
        const dir = tempDir("settings");
        try {
            const settings = nodeSettings(nodeInput("apim"));
            const file = path.join(dir, "node.env");
            fs.writeFileSync(file, renderNodeEnv(settings));
            const parsed = parseNodeEnv(fs.readFileSync(file, "utf8"));
            assert.deepEqual(parsed, settings);
            // The node's own reader, value by value (NUL-separated, so any value survives).
            const names = Object.keys(settings);
            const script = `. "$WSO2_NODE_LIB"; load_settings; for n in ${names.join(" ")}; do printf '%s=%s\\0' "$n" "\${!n}"; done`;
            const out = runOk("bash", ["-c", script], { env: stepEnv(file, {}, { PATH: process.env.PATH }) });
            const byBash = Object.fromEntries(out.split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
            assert.deepEqual(byBash, parsed);
            assert.throws(() => parseNodeEnv("REGION=eu-west-1\n"), /malformed line "REGION=eu-west-1"/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
