/**
 * The shared database in the planned stacks (under the SDK's mocks): every setting of a production RDS for
 * PostgreSQL in prod, the cheaper shape in dev, an existing server, and no database for products without one.
 */
import { strict as assert } from "assert";
import { parse as parseToml } from "smol-toml";
import { ACCOUNT, MOCK_PASSWORD, Plan, PlannedResource, runStack, stackConfig, StackRun } from "./harness";

async function planRun(stack: string, overrides: Record<string, string> = {}): Promise<StackRun> {
    const run = await runStack(stack, { ...stackConfig(stack), ...overrides });
    if (run.error) throw run.error;
    return run;
}

/** The rendered deployment.toml and node settings of a stack's nodes. */
function rendered(run: StackRun): { toml: any; env: Record<string, string> } {
    const toml = run.artifacts.find((a) => a.kind === "deployment.toml");
    const env = run.artifacts.find((a) => a.path.endsWith("/etc/wso2/node.env") || a.path.endsWith("node.env"));
    assert.ok(toml && env, run.artifacts.map((a) => a.path).join(", "));
    const settings: Record<string, string> = {};
    for (const line of env.content.split("\n")) {
        const m = /^([A-Z][A-Z0-9_]*)='(.*)'$/.exec(line);
        if (m) settings[m[1]] = m[2];
    }
    return { toml: parseToml(toml.content), env: settings };
}

const T = {
    instance: "aws:rds/instance:Instance",
    parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    replication: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    subnet: "aws:ec2/subnet:Subnet",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    kmsKey: "aws:kms/key:Key",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};

async function plan(stack: string, overrides: Record<string, string> = {}): Promise<Plan> {
    return new Plan((await planRun(stack, overrides)).resources);
}

function nodePolicyStatements(p: Plan, cluster: string): any[] {
    const policy = p.ofType(T.rolePolicy).find((r) => r.name === `${cluster}-node`)!;
    return JSON.parse(policy.inputs.policy).Statement;
}

