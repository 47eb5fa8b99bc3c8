/**
 * The node's steps under the node role's own policy, against moto_server with IAM enforcement: the policy
 * `nodeRolePolicy` renders (the one NodeGroup attaches) is the only policy of an emulator user whose
 * credentials the steps use. Install, keystore (two nodes), backup, restore and peer refresh succeed;
 * another cluster's secret, another cluster's backups and deleting backups are refused; a role without the
 * keystore read fails the keystore step loudly instead of splitting the cluster's key.
 * The emulator evaluates no Condition (s3:prefix, kms:ViaService) and no KMS permission; the unit tests of
 * the policy (test/aws/units.test.ts) cover those statements.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { nodeRolePolicy } from "../../components/aws/nodes";
import { HOST_SCRIPTS, WSO2_DEFAULT_STORE_PASSWORD, keystoreKeyPrefix, nodeStepsBundle, stepsKey, stepsKeyPrefix } from "../../components/host";
import { PRODUCTS, productHome } from "../../products";
import { nodeInput } from "./fixtures";
import { AccessKey, Moto, requireTool, run, runOk, step, tempDir, writeNodeEnv, writeScript } from "./helpers";

const spec = PRODUCTS.apim;
const HOME = productHome(spec, "");
const REGION = "eu-west-1";
const BUCKET = "wso2-prod-backups-0a1b2c";
const RELEASES = "acme-wso2-releases";
const PREFIX = "nodes/wso2-prod";
const OTHER_PREFIX = "nodes/wso2-staging";
const PASSWORD = "correct-horse-battery-staple-42";
const ACCOUNT_ARN = "arn:aws:kms:eu-west-1:123456789012:key";

describe("node steps under the node role's policy (moto_server enforcing IAM)", function () {
    this.timeout(300000);
    const moto = new Moto({ iam: true });
    let dir = "";
    let node: AccessKey;
    let withoutKeystoreRead: AccessKey;
    let settings = "";
    const secrets: Record<string, string> = {};
    let distSha = "";

    /** A node's environment: only the user's credentials; the endpoint comes from the settings file. */
    const nodeEnv = (key: AccessKey, extra: NodeJS.ProcessEnv = {}) => moto.stepEnv(settings, { ...Moto.credentials(key), ...extra });
    /** The AWS CLI as the node. */
    const asNode = (args: string[]) => run("aws", ["--region", REGION, ...args], { env: { ...moto.env(), ...Moto.credentials(node) } });

    function shippedHome(root: string): void {
        const sec = path.join(root, HOME.slice(1), "repository/resources/security");
        fs.mkdirSync(sec, { recursive: true });
        const env = { ...process.env, P: WSO2_DEFAULT_STORE_PASSWORD };
        for (const store of ["wso2carbon.jks", "client-truststore.jks"]) {
            runOk("keytool", ["-genkeypair", "-alias", "wso2carbon", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-keystore", path.join(sec, store),
                "-storetype", "JKS", "-storepass:env", "P", "-keypass:env", "P"], { env, timeoutMs: 60000 });
        }
    }

    before(async function () {
        requireTool("keytool");
        requireTool("unzip");
        dir = tempDir("iam");
        await moto.start();
        for (const b of [BUCKET, RELEASES]) moto.aws(["s3api", "create-bucket", "--bucket", b, "--create-bucket-configuration", `LocationConstraint=${REGION}`]);
        const secret = (name: string, value: string) => JSON.parse(moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", value])).ARN as string;
        secrets.keystore = secret("wso2-prod/keystore", PASSWORD);
        secrets.admin = secret("wso2-prod/admin", JSON.stringify({ username: "wso2-superadmin", password: "another-long-password-1" }));
        secrets.other = secret("wso2-staging/keystore", "staging-keystore-password");
        // The product distribution, and another cluster's backup.
        const zip = path.join(dir, "wso2am.zip");
        runOk("python3", ["-c", "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'w')\nz.writestr(sys.argv[2], '#!/bin/sh\\n')\nz.close()", zip, `${path.basename(HOME)}/${spec.layout.startScript}`]);
        distSha = createHash("sha256").update(fs.readFileSync(zip)).digest("hex");
        moto.aws(["s3", "cp", zip, `s3://${RELEASES}/wso2am/wso2am-4.3.0.zip`]);
        moto.aws(["s3", "cp", zip, `s3://${BUCKET}/${OTHER_PREFIX}/i-0fffffffffffffff0/wso2-backup-20260101T000000Z.tar.gz`]);
        // A peer of this cluster.
        const image = JSON.parse(moto.aws(["ec2", "describe-images", "--owners", "amazon", "--max-items", "1"])).Images[0].ImageId as string;
        moto.aws(["ec2", "run-instances", "--image-id", image, "--count", "1", "--instance-type", "t3.micro",
            "--tag-specifications", "ResourceType=instance,Tags=[{Key=wso2:cluster,Value=wso2-prod}]"]);

        const policy = nodeRolePolicy({
            region: REGION,
            secretArns: [secrets.admin, secrets.keystore],
            secretsKeyArn: `${ACCOUNT_ARN}/secrets`,
            backupBucketArn: `arn:aws:s3:::${BUCKET}`,
            backupPrefix: PREFIX,
            stepsPrefix: stepsKeyPrefix("wso2-prod"),
            keystorePrefix: keystoreKeyPrefix("wso2-prod"),
            backupKeyArn: `${ACCOUNT_ARN}/backups`,
            logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/wso2/wso2-prod/nodes",
            distributionObjectArn: `arn:aws:s3:::${RELEASES}/wso2am/wso2am-4.3.0.zip`,
        });
        node = moto.createUser("wso2-prod-node", policy);
        withoutKeystoreRead = moto.createUser("wso2-prod-node-no-get", {
            ...policy,
            Statement: policy.Statement.filter((s) => !(s.Action === "s3:GetObject" && String(s.Resource).includes(BUCKET))),
        });
        settings = writeNodeEnv(dir, "node.env", nodeInput("apim", {
            region: REGION,
            keystoreSecretArn: secrets.keystore,
            adminSecretArn: secrets.admin,
            backupBucket: BUCKET,
            backupPrefix: PREFIX,
            distribution: { s3Uri: `s3://${RELEASES}/wso2am/wso2am-4.3.0.zip`, sha256: distSha },
            testAws: { endpointUrl: moto.endpoint },
        }));
        await moto.enforceIam();
    });

    after(async function () {
        await moto.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("enforces IAM: the node's credentials are refused what its policy does not grant", function () {
        const r = asNode(["s3api", "list-buckets"]);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /AccessDenied/);
    });

    it("fetch step: unpacks the cluster's steps bundle through the role, and refuses a bundle whose SHA-256 differs", function () {
        const bundle = nodeStepsBundle(spec, false);
        const file = path.join(dir, "steps.tar.gz");
        fs.writeFileSync(file, bundle.content);
        const uri = `s3://${BUCKET}/${stepsKey("wso2-prod", bundle.sha256)}`;
        moto.aws(["s3", "cp", file, uri]);
        const root = path.join(dir, "steps-root");
        const fetch = (sha256: string) =>
            run("bash", [step(HOST_SCRIPTS.fetchSteps)], { env: nodeEnv(node, { WSO2_STEPS_ROOT: root, STEPS_S3_URI: uri, STEPS_SHA256: sha256 }), timeoutMs: 60000 });
        const ok = fetch(bundle.sha256);
        assert.equal(ok.status, 0, ok.stderr);
        const keystoreStep = path.join(root, HOST_SCRIPTS.keystore.slice(1));
        assert.equal(fs.statSync(keystoreStep).mode & 0o777, 0o755);
        assert.match(fs.readFileSync(keystoreStep, "utf8"), /^#!\/bin\/bash\n/);
        fs.rmSync(root, { recursive: true, force: true });
        const tampered = fetch("0".repeat(63) + "1");
        assert.notEqual(tampered.status, 0);
        assert.match(tampered.stderr, /wso2-fetch-steps: the node's steps .* have SHA-256 [0-9a-f]{64}, expected 0{63}1: nothing unpacked/);
        assert.ok(!fs.existsSync(path.join(root, HOST_SCRIPTS.keystore.slice(1))), "nothing unpacked from a bundle that does not match");
        // The nodes only read the steps: replacing the bundle is refused.
        const put = asNode(["s3", "cp", file, `s3://${BUCKET}/${stepsKeyPrefix("wso2-prod")}/other.tar.gz`]);
        assert.notEqual(put.status, 0);
        assert.match(put.stderr, /AccessDenied/);
    });

    it("installs the product from the distribution object", function () {
        const r = run("bash", [step(HOST_SCRIPTS.installProduct)], { env: nodeEnv(node, { ROOT: path.join(dir, "node1") }), timeoutMs: 60000 });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(fs.existsSync(path.join(dir, "node1", HOME.slice(1), spec.layout.startScript)));
    });

    it("keystore: the first node stores the cluster key, the second reads it through the role", function () {
        shippedHome(path.join(dir, "node1"));
        const first = runOk("bash", [step(HOST_SCRIPTS.keystore)], { env: nodeEnv(node, { ROOT: path.join(dir, "node1") }), timeoutMs: 120000 });
        assert.match(first, /generated the cluster keystore and stored it at s3:\/\/wso2-prod-backups-0a1b2c\/keystore\/wso2-prod\/wso2carbon\.jks/);
        shippedHome(path.join(dir, "node2"));
        const second = runOk("bash", [step(HOST_SCRIPTS.keystore)], { env: nodeEnv(node, { ROOT: path.join(dir, "node2") }), timeoutMs: 120000 });
        assert.match(second, /using the cluster keystore from/);
        const key = (n: string) => fs.readFileSync(path.join(dir, n, HOME.slice(1), spec.layout.keystore));
        assert.deepEqual(key("node2"), key("node1"));
    });

    it("keystore: a role that cannot read the cluster's copy fails the step, never generating a second key", function () {
        const root = path.join(dir, "node3");
        shippedHome(root);
        const r = run("bash", [step(HOST_SCRIPTS.keystore)], { env: nodeEnv(withoutKeystoreRead, { ROOT: root }), timeoutMs: 120000 });
        assert.equal(r.status, 1, r.stdout);
        assert.match(r.stderr, /^wso2-keystore: cannot read the cluster keystore s3:\/\/wso2-prod-backups-0a1b2c\/keystore\/wso2-prod\/wso2carbon\.jks$/m);
        const list = JSON.parse(moto.aws(["s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", `${keystoreKeyPrefix("wso2-prod")}/`])).Contents;
        assert.equal(list.length, 1, "still one cluster keystore");
    });

    it("backup puts under the cluster's prefix; restore lists and gets it back, also onto a replacement node", function () {
        const out = runOk("bash", [step(HOST_SCRIPTS.backup)], { env: nodeEnv(node, { BACKUP_ROOT: path.join(dir, "node1"), NODE_ID: "i-0123456789abcdef0" }), timeoutMs: 60000 });
        assert.match(out, /s3:\/\/wso2-prod-backups-0a1b2c\/nodes\/wso2-prod\/i-0123456789abcdef0\/wso2-backup-\d{8}T\d{6}Z\.tar\.gz/);
        const target = path.join(dir, "replacement");
        fs.mkdirSync(target);
        const restored = run("bash", [step(HOST_SCRIPTS.restore), "--node", "i-0123456789abcdef0"], { env: nodeEnv(node, { RESTORE_ROOT: target, NODE_ID: "i-0aaaaaaaaaaaaaaa0" }), timeoutMs: 60000 });
        assert.equal(restored.status, 0, restored.stderr);
        assert.deepEqual(fs.readFileSync(path.join(target, HOME.slice(1), spec.layout.keystore)), fs.readFileSync(path.join(dir, "node1", HOME.slice(1), spec.layout.keystore)));
    });

    it("peer refresh lists the cluster's instances", function () {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin, { recursive: true });
        writeScript(bin, "nft", `#!/bin/sh\ncat "$2" >"${path.join(dir, "nft-batch")}"\n`);
        const out = runOk("bash", [step(HOST_SCRIPTS.clusterPeers)], { env: nodeEnv(node, { PATH: `${bin}:${process.env.PATH}` }), timeoutMs: 60000 });
        assert.match(out, /wso2-cluster-peers: 1 peers/);
        assert.match(fs.readFileSync(path.join(dir, "nft-batch"), "utf8"), /add element inet wso2 cluster_peers \{ \d+\.\d+\.\d+\.\d+ \}/);
    });

    it("refuses another cluster's secret, another cluster's backups, writing outside the prefix and deleting backups", function () {
        assert.equal(asNode(["secretsmanager", "get-secret-value", "--secret-id", secrets.admin]).status, 0, "its own admin secret");
        const refused = (args: string[], what: string) => {
            const r = asNode(args);
            assert.notEqual(r.status, 0, `${what} was allowed`);
            assert.match(r.stderr, /AccessDenied/, what);
        };
        refused(["secretsmanager", "get-secret-value", "--secret-id", secrets.other], "another cluster's secret");
        refused(["s3api", "get-object", "--bucket", BUCKET, "--key", `${OTHER_PREFIX}/i-0fffffffffffffff0/wso2-backup-20260101T000000Z.tar.gz`, path.join(dir, "stolen")], "another cluster's backup");
        refused(["s3api", "put-object", "--bucket", BUCKET, "--key", `${OTHER_PREFIX}/i-0fffffffffffffff0/planted`, "--body", settings], "writing into another cluster's prefix");
        const own = JSON.parse(moto.aws(["s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", `${PREFIX}/i-0123456789abcdef0/`])).Contents[0].Key as string;
        refused(["s3api", "delete-object", "--bucket", BUCKET, "--key", own], "deleting its own backup");
        refused(["s3api", "delete-object", "--bucket", BUCKET, "--key", `${keystoreKeyPrefix("wso2-prod")}/wso2carbon.jks`], "deleting the cluster keystore");
        refused(["s3api", "get-object", "--bucket", RELEASES, "--key", "wso2am/other.zip", path.join(dir, "other.zip")], "another release object");
    });
});
