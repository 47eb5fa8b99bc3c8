/**
 * The boot test's own pieces that run without a VM (the VM run itself is `npm run test:boot`, not part of
 * `npm test`): its shell is shellchecked, the user-data edits touch only what they name, the metadata
 * service insists on a token.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { denied, normalizeRuleset, opensslNames } from "./checks";
import { BootDatabase, pointAtBootDatabase } from "./database";
import { Emulator } from "./emulator";
import { editWrittenFile, nodeEnv, testUserData, withLbSources, writtenFile } from "./userdata";

const HERE = __dirname;

const RULESET = `table inet wso2 {
    set cluster_peers {
        type ipv4_addr
        flags interval
    }
    set lb_sources {
        type ipv4_addr
        flags interval
        elements = { 10.30.128.0/19, 10.30.160.0/19 }
    }
    chain input {
        counter drop
    }
}
`;

describe("boot test harness", () => {
    it("its shell scripts pass shellcheck", function () {
        const scripts = ["build-image.sh", "vm.sh", "image/customize.sh", "image/agent-debs.sh", "standin/build-distribution.sh"].map((f) => path.join(HERE, f));
        const r = spawnSync("shellcheck", scripts, { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });

    it("replaces only the lb_sources elements", () => {
        const out = withLbSources(RULESET, ["10.0.2.2/32"]);
        assert.match(out, /elements = \{ 10\.0\.2\.2\/32 \}/);
        assert.doesNotMatch(out, /10\.30\.128/);
        assert.strictEqual(out.replace(/elements = \{[^}]*\}/, ""), RULESET.replace(/elements = \{[^}]*\}/, ""));
        assert.throws(() => withLbSources("table inet wso2 {}", ["10.0.2.2/32"]), /no lb_sources set/);
    });

    it("names the rendered (IANA) cipher suites as OpenSSL reports a negotiated one", () => {
        assert.deepStrictEqual([...opensslNames(["TLS_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"])], ["TLS_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"]);
    });

    it("compares rulesets without counters and without the peers filled at run time", () => {
        const live = RULESET.replace("counter drop", "counter packets 12 bytes 720 drop").replace(
            "flags interval\n    }\n    set lb_sources",
            "flags interval\n        elements = { 10.0.2.16 }\n    }\n    set lb_sources",
        );
        assert.notStrictEqual(live, RULESET);
        assert.strictEqual(normalizeRuleset(live), normalizeRuleset(RULESET));
        assert.notStrictEqual(normalizeRuleset(withLbSources(RULESET, ["10.0.2.2/32"])), normalizeRuleset(RULESET));
    });

    it("edits one written file of a cloud-config and leaves the rest", () => {
        const cc = "#cloud-config\nwrite_files:\n  - path: /etc/nftables.conf\n    content: |\n      old\n  - path: /etc/other\n    content: keep\nruncmd:\n  - [true]\n";
        const edited = editWrittenFile(cc, "/etc/nftables.conf", () => "new\n");
        assert.ok(edited.startsWith("#cloud-config\n"));
        assert.strictEqual(writtenFile(edited, "/etc/nftables.conf"), "new\n");
        assert.deepStrictEqual(parse(edited).runcmd, parse(cc).runcmd);
        assert.strictEqual(writtenFile(edited, "/etc/other"), "keep");
        assert.throws(() => editWrittenFile(cc, "/etc/missing", (c) => c), /writes no \/etc\/missing/);
    });

    it("points the node at the test's database: settings, every JDBC URL and the CA, nothing else", () => {
        const planned = "wso2-prod-db.abc.eu-west-1.rds.amazonaws.com:5432";
        const toml = `[database.shared_db]\nurl = "jdbc:postgresql://${planned}/wso2shared_db?sslmode=verify-full"\n[database.apim_db]\nurl = "jdbc:postgresql://${planned}/wso2am_db?sslmode=verify-full"\n`;
        const env = "DB_HOST='wso2-prod-db.abc.eu-west-1.rds.amazonaws.com'\nDB_PORT='5432'\nDB_SSLROOTCERT='/etc/wso2/database-ca.pem'\nRENDERED_CONFIG='/etc/wso2/deployment.toml'\n";
        const cc = `#cloud-config\nwrite_files:\n  - path: /etc/wso2/node.env\n    content: ${JSON.stringify(env)}\n  - path: /etc/wso2/deployment.toml\n    content: ${JSON.stringify(toml)}\n`;
        const settings = nodeEnv(cc);
        const db = { pg: { port: 45432 }, plannedEndpoint: planned } as unknown as BootDatabase;
        const out = pointAtBootDatabase(cc, settings, db, "10.0.2.2", "-----BEGIN CERTIFICATE-----\n");
        assert.deepStrictEqual(
            { host: nodeEnv(out).DB_HOST, port: nodeEnv(out).DB_PORT, ca: nodeEnv(out).DB_SSLROOTCERT },
            { host: "10.0.2.2", port: "45432", ca: "/etc/wso2/database-ca.pem" },
        );
        assert.strictEqual(writtenFile(out, "/etc/wso2/deployment.toml"), toml.split(planned).join("10.0.2.2:45432"));
        assert.strictEqual(writtenFile(out, "/etc/wso2/database-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        assert.throws(() => pointAtBootDatabase(cc, settings, { ...db, plannedEndpoint: "other:5432" } as BootDatabase, "10.0.2.2", ""), /no JDBC URL for other:5432/);
    });

    it("wraps the cloud-config unchanged in multipart user data with the emulator hook", () => {
        const cc = "#cloud-config\nruncmd:\n  - [true]\n";
        const ud = testUserData(cc, "http://10.0.2.2:5000");
        const boundary = /boundary="([^"]+)"/.exec(ud)![1];
        const parts = ud.split(`--${boundary}`);
        assert.strictEqual(parts.length, 4);
        assert.match(parts[1], /text\/cloud-boothook[\s\S]*AWS_ENDPOINT_URL=http:\/\/10\.0\.2\.2:5000 exec \/usr\/bin\/aws/);
        assert.ok(parts[2].includes(cc));
        assert.throws(() => testUserData(cc, "http://evil;rm -rf /"), /bad emulator endpoint/);
    });

    it("asks the emulator in a node's name: what its role grants is answered, the rest refused for permissions", async function () {
        this.timeout(120_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boot-emu-"));
        const emu = new Emulator();
        try {
            await emu.start(path.join(dir, "moto.log"));
            const region = "eu-west-1";
            const arn = (name: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:${name}`;
            const policy = {
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `${arn("own-keystore")}*` },
                    { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::backups/nodes/own/*" },
                ],
            };
            const setup = emu.setup({
                region,
                roles: [{ name: "node-role", policies: [{ name: "node", document: policy }] }],
                kmsKeys: [],
                buckets: [{ name: "backups" }],
                secrets: [
                    { name: "own-keystore", value: "{}" },
                    { name: "other-keystore", value: "{}" },
                ],
                objects: [{ bucket: "backups", key: "nodes/own/a.tar.gz", body: "own" }],
                instances: [{ name: "n", privateIp: "10.0.2.15", role: "node-role", tags: { Name: "n" } }],
            });
            const creds = setup.instances.n.credentials;
            const own = emu.callAs(creds, region, "secretsmanager", "get_secret_value", { SecretId: arn("own-keystore") });
            assert.ok(own.ok, JSON.stringify(own));
            const other = emu.callAs(creds, region, "secretsmanager", "get_secret_value", { SecretId: arn("other-keystore") });
            assert.ok(!other.ok && denied(other), JSON.stringify(other));
            const del = emu.callAs(creds, region, "s3", "delete_object", { Bucket: "backups", Key: "nodes/own/a.tar.gz" });
            assert.ok(!del.ok && denied(del), JSON.stringify(del));
            assert.strictEqual(emu.call("s3", "list_objects_v2", { Bucket: "backups" }).KeyCount, 1);
            // Allowed but absent is not a refusal: the check must not count it as one.
            const missing = emu.callAs(creds, region, "s3", "get_object", { Bucket: "backups", Key: "nodes/own/missing" });
            assert.ok(!missing.ok && !denied(missing), JSON.stringify(missing));
        } finally {
            await emu.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("serves instance metadata only with a token it issued", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "imds-"));
        const file = path.join(dir, "imds.json");
        fs.writeFileSync(file, JSON.stringify({ "/latest/meta-data/instance-id": "i-0abc", "/latest/meta-data/iam/security-credentials/r": { Code: "Success" } }));
        const requests =
            "GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: x\r\n\r\n" +
            "PUT /latest/api/token HTTP/1.1\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 0\r\n\r\n" +
            "GET /latest/meta-data/instance-id HTTP/1.1\r\nX-aws-ec2-metadata-token: boot-test-imds-token\r\n\r\n" +
            "GET /latest/meta-data/iam/security-credentials/r HTTP/1.1\r\nX-aws-ec2-metadata-token: boot-test-imds-token\r\n\r\n" +
            "GET /latest/meta-data/nothing HTTP/1.1\r\nX-aws-ec2-metadata-token: boot-test-imds-token\r\n\r\n";
        const r = spawnSync("python3", [path.join(HERE, "imds.py"), file], { input: requests, encoding: "utf8" });
        fs.rmSync(dir, { recursive: true, force: true });
        const statuses = [...r.stdout.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]);
        assert.deepStrictEqual(statuses, ["401", "200", "200", "200", "404"], r.stdout + r.stderr);
        assert.match(r.stdout, /\r\n\r\ni-0abc/);
        assert.match(r.stdout, /"Code": "Success"/);
    });
});
