import { strict as assert } from "assert";
import { CONFIG_KEYS, ConfigKey } from "../../config/schema";
import { ConfigError, parseSettings, Settings } from "../../config/settings";

type Raw = Record<string, string>;

const SHA256 = "3f1a9c0e5b7d2846a1c3e5f70819b2d4c6e8fa0b1d3f5a7c9e0b2d4f6a8c1e3b";
const DIST = "s3://acme-wso2-releases/wso2am/wso2am-4.3.0.zip";
/** A valid prod configuration: the defaults plus the keys prod requires. */
const PROD: Raw = { backupReplicaRegion: "eu-central-1", distributionS3Uri: DIST, distributionSha256: SHA256 };

function parse(overrides: Raw, base: Raw = PROD): Settings {
    const raw = { ...base, ...overrides };
    return parseSettings((key) => raw[key]);
}

function refuse(overrides: Raw, key: string, base: Raw = PROD): ConfigError {
    let caught: unknown;
    try {
        parse(overrides, base);
    } catch (e) {
        caught = e;
    }
    assert.ok(caught instanceof ConfigError, `expected a ConfigError for ${JSON.stringify(overrides)}, got ${String(caught)}`);
    const keys = caught.problems.map((p) => p.key);
    assert.ok(keys.includes(key), `expected a problem naming ${key}, got ${keys.join(", ")}`);
    assert.match(caught.message, new RegExp(`wso2-hardening:${key} = `));
    return caught;
}

interface KeyCase {
    /** A valid raw value and the value the settings field must then hold. */
    valid: { raw: Raw; expect: (s: Settings) => void };
    /** Raw values that must be refused with a problem naming the key. */
    invalid: Raw[];
    /** Base configuration for this key's cases (default: PROD). */
    base?: Raw;
}

const DEV: Raw = { environment: "dev" };
const EXISTING_VPC: Raw = {
    vpcId: "vpc-0123456789abcdef0",
    privateSubnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
    publicSubnetIds: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
};