describe("aws: the shared database in the planned stacks", function () {
    this.timeout(120000);

    describe("prod (RDS for PostgreSQL, production settings)", function () {
        let p: Plan;
        let run: StackRun;
        before(async () => {
            run = await planRun("prod");
            p = new Plan(run.resources);
        });

        it("renders API-M's apim_db and shared_db on the database: TLS verifying the server, the runtime user, a Secure Vault password", function () {
            const db = p.one(T.instance);
            const { toml, env } = rendered(run);
            for (const [datasource, name] of [["apim_db", "wso2am_db"], ["shared_db", "wso2shared_db"]]) {
                const d = toml.database[datasource];
                assert.equal(d.url, `jdbc:postgresql://${db.state.address}:5432/${name}?sslmode=verify-full&amp;sslrootcert=/etc/wso2/database-ca.pem`);
                assert.equal(d.type, "postgre");
                assert.equal(d.driver, "org.postgresql.Driver");
                assert.equal(d.username, "wso2_runtime");
                assert.equal(d.password, "$secret{database_password}");
            }
            // The node bootstraps these databases from the distribution's scripts, as the master RDS manages.
            assert.equal(env.DB_SCHEMAS, "wso2shared_db=dbscripts/postgresql.sql wso2am_db=dbscripts/apimgt/postgresql.sql");
            assert.equal(env.DB_MASTER_SECRET_ID, db.state.masterUserSecrets[0].secretArn);
            assert.match(env.DB_RUNTIME_SECRET_ID, /wso2-prod-db-runtime/);
            assert.equal(env.DB_SSLMODE, "verify-full");
            assert.equal(env.DB_CA_BUNDLE_URL, "https://truststore.pki.rds.amazonaws.com/eu-west-1/eu-west-1-bundle.pem");
            assert.equal(env.DB_DRIVER_DIR, "repository/components/lib");
            assert.match(env.BOOT_STEPS, /wso2-keystore wso2-db-client wso2-db-bootstrap/);
            assert.match(env.EXTRA_PACKAGES, /libpostgresql-jdbc-java/);
            assert.equal(env.VAULT_ALIAS_DATABASE, "database_password");
            for (const a of run.artifacts) assert.ok(!a.content.includes(MOCK_PASSWORD), `no password in ${a.path}`);
        });

        it("encrypts storage and Performance Insights with a customer key, and manages the master password in Secrets Manager under it", function () {
            const db = p.one(T.instance);
            const key = p.byArn(db.inputs.kmsKeyId)!;
            assert.equal(key.type, T.kmsKey, "a customer managed key, not the AWS-managed one");
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.equal(db.inputs.storageEncrypted, true);
            assert.equal(db.inputs.performanceInsightsEnabled, true);
            assert.equal(db.inputs.performanceInsightsKmsKeyId, key.state.arn);
            assert.equal(db.inputs.manageMasterUserPassword, true);
            assert.equal(db.inputs.masterUserSecretKmsKeyId, key.state.arn);
            assert.equal(db.inputs.password, undefined, "no master password in the program or its state");
            assert.equal(db.inputs.engine, "postgres");
            assert.equal(db.inputs.autoMinorVersionUpgrade, true);
            assert.equal(db.protect, true);
        });

        it("lives in the private subnets, not publicly accessible, behind a group only the nodes reach on 5432", function () {
            const db = p.one(T.instance);
            assert.equal(db.inputs.publiclyAccessible, false);
            const subnetGroup = p.ofType(T.subnetGroup).find((g) => g.state.name === db.inputs.dbSubnetGroupName)!;
            const subnets: PlannedResource[] = subnetGroup.inputs.subnetIds.map((id: string) => p.byId(id)!);
            assert.equal(subnets.length, 3);
            for (const s of subnets) assert.equal(s.inputs.mapPublicIpOnLaunch ?? false, false, `${s.name} is a private subnet`);
            assert.ok(subnets.every((s) => /private/.test(s.name)), subnets.map((s) => s.name).join(", "));

            assert.equal(db.inputs.vpcSecurityGroupIds.length, 1);
            const dbSg = p.byId(db.inputs.vpcSecurityGroupIds[0])!;
            const nodeSg = p.one(T.sg, "wso2-prod-nodes");
            const ingress = p.ofType(T.ingress).filter((r) => r.inputs.securityGroupId === dbSg.id);
            assert.deepEqual(
                ingress.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId, r.inputs.cidrIpv4, r.inputs.cidrIpv6]),
                [[5432, 5432, nodeSg.id, undefined, undefined]],
            );
            assert.equal(p.ofType(T.egress).filter((r) => r.inputs.securityGroupId === dbSg.id).length, 0, "the database opens no connection");
            const toDb = p.ofType(T.egress).filter((r) => r.inputs.securityGroupId === nodeSg.id && r.inputs.referencedSecurityGroupId === dbSg.id);
            assert.deepEqual(toDb.map((r) => r.inputs.fromPort), [5432]);
        });

        it("forces TLS (1.2 and up) and SCRAM passwords through its parameter group", function () {
            const db = p.one(T.instance);
            const group = p.ofType(T.parameterGroup).find((g) => g.state.name === db.inputs.parameterGroupName)!;
            const params = Object.fromEntries(group.inputs.parameters.map((x: any) => [x.name, x.value]));
            assert.equal(group.inputs.family, "postgres16");
            assert.equal(params["rds.force_ssl"], "1");
            assert.equal(params.ssl_min_protocol_version, "TLSv1.2");
            assert.equal(params.password_encryption, "scram-sha-256");
        });

        it("is Multi-AZ, protected from deletion, snapshotted on deletion, with backups kept as configured and replicated to the second region", function () {
            const db = p.one(T.instance);
            assert.equal(db.inputs.multiAz, true);
            assert.equal(db.inputs.deletionProtection, true);
            assert.equal(db.inputs.skipFinalSnapshot, false);
            assert.match(db.inputs.finalSnapshotIdentifier, /^wso2-prod-db-final$/);
            assert.equal(db.inputs.backupRetentionPeriod, 30);
            assert.equal(db.inputs.copyTagsToSnapshot, true);
            assert.equal(db.inputs.deleteAutomatedBackups, false);
            const replication = p.one(T.replication);
            assert.equal(replication.inputs.sourceDbInstanceArn, db.state.arn);
            assert.equal(replication.inputs.region, stackConfig("prod")["wso2-hardening:backupReplicaRegion"]);
            assert.equal(replication.inputs.retentionPeriod, 30);
            const replicaKey = p.byArn(replication.inputs.kmsKeyId)!;
            assert.equal(replicaKey.inputs.region, "eu-central-1");
            assert.match(replicaKey.state.arn, /^arn:aws:kms:eu-central-1:/);
        });

        it("takes the backup retention from configuration", async function () {
            const q = await plan("prod", { "wso2-hardening:databaseBackupRetentionDays": "14" });
            assert.equal(q.one(T.instance).inputs.backupRetentionPeriod, 14);
            assert.equal(q.one(T.replication).inputs.retentionPeriod, 14);
        });

        it("gives the nodes the database secrets to read, and nothing more of it", function () {
            const db = p.one(T.instance);
            const runtimeSecret = p.ofType(T.secret).find((s) => s.name === "wso2-prod-db-runtime")!;
            const statements = nodePolicyStatements(p, "wso2-prod");
            const read = statements.find((s) => s.Sid === "ReadTheDatabaseSecrets");
            assert.deepEqual(read.Action, "secretsmanager:GetSecretValue");
            assert.deepEqual(read.Resource, [db.state.masterUserSecrets[0].secretArn, runtimeSecret.state.arn]);
            const decrypt = statements.find((s) => s.Sid === "DecryptDatabaseSecretsThroughSecretsManager");
            assert.deepEqual(decrypt.Resource, [db.inputs.kmsKeyId]);
            assert.deepEqual(decrypt.Condition, { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } });
            assert.ok(!statements.some((s) => [s.Action].flat().some((a: string) => a.startsWith("rds:"))), "no RDS API rights");
        });

        it("keeps the generated runtime password in its secret only", function () {
            const runtimeSecret = p.ofType(T.secret).find((s) => s.name === "wso2-prod-db-runtime")!;
            assert.equal(p.byArn(runtimeSecret.inputs.kmsKeyId)!.type, T.kmsKey);
            const holders = p.resources.filter((r) => JSON.stringify(r.inputs).includes(MOCK_PASSWORD)).map((r) => `${r.type}::${r.name}`);
            assert.ok(holders.includes(`${T.secretVersion}::wso2-prod-db-runtime`));
            assert.ok(!holders.some((h) => h.startsWith("aws:ec2/launchTemplate")), holders.join(", "));
            const version = p.one(T.secretVersion, "wso2-prod-db-runtime");
            assert.equal(JSON.parse(version.inputs.secretString).username, "wso2_runtime");
        });
    });

    it("dev: a smaller, cheaper instance without standby, deletion protection or replication", async function () {
        const p = await plan("dev");
        const db = p.one(T.instance);
        assert.equal(db.inputs.instanceClass, "db.t4g.medium");
        assert.equal(db.inputs.allocatedStorage, 20);
        assert.equal(db.inputs.multiAz, false);
        assert.equal(db.inputs.deletionProtection, false);
        assert.equal(db.inputs.skipFinalSnapshot, true);
        assert.equal(db.inputs.storageEncrypted, true);
        assert.equal(db.inputs.publiclyAccessible, false);
        assert.equal(p.ofType(T.replication).length, 0);
        const prod = (await plan("prod")).one(T.instance);
        assert.equal(prod.inputs.instanceClass, "db.r6g.large");
        assert.equal(prod.inputs.allocatedStorage, 100);
    });

    it("existing: no instance, the configured endpoint and secret, the nodes read that secret", async function () {
        const secretArn = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:corp-postgres-admin-AbCdEf`;
        const p = await plan("staging", {
            "wso2-hardening:databaseMode": "existing",
            "wso2-hardening:databaseEndpoint": "pg.db.example.internal",
            "wso2-hardening:databaseSecretArn": secretArn,
        });
        assert.equal(p.ofType(T.instance).length, 0);
        assert.equal(p.ofType(T.parameterGroup).length, 0);
        const read = nodePolicyStatements(p, "wso2-staging").find((s) => s.Sid === "ReadTheDatabaseSecrets");
        assert.equal(read.Resource[0], secretArn);
        assert.match(read.Resource[1], /wso2-staging-db-runtime/);
    });

    it("refuses an existing database without its endpoint, naming the key", async function () {
        const run = await runStack("staging", { ...stackConfig("staging"), "wso2-hardening:databaseMode": "existing" });
        assert.ok(run.error);
        assert.match(run.error!.message, /wso2-hardening:databaseEndpoint = "": is required when databaseMode is existing/);
        assert.equal(run.resources.filter((r) => r.type.startsWith("aws:")).length, 0);
    });

    it("renders IS's identity_db and a clustered MI's coordination datasource", async function () {
        const is = rendered(await planRun("staging", { "wso2-hardening:product": "is" })).toml;
        assert.match(is.database.identity_db.url, /^jdbc:postgresql:\/\/[a-z0-9.-]+:5432\/wso2identity_db\?sslmode=verify-full&amp;sslrootcert=/);
        assert.equal(is.database.identity_db.password, "$secret{database_password}");
        assert.match(is.database.shared_db.url, /\/wso2shared_db\?sslmode=verify-full/);
        const mi = await planRun("staging", { "wso2-hardening:product": "mi" });
        const { toml, env } = rendered(mi);
        assert.deepEqual(toml.datasource.map((d: any) => [d.id, d.username, d.password, d.driver]), [["WSO2_COORDINATION_DB", "wso2_runtime", "$secret{database_password}", "org.postgresql.Driver"]]);
        assert.match(toml.datasource[0].url, /\/wso2coordination_db\?sslmode=verify-full&amp;sslrootcert=\/etc\/wso2\/database-ca\.pem$/);
        assert.equal(env.DB_DRIVER_DIR, "lib");
        assert.equal(env.DB_SCHEMAS, "wso2coordination_db=dbscripts/postgres/postgresql_cluster.sql");
    });

    it("no database for a product that shares none (SI, a single MI node)", async function () {
        const cases: Record<string, string>[] = [{ "wso2-hardening:product": "si" }, { "wso2-hardening:product": "mi", "wso2-hardening:nodeCount": "1" }];
        for (const overrides of cases) {
            const p = await plan("dev", overrides);
            assert.equal(p.ofType(T.instance).length, 0, JSON.stringify(overrides));
            assert.equal(p.ofType(T.secret).filter((s) => /-db-/.test(s.name)).length, 0);
        }
        const mi = await plan("staging", { "wso2-hardening:product": "mi" });
        assert.equal(mi.ofType(T.instance).length, 1, "a clustered MI shares its coordination database");
    });
});
