import { strict as assert } from "assert";
import * as zlib from "zlib";
import { ConfigError, parseSettings, Settings } from "../../config/settings";
import { PRODUCTS } from "../../products";
import {
    edgeSecurityRules,
    edgeToNodePorts,
    nodeSecurityRules,
    ruleSuffix,
    SecurityRule,
    targetPorts,
    cidrArgs,
} from "../../components/aws/security-rules";
import { planSubnets } from "../../components/aws/subnets";
import { INSTANCE_MEMORY_MIB, instanceArchitecture, instanceMemoryMiB } from "../../components/aws/instance-types";
import { checkAwsSettings } from "../../components/aws/preflight";
import { encodeUserData, nodeRolePolicy, s3ObjectArn } from "../../components/aws/nodes";
import { backupLifecycleRules, NONCURRENT_BACKUP_DAYS, replicationPolicy, tlsOnlyStatements } from "../../components/aws/backup";
import { resolveClusterArgs, targetGroupArgs } from "../../components/aws/cluster";
import { partitionOf, keyPolicy } from "../../components/aws/common";

const PROD_NAMING = { prefix: "wso2-prod", stack: "prod" };

function settings(raw: Record<string, string> = {}): Settings {
    const all: Record<string, string> = { backupReplicaRegion: "eu-central-1", distributionS3Uri: "s3://releases/wso2am-4.3.0.zip", distributionSha256: "918c56cd2bfbb6d848542629c4395cad23d3076e53338c2ac6460835c6ec890f", route53ZoneId: "Z0123456789ABCDEFGHIJ", ...raw };
    return parseSettings((k) => all[k]);
}

const isWorld = (r: SecurityRule) => r.peer.kind === "cidr" && /\/0+$/.test(r.peer.cidr);