// Typed by ConfigKey: adding a key to the schema without a case here fails the type check.
const CASES: Record<ConfigKey, KeyCase> = {
    environment: {
        valid: { raw: { environment: "staging" }, expect: (s) => assert.equal(s.environment, "staging") },
        invalid: [{ environment: "production" }, { environment: "test" }],
    },
    product: {
        valid: { raw: { product: "si" }, expect: (s) => assert.equal(s.product, "si") },
        invalid: [{ product: "esb" }, { product: "APIM" }],
    },
    productVersion: {
        // The newer line of each product the configuration model knows; versions it does not know are refused.
        valid: { raw: { productVersion: "4.5.0" }, expect: (s) => assert.equal(s.productVersion, "4.5.0") },
        invalid: [{ productVersion: "latest" }, { productVersion: "4.3" }, { productVersion: "4.2.0" }, { productVersion: "7.0.0" }],
    },
    platform: {
        valid: { raw: { platform: "kubernetes", image: "wso2/wso2am:4.3.0", eksClusterName: "wso2-prod" }, expect: (s) => assert.equal(s.platform, "kubernetes") },
        invalid: [{ platform: "gcp" }],
    },
    role: {
        valid: { raw: { role: "edge" }, expect: (s) => assert.equal(s.role, "edge") },
        invalid: [{ role: "primary" }, { role: "cluster", platform: "kubernetes", color: "blue" }],
    },
    color: {
        valid: { raw: { role: "cluster", color: "green" }, expect: (s) => assert.equal(s.color, "green") },
        invalid: [{ color: "red" }, { role: "cluster" }],
    },
    activeColor: {
        valid: { raw: { activeColor: "green" }, expect: (s) => assert.equal(s.activeColor, "green") },
        invalid: [{ activeColor: "" }, { activeColor: "purple" }],
    },
    canaryWeight: {
        valid: { raw: { canaryWeight: "10" }, expect: (s) => assert.equal(s.canaryWeight, 10) },
        invalid: [{ canaryWeight: "101" }, { canaryWeight: "-1" }, { canaryWeight: "ten" }],
    },
    previousActiveColor: {
        valid: {
            raw: { previousActiveColor: "green", previousCanaryWeight: "20" },
            expect: (s) => assert.deepEqual(s.previousRouting, { activeColor: "green", canaryWeight: 20 }),
        },
        invalid: [{ previousActiveColor: "red" }],
    },
    previousCanaryWeight: {
        valid: { raw: { previousActiveColor: "blue", previousCanaryWeight: "0" }, expect: (s) => assert.equal(s.previousRouting?.canaryWeight, 0) },
        invalid: [{ previousActiveColor: "blue", previousCanaryWeight: "101" }, { previousCanaryWeight: "x" }],
    },
    stickinessSeconds: {
        valid: { raw: { stickinessSeconds: "3600" }, expect: (s) => assert.equal(s.stickinessSeconds, 3600) },
        invalid: [{ stickinessSeconds: "604801" }, { stickinessSeconds: "1.5" }],
    },
    blueStack: {
        valid: { raw: { blueStack: "acme/wso2-hardening/prod-blue" }, expect: (s) => assert.equal(s.blueStack, "acme/wso2-hardening/prod-blue") },
        invalid: [{ blueStack: "prod blue" }, { role: "edge", blueStack: "" }],
    },
    greenStack: {
        valid: { raw: { greenStack: "prod-green-2" }, expect: (s) => assert.equal(s.greenStack, "prod-green-2") },
        invalid: [{ greenStack: "prod;green" }, { role: "edge", greenStack: "prod-blue" }],
    },
    nodeCount: {
        valid: { raw: { nodeCount: "3" }, expect: (s) => assert.equal(s.nodeCount, 3) },
        invalid: [{ nodeCount: "1" }, { nodeCount: "-3" }, { nodeCount: "0" }, { nodeCount: "21" }, { nodeCount: "two" }],
    },
    instanceType: {
        valid: { raw: { instanceType: "r6g.2xlarge" }, expect: (s) => assert.equal(s.instanceType, "r6g.2xlarge") },
        invalid: [{ instanceType: "large" }, { instanceType: "M6I.XLARGE" }, { instanceType: "" }],
    },
    instanceMemoryMiB: {
        valid: { raw: { instanceMemoryMiB: "16384" }, expect: (s) => assert.equal(s.instanceMemoryMiB, 16384) },
        invalid: [{ instanceMemoryMiB: "-1" }, { instanceMemoryMiB: "16GiB" }],
    },
    amiId: {
        valid: { raw: { amiId: "ami-0123456789abcdef0" }, expect: (s) => assert.equal(s.amiId, "ami-0123456789abcdef0") },
        invalid: [{ amiId: "debian-12" }, { amiId: "ami-XYZ" }],
    },
    distributionS3Uri: {
        valid: { raw: { distributionS3Uri: "s3://releases.example/wso2/wso2am-4.3.0.zip" }, expect: (s) => assert.deepEqual(s.distribution, { s3Uri: "s3://releases.example/wso2/wso2am-4.3.0.zip", sha256: SHA256 }) },
        invalid: [{ distributionS3Uri: "https://example.com/wso2am.zip" }, { distributionS3Uri: "s3://Releases/wso2am.zip" }, { distributionS3Uri: "s3://releases/wso2am.tar.gz" }, { distributionS3Uri: "" }],
    },
    distributionSha256: {
        valid: { raw: { distributionSha256: SHA256.toUpperCase() }, expect: (s) => assert.equal(s.distribution?.sha256, SHA256) },
        invalid: [{ distributionSha256: "" }, { distributionSha256: "abc" }, { distributionSha256: "0".repeat(64) }, { distributionS3Uri: "", distributionSha256: SHA256, productAmiId: "ami-0123456789abcdef0" }],
    },
    productAmiId: {
        valid: { raw: { distributionS3Uri: "", distributionSha256: "", productAmiId: "ami-0123456789abcdef0" }, expect: (s) => assert.equal(s.productAmiId, "ami-0123456789abcdef0") },
        invalid: [{ productAmiId: "ami-0123456789abcdef0" }, { distributionS3Uri: "", distributionSha256: "", productAmiId: "wso2am" }],
    },
    vpcId: {
        valid: { raw: EXISTING_VPC, expect: (s) => assert.equal(s.vpcId, "vpc-0123456789abcdef0") },
        invalid: [{ ...EXISTING_VPC, vpcId: "my-vpc" }],
    },
    privateSubnetIds: {
        valid: { raw: EXISTING_VPC, expect: (s) => assert.deepEqual(s.privateSubnetIds, ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]) },
        invalid: [
            { ...EXISTING_VPC, privateSubnetIds: '["subnet-0123456789abcdef0"]' },
            { ...EXISTING_VPC, privateSubnetIds: '["subnet-0123456789abcdef0","sn-1"]' },
            { privateSubnetIds: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]' },
        ],
    },
    publicSubnetIds: {
        valid: { raw: EXISTING_VPC, expect: (s) => assert.deepEqual(s.publicSubnetIds, ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]) },
        invalid: [{ ...EXISTING_VPC, publicSubnetIds: "[]" }, { publicSubnetIds: '["subnet-0123456789abcdef2"]' }, { publicSubnetIds: "[1,2]" }],
    },
    vpcCidr: {
        valid: { raw: { vpcCidr: "172.20.0.0/20" }, expect: (s) => assert.equal(s.vpcCidr, "172.20.0.0/20") },
        invalid: [{ vpcCidr: "10.0.0.0/8" }, { vpcCidr: "10.0.0.0/28" }, { vpcCidr: "10.0.0/16" }, { vpcCidr: "2001:db8::/56" }],
    },
    availabilityZoneCount: {
        valid: { raw: { availabilityZoneCount: "3" }, expect: (s) => assert.equal(s.availabilityZoneCount, 3) },
        invalid: [{ availabilityZoneCount: "1" }, { availabilityZoneCount: "4" }],
    },
    clientCidrs: {
        valid: { raw: { clientCidrs: '["203.0.113.0/24","2001:db8::/32"]' }, expect: (s) => assert.deepEqual(s.clientCidrs, ["203.0.113.0/24", "2001:db8::/32"]) },
        invalid: [{ clientCidrs: '["203.0.113.0/33"]' }, { clientCidrs: '["300.0.113.0/24"]' }, { clientCidrs: '["203.0.113.0"]' }, { clientCidrs: '{"a":1}' }],
    },
    sshSourceCidrs: {
        valid: { raw: { sshSourceCidrs: '["198.51.100.7/32"]' }, expect: (s) => assert.deepEqual(s.sshSourceCidrs, ["198.51.100.7/32"]) },
        invalid: [
            { sshSourceCidrs: '["0.0.0.0/0"]' },
            { sshSourceCidrs: '["::/0"]' },
            { sshSourceCidrs: '["198.51.100.7/32","0.0.0.0/0"]' },
            { sshSourceCidrs: '["198.51.100.300/32"]' },
        ],
    },
    sshPort: {
        valid: { raw: { sshPort: "50022" }, expect: (s) => assert.equal(s.sshPort, 50022) },
        invalid: [{ sshPort: "22" }, { sshPort: "1023" }, { sshPort: "65536" }],
    },
    domainName: {
        valid: { raw: { domainName: "API.Example.org" }, expect: (s) => assert.equal(s.domainName, "api.example.org") },
        invalid: [{ domainName: "localhost" }, { domainName: "https://api.example.org" }, { domainName: "" }],
    },
    certificateArn: {
        valid: {
            raw: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d" },
            expect: (s) => assert.equal(s.certificateArn, "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"),
        },
        invalid: [{ certificateArn: "arn:aws:iam::123456789012:server-certificate/wso2" }, { certificateArn: "my-cert" }],
    },
    route53ZoneId: {
        valid: { raw: { route53ZoneId: "Z0123456789ABCDEFGHIJ" }, expect: (s) => assert.equal(s.route53ZoneId, "Z0123456789ABCDEFGHIJ") },
        invalid: [
            { route53ZoneId: "example.com" },
            { route53ZoneId: "/hostedzone/Z0123456789ABCDEFGHIJ" },
            { route53ZoneId: "Z0123456789ABCDEFGHIJ", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d" },
        ],
    },
    namePrefix: {
        valid: { raw: { namePrefix: "acme-api" }, expect: (s) => assert.equal(s.namePrefix, "acme-api") },
        invalid: [{ namePrefix: "Acme" }, { namePrefix: "acme_api" }, { namePrefix: "acme-" }, { namePrefix: "1acme" }],
    },
    publicPaths: {
        valid: { raw: { publicPaths: '["/pizzashack/1.0.0"]' }, expect: (s) => assert.deepEqual(s.publicPaths, ["/pizzashack/1.0.0"]) },
        invalid: [
            { publicPaths: '["/carbon"]' },
            { publicPaths: '["/services/Version"]' },
            { publicPaths: '["/"]' },
            { publicPaths: '["/api/../carbon"]' },
            { publicPaths: '["api"]' },
        ],
    },
    logRetentionDays: {
        valid: { raw: { logRetentionDays: "731" }, expect: (s) => assert.equal(s.logRetentionDays, 731) },
        invalid: [{ logRetentionDays: "100" }, { logRetentionDays: "0" }],
    },
    backupRetentionDays: {
        valid: { raw: { backupRetentionDays: "35" }, expect: (s) => assert.equal(s.backupRetentionDays, 35) },
        invalid: [{ backupRetentionDays: "6" }, { backupRetentionDays: "3651" }],
    },
    backupSchedule: {
        valid: { raw: { backupSchedule: "*-*-* 02:30" }, expect: (s) => assert.equal(s.backupSchedule, "*-*-* 02:30") },
        invalid: [{ backupSchedule: "daily; rm -rf /" }, { backupSchedule: "$(reboot)" }],
    },
    clusterPeersRefresh: {
        valid: { raw: { clusterPeersRefresh: "*:0/5" }, expect: (s) => assert.equal(s.clusterPeersRefresh, "*:0/5") },
        invalid: [{ clusterPeersRefresh: "minutely\nExecStart=/bin/sh" }, { clusterPeersRefresh: "$(reboot)" }],
    },
    backupReplicaRegion: {
        valid: { raw: { backupReplicaRegion: "us-gov-west-1" }, expect: (s) => assert.equal(s.backupReplicaRegion, "us-gov-west-1") },
        invalid: [{ backupReplicaRegion: "" }, { backupReplicaRegion: "europe" }],
    },
    deletionProtection: {
        valid: { raw: { deletionProtection: "false" }, expect: (s) => assert.equal(s.deletionProtection, false) },
        invalid: [{ deletionProtection: "yes" }, { deletionProtection: "1" }],
    },
    updateWindow: {
        valid: { raw: { updateWindow: "Tue *-*-* 03:00" }, expect: (s) => assert.equal(s.updateWindow, "Tue *-*-* 03:00") },
        invalid: [{ updateWindow: "Tue `id`" }, { updateWindow: "" }],
    },
    adminUsername: {
        valid: { raw: { adminUsername: "ops.super" }, expect: (s) => assert.equal(s.adminUsername, "ops.super") },
        invalid: [{ adminUsername: "admin" }, { adminUsername: "Admin" }, { adminUsername: "ab" }, { adminUsername: "1admin" }],
    },
    wso2Uid: {
        valid: { raw: { wso2Uid: "1802" }, expect: (s) => assert.equal(s.wso2Uid, 1802) },
        invalid: [{ wso2Uid: "0" }, { wso2Uid: "65534" }],
    },
    proxyHost: {
        valid: { raw: { proxyHost: "proxy.internal.example" }, expect: (s) => assert.equal(s.proxyHost, "proxy.internal.example") },
        invalid: [{ proxyHost: "http://proxy:3128" }],
    },
    proxyPort: {
        valid: { raw: { proxyHost: "10.0.0.10", proxyPort: "8080" }, expect: (s) => assert.equal(s.proxyPort, 8080) },
        invalid: [{ proxyHost: "10.0.0.10", proxyPort: "0" }, { proxyPort: "8080" }],
    },
    egressCidrs: {
        valid: { raw: { egressCidrs: "[]" }, expect: (s) => assert.deepEqual(s.egressCidrs, []) },
        invalid: [{ egressCidrs: '["10.0.0.0/40"]' }],
    },
    databaseCidrs: {
        valid: { raw: { databaseCidrs: '["10.40.64.0/24"]' }, expect: (s) => assert.deepEqual(s.databaseCidrs, ["10.40.64.0/24"]) },
        invalid: [{ databaseCidrs: '["db.internal"]' }],
    },
    databaseMode: {
        valid: {
            raw: { databaseMode: "existing", databaseEndpoint: "wso2.cluster-abc.eu-west-1.rds.amazonaws.com", databaseSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1-AbCdEf" },
            expect: (s) => assert.deepEqual([s.databaseMode, s.databaseEndpoint], ["existing", "wso2.cluster-abc.eu-west-1.rds.amazonaws.com"]),
        },
        invalid: [{ databaseMode: "rds" }, { databaseMode: "Managed" }],
    },
    databaseEngineVersion: {
        valid: { raw: { databaseEngineVersion: "15" }, expect: (s) => assert.equal(s.databaseEngineVersion, "15") },
        invalid: [{ databaseEngineVersion: "16.3" }, { databaseEngineVersion: "9" }],
    },
    databaseInstanceClass: {
        valid: { raw: { databaseInstanceClass: "db.m7g.large" }, expect: (s) => assert.equal(s.databaseInstanceClass, "db.m7g.large") },
        invalid: [{ databaseInstanceClass: "m7g.large" }],
    },
    databaseStorageGiB: {
        valid: { raw: { databaseStorageGiB: "200" }, expect: (s) => assert.equal(s.databaseStorageGiB, 200) },
        invalid: [{ databaseStorageGiB: "10" }, { databaseStorageGiB: "70000" }],
    },
    databaseBackupRetentionDays: {
        valid: { raw: { databaseBackupRetentionDays: "35" }, expect: (s) => assert.equal(s.databaseBackupRetentionDays, 35) },
        invalid: [{ databaseBackupRetentionDays: "0" }, { databaseBackupRetentionDays: "36" }],
    },
    databaseEndpoint: {
        valid: {
            raw: { databaseMode: "existing", databaseEndpoint: "db.internal.example.com", databaseSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-admin-AbCdEf" },
            expect: (s) => assert.equal(s.databaseEndpoint, "db.internal.example.com"),
        },
        invalid: [
            { databaseMode: "existing", databaseEndpoint: "10.0.0.5", databaseSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" },
            { databaseEndpoint: "db.internal.example.com" },
        ],
    },
    databaseSecretArn: {
        valid: {
            raw: { databaseMode: "existing", databaseEndpoint: "db.internal.example.com", databaseSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-admin-AbCdEf" },
            expect: (s) => assert.equal(s.databaseSecretArn, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-admin-AbCdEf"),
        },
        invalid: [{ databaseMode: "existing", databaseEndpoint: "db.internal.example.com", databaseSecretArn: "db-admin" }, { databaseMode: "existing", databaseEndpoint: "db.internal.example.com" }],
    },
    databaseNames: {
        valid: { raw: { databaseNames: '["apim_db=apim","shared_db=shared"]' }, expect: (s) => assert.deepEqual(s.databaseNames, { apim_db: "apim", shared_db: "shared" }) },
        invalid: [{ databaseNames: '["reg_db=x"]' }, { databaseNames: '["apim_db=WSO2AM"]' }, { databaseNames: '["apim_db=same","shared_db=same"]' }],
    },
    databasePort: {
        valid: { raw: { databasePort: "3306" }, expect: (s) => assert.equal(s.databasePort, 3306) },
        invalid: [{ databasePort: "70000" }, { databasePort: "" }, { databasePort: "1000" }],
    },
    image: {
        valid: { raw: { image: "wso2/wso2am:4.3.0" }, expect: (s) => assert.equal(s.image, "wso2/wso2am:4.3.0") },
        invalid: [{ image: "wso2/wso2am:latest" }, { image: "wso2/wso2am" }, { image: "wso2/wso2am@sha256:abc" }],
    },
    namespace: {
        valid: { raw: { namespace: "wso2-prod" }, expect: (s) => assert.equal(s.namespace, "wso2-prod") },
        invalid: [{ namespace: "WSO2" }, { namespace: "-wso2" }, { namespace: "" }],
    },
    gatewayNamespace: {
        valid: { raw: { gatewayNamespace: "ingress" }, expect: (s) => assert.equal(s.gatewayNamespace, "ingress") },
        invalid: [{ gatewayNamespace: "Gateway_System" }, { gatewayNamespace: "" }],
    },
    gatewayName: {
        valid: { raw: { gatewayName: "public.gw" }, expect: (s) => assert.equal(s.gatewayName, "public.gw") },
        invalid: [{ gatewayName: "Public" }, { gatewayName: "" }],
    },
    eksClusterName: {
        valid: { raw: { eksClusterName: "wso2-prod" }, expect: (s) => assert.equal(s.eksClusterName, "wso2-prod") },
        invalid: [{ eksClusterName: "-prod" }, { platform: "kubernetes", image: "wso2/wso2am:4.3.0" }],
    },
};

describe("config: parseSettings", () => {
    it("has a valid and an invalid case for every key of the schema", () => {
        assert.deepEqual(Object.keys(CASES).sort(), Object.keys(CONFIG_KEYS).sort());
    });

    it("accepts a prod configuration made of the defaults and a replica region", () => {
        const s = parse({});
        assert.equal(s.environment, "prod");
        assert.equal(s.product, "apim");
        assert.equal(s.nodeCount, 2);
        assert.deepEqual(s.sshSourceCidrs, []);
        assert.equal(s.deletionProtection, true);
        assert.equal(s.productVersion, "4.3.0");
    });

    for (const [key, c] of Object.entries(CASES) as [ConfigKey, KeyCase][]) {
        describe(key, () => {
            it(`accepts ${JSON.stringify(c.valid.raw)}`, () => c.valid.expect(parse(c.valid.raw, c.base)));
            it(`refuses ${c.invalid.map((r) => JSON.stringify(r)).join(" and ")}, naming ${key}`, () => {
                for (const raw of c.invalid) refuse(raw, key, c.base);
            });
        });
    }

    describe("production rules", () => {
        it("refuses nodeCount 1 and -3 in prod with what is allowed", () => {
            assert.match(refuse({ nodeCount: "1" }, "nodeCount").message, /nodeCount = 1: must be at least 2 in prod/);
            assert.match(refuse({ nodeCount: "-3" }, "nodeCount").message, /nodeCount = -3: must be an integer between 1 and 20/);
        });

        it("allows one node outside prod", () => {
            assert.equal(parse({ nodeCount: "1" }, DEV).nodeCount, 1);
        });

        it("refuses SSH from 0.0.0.0/0 and ::/0 in prod, also with leading zeros in the prefix", () => {
            for (const cidr of ["0.0.0.0/0", "::/0", "0.0.0.0/00"]) {
                const e = refuse({ sshSourceCidrs: JSON.stringify([cidr]) }, "sshSourceCidrs");
                assert.match(e.message, /must not allow SSH from anywhere in prod/);
            }
        });

        it("allows SSH from anywhere only outside prod", () => {
            assert.deepEqual(parse({ sshSourceCidrs: '["0.0.0.0/0"]' }, DEV).sshSourceCidrs, ["0.0.0.0/0"]);
        });

        it("requires an image on kubernetes in prod, naming image, but not in dev", () => {
            const e = refuse({ platform: "kubernetes", eksClusterName: "wso2-prod" }, "image");
            assert.match(e.message, /image = "": is required in prod on kubernetes/);
            assert.equal(parse({ platform: "kubernetes", eksClusterName: "wso2-dev" }, DEV).image, undefined);
        });

        it("requires a distribution (S3 zip with its SHA-256, or a product image) in prod on aws, naming distributionS3Uri, but not in dev", () => {
            const e = refuse({ distributionS3Uri: "", distributionSha256: "" }, "distributionS3Uri");
            assert.match(e.message, /distributionS3Uri = "": is required in prod \(or productAmiId\)/);
            assert.equal(parse({ distributionS3Uri: "", distributionSha256: "", productAmiId: "ami-0123456789abcdef0" }).distribution, undefined);
            assert.equal(parse({}, DEV).distribution, undefined);
            assert.equal(parse({ role: "edge" }, { backupReplicaRegion: "eu-central-1" }).distribution, undefined);
            refuse({ amiId: "ami-0123456789abcdef1", distributionS3Uri: "", distributionSha256: "", productAmiId: "ami-0123456789abcdef0" }, "amiId");
        });

        it("requires a backup replica region in prod but not in dev", () => {
            refuse({}, "backupReplicaRegion", {});
            assert.equal(parse({}, DEV).backupReplicaRegion, undefined);
        });
    });

    describe("messages", () => {
        it("names the key, the value and what is allowed", () => {
            const e = refuse({ product: "esb" }, "product");
            assert.match(e.message, /wso2-hardening:product = "esb": must be one of apim, mi, is, si/);
        });

        it("reports every bad key at once", () => {
            const e = refuse({ product: "esb", environment: "test", clientCidrs: '["10.0.0.0/33"]' }, "product");
            assert.deepEqual(
                e.problems.map((p) => p.key).sort(),
                ["clientCidrs", "environment", "product"],
            );
        });

        it("reads comma-separated lists as well as JSON arrays", () => {
            assert.deepEqual(parse({ clientCidrs: "10.0.0.0/8, 192.168.0.0/16" }).clientCidrs, ["10.0.0.0/8", "192.168.0.0/16"]);
        });
    });
});
