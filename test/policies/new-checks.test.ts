/**
 * The checks for server access logging on backup buckets (the replica too), EFS encryption at rest and the
 * expiry of imported certificates: each fires on its mistake and passes on the hardened form.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluatePack } from "../../policies/pack";
import type { PlannedResource } from "../../policies/evaluate";
import { res, secureStack } from "./fixtures";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const BUCKET = "aws:s3/bucket:Bucket";
const LOGGING = "aws:s3/bucketLogging:BucketLogging";

async function findings(policy: string, stack: PlannedResource[]): Promise<{ on: string; level: string; message: string }[]> {
    return (await evaluatePack(stack))
        .filter((f) => f.policyName === policy)
        .map((f) => ({ on: f.urn!.split("::").pop()!, level: f.enforcementLevel, message: f.message }));
}

/** A backup bucket replicated to a second region, with access logs for each as the arguments say. */
function backups(opts: { logMain: boolean; logReplica: boolean }): PlannedResource[] {
    const out = [
        ...secureStack(),
        res(BUCKET, "wso2-backups", { bucket: "wso2-backups-1a2b" }, { id: "wso2-backups-1a2b", arn: "arn:aws:s3:::wso2-backups-1a2b" }),
        res(BUCKET, "copy-eu-central", { bucket: "copy-eu-central-3c4d" }, { id: "copy-eu-central-3c4d", arn: "arn:aws:s3:::copy-eu-central-3c4d" }),
        res(BUCKET, "wso2-backups-access-logs", { bucket: "wso2-backups-access-logs-5e6f" }, { id: "wso2-backups-access-logs-5e6f", arn: "arn:aws:s3:::wso2-backups-access-logs-5e6f" }),
        res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "wso2-backups-replication", {
            bucket: "wso2-backups-1a2b",
            role: "arn:aws:iam::1:role/replication",
            rules: [{ id: "to-second-region", status: "Enabled", destination: { bucket: "arn:aws:s3:::copy-eu-central-3c4d" } }],
        }),
    ];
    if (opts.logMain) out.push(res(LOGGING, "wso2-backups-logging", { bucket: "wso2-backups-1a2b", targetBucket: "wso2-backups-access-logs-5e6f", targetPrefix: "main/" }));
    if (opts.logReplica) out.push(res(LOGGING, "copy-logging", { bucket: "copy-eu-central-3c4d", targetBucket: "wso2-backups-access-logs-5e6f", targetPrefix: "replica/" }));
    return out;
}

function certificate(days: number): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wso2-cert-"));
    try {
        const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", String(days), "-subj", "/CN=apim.example.com"], { encoding: "utf8", timeout: 30_000 });
        if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
        return fs.readFileSync(path.join(dir, "cert.pem"), "utf8");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("policies: backup access logs, EFS encryption, certificate expiry", () => {
    describe("wso2-backup-bucket-access-logs", () => {
        it("passes when the backup bucket and its replica log their requests", async () => {
            assert.deepStrictEqual(await findings("wso2-backup-bucket-access-logs", backups({ logMain: true, logReplica: true })), []);
        });
        it("fires on a backup bucket without server access logging", async () => {
            const f = await findings("wso2-backup-bucket-access-logs", backups({ logMain: false, logReplica: true }));
            assert.deepStrictEqual(f.map((x) => [x.on, x.level]), [["wso2-backups", "mandatory"]]);
            assert.match(f[0].message, /holds backups but has no server access logging/);
        });
        it("fires on the replica a backup bucket replicates to, whatever its name", async () => {
            const f = await findings("wso2-backup-bucket-access-logs", backups({ logMain: true, logReplica: false }));
            assert.deepStrictEqual(f.map((x) => x.on), ["copy-eu-central"]);
        });
        it("leaves other buckets alone, and log buckets (logging the logs is not asked)", async () => {
            assert.deepStrictEqual(await findings("wso2-backup-bucket-access-logs", secureStack()), []);
        });
        it("at a first preview, follows the logging's unknown bucket through its dependencies", async () => {
            const stack = backups({ logMain: true, logReplica: true }).map((r) =>
                r.type === LOGGING && r.name !== "backup-bucket-logging" ? { ...r, inputs: { ...r.inputs, bucket: UNKNOWN }, outputs: { ...r.outputs, bucket: UNKNOWN }, propertyDependencies: { bucket: [`urn:pulumi:test::fixture::${BUCKET}::${r.name === "copy-logging" ? "copy-eu-central" : "wso2-backups"}`] } } : r,
            );
            assert.deepStrictEqual(await findings("wso2-backup-bucket-access-logs", stack), []);
            const orphan = stack.map((r) => (r.type === LOGGING && r.name !== "backup-bucket-logging" ? { ...r, propertyDependencies: {} } : r));
            assert.deepStrictEqual((await findings("wso2-backup-bucket-access-logs", orphan)).map((x) => x.level), ["advisory", "advisory"]);
        });
    });

    describe("wso2-efs-encrypted", () => {
        const efs = (inputs: Record<string, unknown>) => [...secureStack(), res("aws:efs/fileSystem:FileSystem", "wso2-shared", inputs)];
        it("passes on an encrypted file system", async () => {
            assert.deepStrictEqual(await findings("wso2-efs-encrypted", efs({ encrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k" })), []);
        });
        it("fires on an unencrypted one", async () => {
            const f = await findings("wso2-efs-encrypted", efs({ performanceMode: "generalPurpose" }));
            assert.deepStrictEqual(f.map((x) => [x.on, x.level]), [["wso2-shared", "mandatory"]]);
            assert.match(f[0].message, /not encrypted at rest/);
        });
    });

    describe("wso2-certificate-expiry (advisory by default)", () => {
        const cert = (body: unknown) => [...secureStack(), res("aws:acm/certificate:Certificate", "apim-cert", { certificateBody: body, privateKey: "[secret]" })];
        it("passes on an imported certificate valid for a year, and on ACM-issued ones", async () => {
            assert.deepStrictEqual(await findings("wso2-certificate-expiry", cert(certificate(365))), []);
            const issued = [...secureStack(), res("aws:acm/certificate:Certificate", "apim-cert", { domainName: "apim.example.com", validationMethod: "DNS" })];
            assert.deepStrictEqual(await findings("wso2-certificate-expiry", issued), []);
        });
        it("fires on one that expires within 30 days", async () => {
            const f = await findings("wso2-certificate-expiry", cert(certificate(10)));
            assert.deepStrictEqual(f.map((x) => [x.on, x.level]), [["apim-cert", "advisory"]]);
            assert.match(f[0].message, /in (9|10) days \(fewer than 30\)/);
        });
        it("reads minDaysLeft from the policy config", async () => {
            const config = { "wso2-certificate-expiry": { enforcementLevel: "mandatory" as const, minDaysLeft: 400 } };
            const f = (await evaluatePack(cert(certificate(365)), { config })).filter((x) => x.policyName === "wso2-certificate-expiry");
            assert.deepStrictEqual(f.map((x) => x.enforcementLevel), ["mandatory"]);
        });
        it("reports a body unknown at preview as unproven, and a body that is no certificate", async () => {
            assert.match((await findings("wso2-certificate-expiry", cert(UNKNOWN)))[0].message, /could not be proven at preview/);
            assert.match((await findings("wso2-certificate-expiry", cert("not a certificate")))[0].message, /not a PEM-encoded X\.509 certificate/);
        });
    });
});