describe("aws: security rule tables", () => {
    for (const product of Object.values(PRODUCTS)) {
        describe(product.id, () => {
            const s = settings({ product: product.id });
            const edge = edgeSecurityRules(s, product);
            const nodes = nodeSecurityRules(s, product);

            it("opens only 443 and 80 on the edge, from clientCidrs", () => {
                const ingress = edge.filter((r) => r.direction === "ingress");
                assert.deepEqual([...new Set(ingress.map((r) => r.port))].sort(), [443, 80].sort());
                assert.ok(ingress.every((r) => r.peer.kind === "cidr" && s.clientCidrs.includes(r.peer.cidr)));
            });

            it("lets the edge out only to the nodes, on the target and health-check ports", () => {
                const egress = edge.filter((r) => r.direction === "egress");
                assert.ok(egress.every((r) => r.peer.kind === "group" && r.peer.group === "nodes"));
                assert.deepEqual(egress.map((r) => r.port), edgeToNodePorts(s, product));
                assert.ok(edgeToNodePorts(s, product).includes(product.healthChecks[0].port));
            });

            it("accepts service ports on the nodes only from the edge group", () => {
                const fromEdge = nodes.filter((r) => r.direction === "ingress" && r.peer.kind === "group" && r.peer.group === "edge");
                assert.deepEqual(fromEdge.map((r) => r.port), edgeToNodePorts(s, product));
                for (const port of edgeToNodePorts(s, product)) assert.ok(product.servicePorts.includes(port), `${port} is a service port`);
            });

            it("accepts clustering ports only from the nodes' own group", () => {
                const clustering = nodes.filter((r) => r.direction === "ingress" && product.clusteringPorts.includes(r.port));
                assert.equal(clustering.length, product.clusteringPorts.length);
                assert.ok(clustering.every((r) => r.peer.kind === "group" && r.peer.group === "nodes"));
            });

            it("opens no closed port (plain HTTP, JMX, debug) in any direction", () => {
                for (const r of [...edge, ...nodes]) assert.ok(!product.closedPorts.includes(r.port), `${ruleSuffix(r)} opens closed port ${r.port}`);
            });

            it("has no SSH rule without sshSourceCidrs, and nothing world-open on the nodes", () => {
                assert.ok(!nodes.some((r) => r.port === s.sshPort));
                assert.ok(!nodes.some((r) => r.direction === "ingress" && r.peer.kind === "cidr"));
            });

            it("describes every rule and names each one uniquely", () => {
                for (const r of [...edge, ...nodes]) {
                    assert.ok(r.description.length > 10, `${ruleSuffix(r)} has a description`);
                    assert.match(r.description, /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,255}$/);
                }
                const names = [...edge.map(ruleSuffix), ...nodes.map(ruleSuffix)];
                assert.equal(new Set(edge.map(ruleSuffix)).size, edge.length);
                assert.equal(new Set(nodes.map(ruleSuffix)).size, nodes.length);
                assert.ok(names.length > 0);
            });
        });
    }

    it("targets every port a public route uses plus the traffic port", () => {
        const apim = PRODUCTS.apim;
        assert.deepEqual(targetPorts(settings(), apim), [8243, 9443]);
        // MI routes nothing by default: traffic port only; its health check is on 9201.
        assert.deepEqual(targetPorts(settings({ product: "mi" }), PRODUCTS.mi), [8253]);
        assert.deepEqual(edgeToNodePorts(settings({ product: "mi" }), PRODUCTS.mi), [8253, 9201]);
    });

    it("opens SSH on the configured port only from sshSourceCidrs, IPv4 and IPv6", () => {
        const s = settings({ sshSourceCidrs: '["198.51.100.7/32","2001:db8::/48"]', sshPort: "50022" });
        const ssh = nodeSecurityRules(s, PRODUCTS.apim).filter((r) => r.port === 50022);
        assert.deepEqual(
            ssh.map((r) => r.peer),
            [
                { kind: "cidr", cidr: "198.51.100.7/32" },
                { kind: "cidr", cidr: "2001:db8::/48" },
            ],
        );
        assert.ok(ssh.every((r) => r.direction === "ingress" && /SSH/.test(r.description)));
        assert.deepEqual(cidrArgs("2001:db8::/48"), { cidrIpv6: "2001:db8::/48" });
        assert.deepEqual(cidrArgs("198.51.100.7/32"), { cidrIpv4: "198.51.100.7/32" });
        assert.notEqual(ruleSuffix(ssh[0]), ruleSuffix(ssh[1]));
    });

    it("restricts egress to 443 (VPC, S3, egressCidrs), the database port and the proxy port", () => {
        const s = settings({
            egressCidrs: '["10.30.0.0/20"]',
            databaseCidrs: '["10.30.64.0/24"]',
            databasePort: "3306",
            proxyHost: "proxy.internal",
            proxyPort: "3128",
        });
        const egress = nodeSecurityRules(s, PRODUCTS.is).filter((r) => r.direction === "egress");
        const outside = egress.filter((r) => !(r.peer.kind === "group" && r.peer.group === "nodes"));
        assert.deepEqual(
            outside.map((r) => `${r.port}>${r.peer.kind === "cidr" ? r.peer.cidr : r.peer.kind}`).sort(),
            ["443>10.30.0.0/20", "443>s3", "443>vpc", "3306>10.30.64.0/24", "3128>10.30.0.0/20"].sort(),
        );
        assert.ok(!egress.some(isWorld));
    });

    it("drops repeated rules that AWS would refuse (same port and peer)", () => {
        const s = settings({ egressCidrs: '["10.0.0.0/8","10.0.0.0/8"]', proxyHost: "proxy", proxyPort: "443" });
        const egress443 = nodeSecurityRules(s, PRODUCTS.mi).filter((r) => r.port === 443 && r.peer.kind === "cidr");
        assert.equal(egress443.length, 1);
    });
});

