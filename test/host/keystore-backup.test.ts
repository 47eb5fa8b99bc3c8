/**
 * Against a local AWS API (moto_server): the keystore step with the real keytool, and backup then restore
 * round-tripping byte for byte.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { HOST_SCRIPTS, WSO2_DEFAULT_STORE_PASSWORD } from "../../components/host";
import type { NodeHostInput } from "../../components/host/types";
import { PRODUCTS, productHome } from "../../products";
import { nodeInput } from "./fixtures";
import { jvmCounter, Moto, requireTool, run, runOk, snapshot, step, tempDir, writeNodeEnv } from "./helpers";

const spec = PRODUCTS.apim;
const HOME = productHome(spec, "");
const BUCKET = "wso2-test-backups";
const PREFIX = "wso2-prod";
const PASSWORD = "correct-horse-battery-staple-42";
const UID = 802;

function keytool(args: string[], env: NodeJS.ProcessEnv = {}): string {
    return runOk("keytool", args, { env: { ...process.env, ...env }, timeoutMs: 60000 });
}

/** A product home as shipped: wso2carbon key in the keystore, its certificate twice in the truststore plus a CA. */
function shippedHome(root: string, dir: string): void {
    const sec = path.join(root, HOME.slice(1), "repository/resources/security");
    fs.mkdirSync(sec, { recursive: true });
    const ks = path.join(sec, "wso2carbon.jks");
    const ts = path.join(sec, "client-truststore.jks");
    const env = { STOREPASS: WSO2_DEFAULT_STORE_PASSWORD };
    const common = ["-storetype", "JKS", "-storepass:env", "STOREPASS"];
    if (!fs.existsSync(path.join(dir, "shipped-ks.jks"))) {
        keytool(["-genkeypair", "-alias", "wso2carbon", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-keystore", path.join(dir, "shipped-ks.jks"), "-keypass:env", "STOREPASS", ...common], env);
        keytool(["-exportcert", "-rfc", "-alias", "wso2carbon", "-keystore", path.join(dir, "shipped-ks.jks"), "-file", path.join(dir, "wso2carbon.pem"), ...common], env);
        keytool(["-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=Some CA", "-keystore", path.join(dir, "ca.jks"), "-keypass:env", "STOREPASS", ...common], env);
        keytool(["-exportcert", "-rfc", "-alias", "ca", "-keystore", path.join(dir, "ca.jks"), "-file", path.join(dir, "ca.pem"), ...common], env);
        for (const [alias, pem] of [["wso2carbon", "wso2carbon.pem"], ["gateway_certificate_alias", "wso2carbon.pem"], ["someca", "ca.pem"]]) {
            keytool(["-importcert", "-noprompt", "-alias", alias, "-file", path.join(dir, pem), "-keystore", path.join(dir, "shipped-ts.jks"), ...common], env);
        }
    }
    fs.copyFileSync(path.join(dir, "shipped-ks.jks"), ks);
    fs.copyFileSync(path.join(dir, "shipped-ts.jks"), ts);
}

function listVerbose(store: string): string {
    return keytool(["-list", "-v", "-storetype", "JKS", "-keystore", store, "-storepass:env", "P"], { P: PASSWORD });
}

function fingerprints(listing: string): string[] {
    return [...listing.matchAll(/SHA256: ([0-9A-F:]+)/g)].map((m) => m[1]);
}

describe("keystore, backup and restore against a local AWS API (moto_server, keytool, aws CLI)", function () {
    this.timeout(120000);
    const moto = new Moto();
    let dir = "";
    let secretArn = "";

    before(async function () {
        requireTool("keytool");
        requireTool("tar");
        dir = tempDir("ks");
        await moto.start();
        moto.aws(["s3api", "create-bucket", "--bucket", BUCKET, "--create-bucket-configuration", "LocationConstraint=eu-west-1"]);
        secretArn = JSON.parse(moto.aws(["secretsmanager", "create-secret", "--name", "wso2-prod/keystore", "--secret-string", PASSWORD])).ARN;
    });

    after(async function () {
        await moto.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** The node's settings file for this test's moto, with `overrides`. */
    const settings = (name: string, overrides: Partial<NodeHostInput> = {}) =>
        writeNodeEnv(dir, name, nodeInput("apim", {
            region: "eu-west-1",
            wso2Uid: UID,
            domainName: "api.example.com",
            keystoreSecretArn: secretArn,
            backupBucket: BUCKET,
            backupPrefix: PREFIX,
            testAws: { endpointUrl: moto.endpoint },
            ...overrides,
        }));
    const keystore = step(HOST_SCRIPTS.keystore);

    it("replaces the wso2carbon key with RSA 3072 SHA256withRSA and removes the default certificate from the truststore", function () {
        const root = path.join(dir, "node1");
        shippedHome(root, dir);
        const defaultFp = fingerprints(keytool(["-printcert", "-file", path.join(dir, "wso2carbon.pem")]))[0];
        runOk("bash", [keystore], { env: moto.stepEnv(settings("node.env"), { ROOT: root }), timeoutMs: 90000 });

        const sec = path.join(root, HOME.slice(1), "repository/resources/security");
        const ks = listVerbose(path.join(sec, "wso2carbon.jks"));
        assert.match(ks, /Alias name: wso2node/);
        assert.doesNotMatch(ks, /Alias name: wso2carbon/);
        assert.match(ks, /Your keystore contains 1 entry/);
        assert.match(ks, /Signature algorithm name: SHA256withRSA/);
        assert.match(ks, /Subject Public Key Algorithm: 3072-bit RSA key/);
        assert.match(ks, /Owner: CN=api\.example\.com/);
        assert.ok(!fingerprints(ks).includes(defaultFp));

        const ts = listVerbose(path.join(sec, "client-truststore.jks"));
        assert.ok(!fingerprints(ts).includes(defaultFp), "default certificate still trusted");
        assert.doesNotMatch(ts, /Alias name: (wso2carbon|gateway_certificate_alias)/);
        assert.match(ts, /Alias name: someca/);
        assert.match(ts, /Alias name: wso2node/);
        for (const f of ["wso2carbon.jks", "client-truststore.jks"]) {
            const st = fs.statSync(path.join(sec, f));
            assert.equal((st.mode & 0o777).toString(8), "640", f);
            assert.equal(`${st.uid}:${st.gid}`, `0:${UID}`, f);
        }
        // The default password no longer opens either store.
        for (const f of ["wso2carbon.jks", "client-truststore.jks"]) {
            const r = run("keytool", ["-list", "-storetype", "JKS", "-keystore", path.join(sec, f), "-storepass:env", "P"], { env: { ...process.env, P: WSO2_DEFAULT_STORE_PASSWORD } });
            assert.notEqual(r.status, 0, f);
        }
    });

    it("a second run changes nothing, and a second node gets the same key from the cluster's copy", function () {
        const root = path.join(dir, "node1");
        const before = snapshot(root);
        runOk("bash", [keystore], { env: moto.stepEnv(settings("node.env"), { ROOT: root }), timeoutMs: 90000 });
        assert.deepEqual(snapshot(root), before);

        const root2 = path.join(dir, "node2");
        shippedHome(root2, dir);
        runOk("bash", [keystore], { env: moto.stepEnv(settings("node.env"), { ROOT: root2 }), timeoutMs: 90000 });
        const keyOf = (r: string) => fingerprints(listVerbose(path.join(r, HOME.slice(1), "repository/resources/security/wso2carbon.jks")))[0];
        assert.equal(keyOf(root2), keyOf(root));
    });

    it("refuses a keystore password shorter than 12 characters", function () {
        const short = JSON.parse(moto.aws(["secretsmanager", "create-secret", "--name", "short", "--secret-string", "wso2carbon"])).ARN;
        const root = path.join(dir, "node3");
        shippedHome(root, dir);
        const env = moto.stepEnv(settings("short.env", { keystoreSecretArn: short, backupPrefix: "other" }), { ROOT: root });
        const r = run("bash", [keystore], { env, timeoutMs: 60000 });
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /shorter than 12 characters/);
    });

    describe("JVM starts (each keytool call costs 10-20 s in a VM without KVM)", function () {
        let counter: ReturnType<typeof jvmCounter>;
        let n = 0;

        before(function () {
            counter = jvmCounter(dir);
        });

        /** Runs the step on `root` as a node of `cluster` and returns the JVM starts it made. */
        const starts = (root: string, cluster: string): string[] => {
            const env = moto.stepEnv(settings(`jvm-${++n}.env`, { clusterName: cluster }), { ROOT: root });
            runOk("bash", [keystore], { env: counter.env(env), timeoutMs: 90000 });
            return counter.take();
        };

        it("first node, second node, rerun: at most 8, 7 and 2 JVM starts (was 17, 16 and 10: 290 s of a first boot under TCG)", function () {
            const first = path.join(dir, "jvm-node1");
            const second = path.join(dir, "jvm-node2");
            shippedHome(first, dir);
            shippedHome(second, dir);
            const counts: [string, string[], number][] = [
                ["first node", starts(first, "jvm-cluster"), 8],
                ["second node", starts(second, "jvm-cluster"), 7],
            ];
            const before = snapshot(first);
            counts.push(["rerun", starts(first, "jvm-cluster"), 2]);
            assert.deepEqual(snapshot(first), before, "the rerun changed nothing");
            for (const [name, calls, most] of counts) {
                assert.ok(calls.length <= most, `${name}: ${calls.length} JVM starts, at most ${most}:\n${calls.join("\n")}`);
            }
            // Key generation is the one call not on the C1 compiler (C2 makes it about twice as fast).
            assert.ok(counts[0][1].every((c) => c.startsWith("keytool -J-XX:TieredStopAtLevel=1 ") !== c.startsWith("keytool -genkeypair ")), counts[0][1].join("\n"));
        });
    });

    describe("truststore and cluster keystore cases", function () {
        const sec = (root: string) => path.join(root, HOME.slice(1), "repository/resources/security");
        const runOn = (root: string, cluster: string, extra: NodeJS.ProcessEnv = {}) =>
            run("bash", [keystore], { env: { ...moto.stepEnv(settings(`case-${cluster}.env`, { clusterName: cluster }), { ROOT: root }), ...extra }, timeoutMs: 90000 });
        const nodeFp = (root: string) => fingerprints(keytool(["-list", "-v", "-alias", "wso2node", "-storetype", "JKS", "-keystore", path.join(sec(root), "wso2carbon.jks"), "-storepass:env", "P"], { P: PASSWORD }))[0];

        it("with the key already in place, still deletes the default certificate the truststore holds under wso2carbon and under another alias", function () {
            const root = path.join(dir, "case-kept-key");
            shippedHome(root, dir);
            runOk("bash", [keystore], { env: moto.stepEnv(settings("case-kept-first.env", { clusterName: "case-kept" }), { ROOT: root }), timeoutMs: 90000 });
            fs.copyFileSync(path.join(dir, "shipped-ts.jks"), path.join(sec(root), "client-truststore.jks"));
            const r = runOn(root, "case-kept");
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /keystore already holds wso2node/);
            const ts = listVerbose(path.join(sec(root), "client-truststore.jks"));
            assert.doesNotMatch(ts, /Alias name: (wso2carbon|gateway_certificate_alias)/);
            assert.match(ts, /Alias name: someca/);
            assert.ok(fingerprints(ts).includes(nodeFp(root)));
        });

        it("replaces another certificate held under the node's alias in the truststore", function () {
            const root = path.join(dir, "case-stale");
            shippedHome(root, dir);
            keytool(["-importcert", "-noprompt", "-alias", "wso2node", "-file", path.join(dir, "ca.pem"), "-storetype", "JKS", "-keystore", path.join(sec(root), "client-truststore.jks"), "-storepass:env", "P"], { P: WSO2_DEFAULT_STORE_PASSWORD });
            const r = runOn(root, "case-stale");
            assert.equal(r.status, 0, r.stderr);
            const ts = keytool(["-list", "-v", "-alias", "wso2node", "-storetype", "JKS", "-keystore", path.join(sec(root), "client-truststore.jks"), "-storepass:env", "P"], { P: PASSWORD });
            assert.equal(fingerprints(ts)[0], nodeFp(root));
            assert.match(listVerbose(path.join(sec(root), "client-truststore.jks")), /Alias name: someca/);
        });

        it("fails when the truststore opens with neither password, and when the cluster's keystore lacks the key under the current password", function () {
            const root = path.join(dir, "case-neither");
            shippedHome(root, dir);
            const ts = path.join(sec(root), "client-truststore.jks");
            keytool(["-storepasswd", "-storetype", "JKS", "-keystore", ts, "-storepass:env", "P", "-new:env", "N"], { P: WSO2_DEFAULT_STORE_PASSWORD, N: "some-other-password" });
            const r = runOn(root, "case-neither");
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /client-truststore\.jks opens with neither the default nor the current password/);

            const foreign = path.join(dir, "foreign.jks");
            keytool(["-genkeypair", "-alias", "other", "-keyalg", "EC", "-dname", "CN=other", "-storetype", "JKS", "-keystore", foreign, "-storepass:env", "P", "-keypass:env", "P"], { P: PASSWORD });
            moto.aws(["s3", "cp", foreign, `s3://${BUCKET}/keystore/case-foreign/wso2carbon.jks`]);
            const root2 = path.join(dir, "case-foreign");
            shippedHome(root2, dir);
            const before = snapshot(root2);
            const r2 = runOn(root2, "case-foreign");
            assert.notEqual(r2.status, 0);
            assert.match(r2.stderr, /wso2carbon\.jks does not hold wso2node under the current password/);
            assert.deepEqual(snapshot(root2), before, "nothing installed");
        });

        it("a node that loses the race to store the cluster keystore uses the winner's", function () {
            const winner = path.join(dir, "race-winner");
            shippedHome(winner, dir);
            assert.equal(runOn(winner, "race").status, 0);
            // The loser's listing ran before the winner's put: an aws wrapper answers it with nothing.
            const bin = path.join(dir, "race-bin");
            fs.mkdirSync(bin, { recursive: true });
            const real = requireTool("aws");
            fs.writeFileSync(path.join(bin, "aws"), `#!/bin/bash\nif [[ " $* " == *" s3api list-objects-v2 "* ]]; then echo None; exit 0; fi\nexec ${real} "$@"\n`, { mode: 0o755 });
            const loser = path.join(dir, "race-loser");
            shippedHome(loser, dir);
            const r = runOn(loser, "race", { PATH: `${bin}:${process.env.PATH}` });
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /another node stored the cluster keystore first/);
            assert.equal(nodeFp(loser), nodeFp(winner));
        });
    });

    describe("backup and restore", function () {
        let src = "";
        let dst = "";
        const backup = step(HOST_SCRIPTS.backup);
        const restore = step(HOST_SCRIPTS.restore);
        let settingsFile = "";

        before(function () {
            src = path.join(dir, "backup-src");
            dst = path.join(dir, "backup-dst");
            const home = path.join(src, HOME.slice(1));
            const put = (rel: string, content: string | Buffer, mode: number, uid = 0, gid = UID) => {
                const p = path.join(rel.startsWith("/") ? src : home, rel.replace(/^\//, ""));
                fs.mkdirSync(path.dirname(p), { recursive: true });
                fs.writeFileSync(p, content, { mode });
                fs.chmodSync(p, mode);
                fs.chownSync(p, uid, gid);
            };
            put("repository/conf/deployment.toml", "[server]\nhostname = \"api.example.com\"\n", 0o640);
            put("repository/resources/security/wso2carbon.jks", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256)), 0o640);
            put("repository/resources/security/client-truststore.jks", Buffer.from([0, 1, 2, 255, 254]), 0o640);
            put("repository/deployment/server/synapse-configs/default/api/orders.xml", "<api name=\"orders\"/>\n", 0o640, UID, UID);
            put("bin/custom-hook.sh", "#!/bin/sh\necho hook\n", 0o750);
            put("repository/logs/wso2carbon.log", "not backed up\n", 0o640, UID, UID);
            put("/etc/wso2/deployment.toml", "rendered\n", 0o640, 0, 0);
            put("/usr/local/sbin/wso2-backup", "#!/bin/bash\n", 0o750, 0, 0);
            put("/var/backups/wso2-db/apim.sql", "-- export\n", 0o600, 0, 0);
            fs.mkdirSync(dst, { recursive: true });
            settingsFile = settings("backup.env");
        });

        const envFor = (extra: NodeJS.ProcessEnv) => moto.stepEnv(settingsFile, { NODE_ID: "i-0123456789abcdef0", ...extra });

        it("backs up to s3://<bucket>/<prefix>/<instance-id>/ with a checksum, and restores byte for byte with owners and modes", function () {
            const out = runOk("bash", [backup], { env: envFor({ BACKUP_ROOT: src }), timeoutMs: 60000 });
            assert.match(out, new RegExp(`s3://${BUCKET}/${PREFIX}/i-0123456789abcdef0/wso2-backup-\\d{8}T\\d{6}Z\\.tar\\.gz`));
            const keys = JSON.parse(moto.aws(["s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", `${PREFIX}/i-0123456789abcdef0/`])).Contents.map((o: { Key: string }) => o.Key);
            assert.equal(keys.length, 2);
            assert.ok(keys.some((k: string) => k.endsWith(".tar.gz.sha256")));

            runOk("bash", [restore], { env: envFor({ RESTORE_ROOT: dst }), timeoutMs: 60000 });
            // Files compared by content, mode and owner (parent directories outside the backup are created by tar).
            const files = (root: string) => snapshot(root).filter((l) => !l.endsWith(" "));
            assert.deepEqual(files(dst), files(src).filter((l) => !l.includes("repository/logs")));
            assert.ok(files(dst).length >= 8);
            assert.ok(!fs.existsSync(path.join(dst, HOME.slice(1), "repository/logs")), "logs are not part of the backup");
            assert.ok(fs.existsSync(path.join(dst, "var/backups/wso2-db/apim.sql")), "database exports are included when present");
        });

        it("refuses to overwrite existing files without --force, and overwrites with it", function () {
            const target = path.join(dst, HOME.slice(1), "repository/conf/deployment.toml");
            fs.writeFileSync(target, "changed since the backup\n");
            const r = run("bash", [restore], { env: envFor({ RESTORE_ROOT: dst }), timeoutMs: 60000 });
            assert.equal(r.status, 3, r.stderr);
            assert.match(r.stderr, /would overwrite .*deployment\.toml/);
            assert.match(r.stderr, /--force/);
            assert.equal(fs.readFileSync(target, "utf8"), "changed since the backup\n");

            runOk("bash", [restore, "--force"], { env: envFor({ RESTORE_ROOT: dst }), timeoutMs: 60000 });
            assert.equal(fs.readFileSync(target, "utf8"), "[server]\nhostname = \"api.example.com\"\n");
        });

        it("refuses a tampered archive (checksum) and an unknown node", function () {
            const list = JSON.parse(moto.aws(["s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", `${PREFIX}/i-0123456789abcdef0/`])).Contents;
            const archiveKey = list.map((o: { Key: string }) => o.Key).find((k: string) => k.endsWith(".tar.gz"));
            const bogus = path.join(dir, "bogus.tar.gz");
            fs.writeFileSync(bogus, "not the archive");
            moto.aws(["s3", "cp", bogus, `s3://${BUCKET}/${archiveKey}`]);
            const fresh = path.join(dir, "restore-tampered");
            fs.mkdirSync(fresh);
            const r = run("bash", [restore], { env: envFor({ RESTORE_ROOT: fresh }), timeoutMs: 60000 });
            assert.notEqual(r.status, 0);
            assert.deepEqual(fs.readdirSync(fresh), []);
            const none = run("bash", [restore, "--node", "i-00000000000000000"], { env: envFor({ RESTORE_ROOT: fresh }), timeoutMs: 60000 });
            assert.equal(none.status, 1);
            assert.match(none.stderr, /no backup under/);
        });
    });
});