describe("aws: subnet plan", () => {
    it("puts private and public subnets in separate blocks of the VPC, one per zone", () => {
        assert.deepEqual(planSubnets("10.30.0.0/16", 3), {
            private: ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"],
            public: ["10.30.128.0/19", "10.30.160.0/19", "10.30.192.0/19"],
        });
        assert.deepEqual(planSubnets("172.20.5.0/24", 2), {
            private: ["172.20.5.0/27", "172.20.5.32/27"],
            public: ["172.20.5.128/27", "172.20.5.160/27"],
        });
    });

    it("ignores host bits and refuses what it cannot split", () => {
        assert.deepEqual(planSubnets("10.40.7.9/16", 2).private, ["10.40.0.0/19", "10.40.32.0/19"]);
        assert.throws(() => planSubnets("10.0.0.0/27", 2), /too small/);
        assert.throws(() => planSubnets("10.0.0/16", 2), /not an IPv4 CIDR/);
        assert.throws(() => planSubnets("10.0.0.0/16", 5), /zoneCount/);
    });
});

describe("aws: instance memory", () => {
    it("knows common types, and the configured value wins", () => {
        assert.equal(INSTANCE_MEMORY_MIB["m6i.xlarge"], 16384);
        assert.equal(INSTANCE_MEMORY_MIB["c6i.large"], 4096);
        assert.equal(INSTANCE_MEMORY_MIB["r7g.2xlarge"], 65536);
        assert.equal(INSTANCE_MEMORY_MIB["t3.medium"], 4096);
        assert.equal(instanceMemoryMiB({ instanceType: "m6i.xlarge", instanceMemoryMiB: 0 }), 16384);
        assert.equal(instanceMemoryMiB({ instanceType: "x2idn.16xlarge", instanceMemoryMiB: 1048576 }), 1048576);
    });

    it("refuses an unknown type without instanceMemoryMiB, naming instanceMemoryMiB", () => {
        assert.throws(
            () => instanceMemoryMiB({ instanceType: "x2idn.16xlarge", instanceMemoryMiB: 0 }),
            (e: unknown) => e instanceof ConfigError && e.problems[0].key === "instanceMemoryMiB" && /x2idn\.16xlarge/.test(e.message),
        );
    });

    it("refuses machines too small for WSO2", () => {
        assert.throws(() => instanceMemoryMiB({ instanceType: "t3.small", instanceMemoryMiB: 0 }), /instanceType = "t3.small".*at least 4096/);
        assert.throws(() => instanceMemoryMiB({ instanceType: "m6i.large", instanceMemoryMiB: 2048 }), /instanceMemoryMiB = 2048/);
    });

    it("picks arm64 images for Graviton types", () => {
        assert.equal(instanceArchitecture("m7g.xlarge"), "arm64");
        assert.equal(instanceArchitecture("c6gn.large"), "arm64");
        assert.equal(instanceArchitecture("m6i.xlarge"), "x86_64");
        assert.equal(instanceArchitecture("g5.xlarge"), "x86_64");
    });

    it("checkAwsSettings reports memory and a replica in the stack's own region together", () => {
        const s = settings({ instanceType: "z1d.metal", backupReplicaRegion: "eu-west-1" });
        assert.throws(
            () => checkAwsSettings(s, "eu-west-1", PRODUCTS.apim, PROD_NAMING),
            (e: unknown) =>
                e instanceof ConfigError &&
                e.problems.map((p) => p.key).sort().join() === "backupReplicaRegion,instanceMemoryMiB" &&
                /wso2-hardening:backupReplicaRegion = "eu-west-1": must differ from the stack's region/.test(e.message),
        );
        assert.doesNotThrow(() => checkAwsSettings(settings(), "eu-west-1", PRODUCTS.apim, PROD_NAMING));
    });
});

describe("aws: node role, user data, target groups, keys", () => {
    const policyInput = {
        region: "eu-west-1",
        secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:admin-AbCdEf"],
        secretsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/secrets",
        backupBucketArn: "arn:aws:s3:::backups",
        backupPrefix: "nodes/wso2-prod",
        stepsPrefix: "steps/wso2-prod",
        keystorePrefix: "keystore/wso2-prod",
        backupKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/backups",
        logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/wso2/wso2-prod/nodes",
        distributionObjectArn: "arn:aws:s3:::releases/wso2am-4.3.0.zip",
    };
    const policy = nodeRolePolicy(policyInput);

    it("lets nodes list, get and put only under their cluster's prefix, never delete, and read only the distribution object besides", () => {
        const s3 = policy.Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith("s3:")));
        assert.deepEqual(s3.map((s) => [s.Action, s.Resource, s.Condition]), [
            ["s3:ListBucket", "arn:aws:s3:::backups", { StringLike: { "s3:prefix": ["nodes/wso2-prod/*", "keystore/wso2-prod/*"] } }],
            ["s3:GetObject", ["arn:aws:s3:::backups/nodes/wso2-prod/*", "arn:aws:s3:::backups/keystore/wso2-prod/*"], undefined],
            ["s3:GetObject", "arn:aws:s3:::backups/steps/wso2-prod/*", undefined],
            ["s3:PutObject", ["arn:aws:s3:::backups/nodes/wso2-prod/*", "arn:aws:s3:::backups/keystore/wso2-prod/*"], undefined],
            ["s3:GetObject", "arn:aws:s3:::releases/wso2am-4.3.0.zip", undefined],
        ]);
        assert.equal(s3ObjectArn("aws-cn", "s3://releases/a/b.zip"), "arn:aws-cn:s3:::releases/a/b.zip");
        const withoutDistribution = nodeRolePolicy({ ...policyInput, distributionObjectArn: undefined });
        assert.ok(!JSON.stringify(withoutDistribution).includes("releases"));
    });

    it("scopes secrets, keys and logs to this cluster's resources; only Describe calls are unscoped", () => {
        for (const s of policy.Statement) {
            if (s.Resource === "*") {
                assert.ok([s.Action].flat().every((a) => /^ec2:Describe|^cloudwatch:PutMetricData$/.test(a)), JSON.stringify(s));
            }
            assert.equal(s.Effect, "Allow");
            assert.ok(![s.Action].flat().some((a) => a.endsWith(":*") || a === "*"), `no wildcard action in ${s.Sid}`);
        }
        const kms = policy.Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith("kms:")));
        assert.ok(kms.every((s) => s.Condition?.StringEquals?.["kms:ViaService"]), "KMS use only through the owning service");
    });

    it("passes small cloud-configs as base64 and gzips large ones", () => {
        const small = "#cloud-config\nruncmd: [true]\n";
        assert.equal(Buffer.from(encodeUserData(small), "base64").toString(), small);
        const large = "#cloud-config\n" + "write_files: []\n".repeat(2000);
        const packed = Buffer.from(encodeUserData(large), "base64");
        assert.deepEqual([...packed.subarray(0, 2)], [0x1f, 0x8b]);
        assert.equal(zlib.gunzipSync(packed).toString(), large);
        const random = Array.from({ length: 40000 }, (_, i) => ((i * 2654435761) % 4294967296).toString(36)).join("");
        assert.throws(() => encodeUserData(random), /EC2 accepts at most 16384/);
    });

    it("health-checks HTTPS target groups with the product's first health check", () => {
        const mi = targetGroupArgs(PRODUCTS.mi, 8253, "vpc-1", {});
        assert.equal(mi.protocol, "HTTPS");
        assert.deepEqual(
            { ...(mi.healthCheck as object) },
            { enabled: true, protocol: "HTTP", port: "9201", path: "/healthz", matcher: "200", interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
        );
        const apim = targetGroupArgs(PRODUCTS.apim, 8243, "vpc-1", {});
        assert.equal((apim.healthCheck as { path: string }).path, "/api/am/gateway/v2/server-startup-healthcheck");
    });

    it("backup lifecycle: current versions expire after the retention, noncurrent a week later; a transition only when archives outlive it", () => {
        const [rule, markers] = backupLifecycleRules(90) as any[];
        assert.equal(rule.status, "Enabled");
        assert.deepEqual(rule.transitions, [{ days: 30, storageClass: "STANDARD_IA" }]);
        assert.deepEqual(rule.expiration, { days: 90 });
        assert.deepEqual(rule.noncurrentVersionExpiration, { noncurrentDays: NONCURRENT_BACKUP_DAYS });
        assert.deepEqual(rule.abortIncompleteMultipartUpload, { daysAfterInitiation: 7 });
        assert.deepEqual(markers.expiration, { expiredObjectDeleteMarker: true });
        // S3 refuses an expiration that is not after the rule's transition.
        const [short] = backupLifecycleRules(30) as any[];
        assert.equal(short.transitions, undefined);
        assert.deepEqual(short.expiration, { days: 30 });
    });

    it("bucket policies deny plain HTTP and TLS below 1.2", () => {
        const [http, tls] = tlsOnlyStatements("arn:aws:s3:::b");
        assert.deepEqual(http.Condition, { Bool: { "aws:SecureTransport": "false" } });
        assert.deepEqual(tls.Condition, { NumericLessThan: { "s3:TlsVersion": "1.2" } });
        assert.ok([http, tls].every((s) => s.Effect === "Deny" && s.Principal === "*"));
    });

    it("replication reads only the source and writes only the destination", () => {
        const doc = replicationPolicy({
            source: "arn:aws:s3:::src",
            destination: "arn:aws:s3:::dst",
            sourceKey: "k1",
            destinationKey: "k2",
            region: "eu-west-1",
            replicaRegion: "eu-central-1",
        });
        const writes = doc.Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith("s3:Replicate")));
        assert.deepEqual(writes.map((s) => s.Resource), ["arn:aws:s3:::dst/*"]);
        assert.equal(doc.Statement.find((s) => s.Resource === "k2")?.Condition?.StringEquals?.["kms:ViaService"], "s3.eu-central-1.amazonaws.com");
    });

    it("knows the partitions and lets the account administer keys", () => {
        assert.equal(partitionOf("cn-north-1"), "aws-cn");
        assert.equal(partitionOf("us-gov-west-1"), "aws-us-gov");
        assert.equal(partitionOf("eu-west-1"), "aws");
        assert.deepEqual(keyPolicy("aws", "123456789012").Statement[0].Principal, { AWS: "arn:aws:iam::123456789012:root" });
    });
});

describe("aws: the cluster's distribution", () => {
    const base = { product: "apim" as const, domainName: "api.example.com", environment: "prod" as const, backupReplicaRegion: "eu-central-1", network: {} as never };
    const sha = "918c56cd2bfbb6d848542629c4395cad23d3076e53338c2ac6460835c6ec890f";

    it("a prod cluster needs a distribution with its SHA-256 or a product image, naming the argument", () => {
        assert.throws(() => resolveClusterArgs("wso2-prod", base), /distribution = "": is required in prod \(or productAmiId\)/);
        assert.throws(() => resolveClusterArgs("wso2-prod", { ...base, distribution: { s3Uri: "s3://releases/wso2am.zip", sha256: "0".repeat(64) } }), /distribution\.sha256/);
        assert.throws(() => resolveClusterArgs("wso2-prod", { ...base, distribution: { s3Uri: "https://x/wso2am.zip", sha256: sha } }), /distribution\.s3Uri/);
        assert.throws(() => resolveClusterArgs("wso2-prod", { ...base, productAmiId: "ami-0123456789abcdef0", amiId: "ami-0123456789abcdef1" }), /amiId/);
        assert.deepEqual(resolveClusterArgs("wso2-prod", { ...base, distribution: { s3Uri: "s3://releases/wso2am.zip", sha256: sha } }).distribution, { s3Uri: "s3://releases/wso2am.zip", sha256: sha });
        assert.equal(resolveClusterArgs("wso2-prod", { ...base, productAmiId: "ami-0123456789abcdef0" }).productAmiId, "ami-0123456789abcdef0");
        assert.equal(resolveClusterArgs("wso2-dev", { ...base, environment: "dev" }).distribution, undefined);
    });
});
