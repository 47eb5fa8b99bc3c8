/**
 * The node's database steps (components/host/node/wso2-db-*.sh) against a real PostgreSQL: TLS only, a master
 * user shaped like RDS's (CREATEDB, CREATEROLE, not a superuser), and a stand-in of the distribution's
 * `dbscripts/` (test/fixtures/dbscripts: the real distributions are not downloadable here).
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Moto, requireTool, run, tempDir } from "./helpers";
import { makeCa, Postgres } from "./postgres";

const NODE_DIR = path.resolve(__dirname, "../../components/host/node");
const BOOTSTRAP = path.join(NODE_DIR, "wso2-db-bootstrap.sh");
const BACKUP = path.join(NODE_DIR, "wso2-db-backup.sh");
const RESTORE = path.join(NODE_DIR, "wso2-db-restore.sh");
const WSO2_HOME = path.resolve(__dirname, "../fixtures/dbscripts");
const MASTER = "rdsmaster";
const MASTER_PASSWORD = "master-pass-for-tests-1";
const RUNTIME_PASSWORD = "runtime-pass-for-tests-2";
const SCHEMAS = "wso2shared_db=dbscripts/postgresql.sql wso2am_db=dbscripts/apimgt/postgresql.sql";

interface Outcome {
    status: number | null;
    stdout: string;
    stderr: string;
}

function spawnAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120000): Promise<Outcome> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.on("error", reject);
        child.on("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
    });
}

describe("database bootstrap, backup and restore on a real PostgreSQL (TLS only)", function () {
    this.timeout(240000);
    const pg = new Postgres();
    let work = "";

    /** The settings a node gets, pointed at the test server. */
    const settings = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
        PATH: process.env.PATH,
        DB_SETTINGS_FILE: path.join(work, "none.env"),
        DB_HOST: "127.0.0.1",
        DB_PORT: String(pg.port),
        DB_SSLROOTCERT: pg.ca,
        DB_MASTER_USER: MASTER,
        DB_MASTER_PASSWORD: MASTER_PASSWORD,
        DB_RUNTIME_PASSWORD: RUNTIME_PASSWORD,
        DB_SCHEMAS: SCHEMAS,
        WSO2_HOME,
        ...extra,
    });
    const bootstrap = (extra: Record<string, string> = {}) => run("bash", [BOOTSTRAP], { env: settings(extra), timeoutMs: 120000 });
    const asRuntime = (database: string, sql: string) => pg.psql("wso2_runtime", RUNTIME_PASSWORD, database, sql);

    /** Everything the bootstrap could change, read as the superuser: roles (with password verifiers), grants, objects, owners, rows. */
    function catalog(databases: string[], roles: string[]): string {
        const roleList = roles.map((r) => `'${r}'`).join(",");
        const parts = [
            pg.asSuper("postgres", `SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolinherit, rolpassword FROM pg_authid WHERE rolname IN (${roleList}) ORDER BY 1`),
            pg.asSuper("postgres", `SELECT roleid::regrole, member::regrole, admin_option FROM pg_auth_members WHERE roleid::regrole::text IN (${roleList}) ORDER BY 1, 2`),
            pg.asSuper("postgres", `SELECT oid, datname, datdba::regrole, datacl FROM pg_database WHERE datname IN (${databases.map((d) => `'${d}'`).join(",")}) ORDER BY 2`),
        ];
        for (const db of databases) {
            parts.push(
                pg.asSuper(db, "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relowner::regrole, c.relacl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'wso2_bootstrap') ORDER BY 2, 3"),
                pg.asSuper(db, "SELECT nspname, nspowner::regrole, nspacl FROM pg_namespace WHERE nspname IN ('public', 'wso2_bootstrap') ORDER BY 1"),
                pg.asSuper(db, "SELECT defaclrole::regrole, defaclobjtype, defaclacl FROM pg_default_acl ORDER BY 1, 2"),
                pg.asSuper(db, "SELECT script, sha256, applied_at FROM wso2_bootstrap.applied_scripts ORDER BY 1"),
            );
        }
        return parts.join("\n--\n");
    }

    before(async function () {
        requireTool("bash");
        requireTool("pg_dump");
        requireTool("pg_restore");
        work = tempDir("db");
        fs.writeFileSync(path.join(work, "none.env"), "");
        await pg.start();
        // RDS's master: may create roles and databases, is not a superuser.
        pg.asSuper("postgres", `CREATE ROLE ${MASTER} LOGIN CREATEDB CREATEROLE PASSWORD '${MASTER_PASSWORD}'`);
    });

    after(async function () {
        await pg.stop();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("shellcheck passes the node's database scripts", function () {
        requireTool("shellcheck");
        const r = run("shellcheck", ["--severity=style", "--shell=bash", "-x", "-P", NODE_DIR, BOOTSTRAP, BACKUP, RESTORE, path.join(NODE_DIR, "wso2-db-client.sh"), path.join(NODE_DIR, "db-lib.sh")], { cwd: NODE_DIR });
        assert.equal(r.status, 0, r.stdout);
    });

    it("creates the schema owned by the migration role and a runtime user with data rights only", function () {
        const r = bootstrap();
        assert.equal(r.status, 0, r.stderr);
        for (const db of ["wso2shared_db", "wso2am_db"]) {
            const owners = pg.asSuper(db, "SELECT DISTINCT c.relowner::regrole FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'");
            assert.equal(owners, "wso2_owner", `${db}: every object owned by the migration role, not the master`);
            assert.equal(pg.asSuper("postgres", `SELECT datdba::regrole FROM pg_database WHERE datname = '${db}'`), "wso2_owner");
        }
        assert.match(pg.asSuper("wso2am_db", "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"), /^am_application,am_subscriber,idn_oauth_consumer_apps$/);
        const runtime = pg.asSuper("postgres", "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'wso2_runtime'");
        assert.equal(runtime, "f|f|f|f|f|t");
        assert.equal(pg.asSuper("postgres", "SELECT count(*) FROM pg_auth_members WHERE member = 'wso2_runtime'::regrole"), "0", "the runtime user is a member of no role");
    });

    it("lets the runtime user read and write WSO2's tables over verified TLS", function () {
        const write = asRuntime(
            "wso2am_db",
            `INSERT INTO am_subscriber (user_id, tenant_id, email_address, date_subscribed) VALUES ('alice', -1234, 'alice@example.org', now());
             INSERT INTO am_application (name, subscriber_id, uuid) SELECT 'DefaultApplication', subscriber_id, 'app-1' FROM am_subscriber WHERE user_id = 'alice';
             UPDATE am_application SET application_tier = '50PerMin' WHERE uuid = 'app-1';
             INSERT INTO idn_oauth_consumer_apps (consumer_key, app_name) VALUES ('key-1', 'DefaultApplication');
             DELETE FROM idn_oauth_consumer_apps WHERE consumer_key = 'key-1';
             SELECT a.name || '/' || a.application_tier || '/' || (a.updated_time IS NOT NULL) FROM am_application a;`,
        );
        assert.equal(write.status, 0, write.stderr);
        assert.equal(write.stdout.trim(), "DefaultApplication/50PerMin/true");
        const shared = asRuntime("wso2shared_db", "INSERT INTO um_tenant (um_domain_name, um_created_date) VALUES ('example.org', now()); SELECT count(*) FROM um_tenant;");
        assert.equal(shared.status, 0, shared.stderr);
        assert.equal(shared.stdout.trim(), "1");
        const ssl = asRuntime("wso2am_db", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        assert.equal(ssl.stdout.trim(), "t");
    });

    it("refuses the runtime user every CREATE, ALTER, DROP and TRUNCATE", function () {
        const refused: Record<string, string> = {
            "CREATE TABLE": "CREATE TABLE am_evil (id int)",
            "CREATE TABLE in wso2_bootstrap": "CREATE TABLE wso2_bootstrap.evil (id int)",
            "CREATE SCHEMA": "CREATE SCHEMA evil",
            "CREATE TEMP TABLE": "CREATE TEMP TABLE evil (id int)",
            "CREATE FUNCTION": "CREATE FUNCTION public.evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE DATABASE": "CREATE DATABASE evil",
            "CREATE ROLE": "CREATE ROLE evil",
            "ALTER TABLE": "ALTER TABLE am_subscriber ADD COLUMN evil int",
            "ALTER SEQUENCE": "ALTER SEQUENCE am_subscriber_sequence RESTART WITH 1",
            "DROP TABLE": "DROP TABLE am_application",
            "DROP SEQUENCE": "DROP SEQUENCE am_application_sequence",
            "DROP FUNCTION": "DROP FUNCTION update_modified_time()",
            "TRUNCATE": "TRUNCATE am_subscriber CASCADE",
            "read the bootstrap record": "SELECT * FROM wso2_bootstrap.applied_scripts",
        };
        for (const [what, sql] of Object.entries(refused)) {
            const r = asRuntime("wso2am_db", sql);
            assert.notEqual(r.status, 0, `${what} must be refused`);
            assert.match(r.stderr, /permission denied|must be owner/, `${what}: ${r.stderr}`);
        }
        assert.equal(pg.asSuper("wso2am_db", "SELECT count(*) FROM pg_class WHERE relowner = 'wso2_runtime'::regrole"), "0");
    });

    it("refuses connections without TLS and servers whose certificate the CA did not sign", function () {
        const plain = pg.psql("wso2_runtime", RUNTIME_PASSWORD, "wso2am_db", "SELECT 1", { PGSSLMODE: "disable" });
        assert.notEqual(plain.status, 0);
        assert.match(plain.stderr, /no pg_hba\.conf entry .*no encryption/);
        const other = makeCa(work, "other");
        const r = bootstrap({ DB_SSLROOTCERT: other.ca });
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /certificate verify failed/);
        const weak = bootstrap({ DB_SSLMODE: "require" });
        assert.equal(weak.status, 2);
        assert.match(weak.stderr, /DB_SSLMODE=require/);
    });

    it("changes nothing when run again", function () {
        const databases = ["wso2shared_db", "wso2am_db"];
        const roles = ["wso2_owner", "wso2_runtime", MASTER];
        const before = catalog(databases, roles);
        const rows = asRuntime("wso2am_db", "SELECT * FROM am_application").stdout;
        const r = bootstrap();
        assert.equal(r.status, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /applying|setting the password/);
        assert.equal(catalog(databases, roles), before);
        assert.equal(asRuntime("wso2am_db", "SELECT * FROM am_application").stdout, rows);
    });

    it("refuses a script that changed since it was applied, and bad settings, before changing anything", function () {
        const home = path.join(work, "changed-home");
        fs.cpSync(WSO2_HOME, home, { recursive: true });
        fs.appendFileSync(path.join(home, "dbscripts/apimgt/postgresql.sql"), "\nCREATE TABLE AM_NEW (ID INTEGER);\n");
        const r = bootstrap({ WSO2_HOME: home });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /dbscripts\/apimgt\/postgresql\.sql differs from the version applied/);
        assert.equal(pg.asSuper("wso2am_db", "SELECT to_regclass('am_new') IS NULL"), "t");

        const bad: [Record<string, string>, RegExp][] = [
            [{ DB_SCHEMAS: "WSO2AM_DB=dbscripts/postgresql.sql" }, /DB_SCHEMAS database='WSO2AM_DB' must be a lower-case SQL identifier/],
            [{ DB_SCHEMAS: "wso2am_db=dbscripts/missing.sql" }, /script 'dbscripts\/missing.sql' of wso2am_db is not a readable file/],
            [{ DB_SCHEMAS: "wso2am_db=../etc/passwd" }, /script '..\/etc\/passwd'/],
            [{ DB_RUNTIME_USER: MASTER }, /three different roles/],
            [{ DB_HOST: "" }, /DB_HOST is not set/],
            [{ DB_RUNTIME_PASSWORD: "" }, /neither DB_RUNTIME_PASSWORD nor DB_RUNTIME_SECRET_ID is set/],
        ];
        for (const [extra, message] of bad) {
            const b = bootstrap(extra);
            assert.equal(b.status, 2, `${JSON.stringify(extra)}: ${b.stderr}`);
            assert.match(b.stderr, message);
        }
    });

    it("reads its settings from the node's settings file, the environment taking precedence", function () {
        const file = path.join(work, "node.env");
        fs.writeFileSync(
            file,
            [
                "# written by cloud-init",
                "REGION='eu-west-1'",
                "BOOT_STEPS='wso2-install-packages wso2-db-bootstrap'",
                "PATH='/nonexistent'",
                "DB_HOST='127.0.0.1'",
                `DB_PORT='${pg.port}'`,
                `DB_SSLROOTCERT='${pg.ca}'`,
                `DB_MASTER_USER='${MASTER}'`,
                `DB_SCHEMAS='${SCHEMAS}'`,
                `WSO2_HOME='${WSO2_HOME}'`,
                "DB_HOST='ignored.example'",
            ].join("\n"),
        );
        const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DB_SETTINGS_FILE: file, DB_MASTER_PASSWORD: MASTER_PASSWORD, DB_RUNTIME_PASSWORD: RUNTIME_PASSWORD };
        // Other steps' settings (PATH among them) are not taken: psql is still found on the caller's PATH.
        const r = run("bash", [BOOTSTRAP], { env, timeoutMs: 120000 });
        assert.equal(r.status, 0, r.stderr);
        fs.writeFileSync(file, "DB_HOST='127.0.0.1'\nnot a setting\n");
        const bad = run("bash", [BOOTSTRAP], { env, timeoutMs: 60000 });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /line 'not a setting' is not NAME=value/);
    });

    it("reads the master and runtime passwords from Secrets Manager (moto_server, aws CLI) through the node's AWS wrapper", async function () {
        const moto = new Moto();
        await moto.start();
        try {
            const id = (name: string, value: object) => JSON.parse(moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", JSON.stringify(value)])).ARN as string;
            const master = id("rds!db-master", { username: MASTER, password: MASTER_PASSWORD });
            // The master's name comes from its secret, as RDS writes it.
            const runtime = id("wso2/db-runtime", { username: "wso2_runtime", password: RUNTIME_PASSWORD });
            // The emulator only through the knob node-lib.sh's aws() honours, as every other step reaches it.
            const { AWS_ENDPOINT_URL: endpoint, ...viaNodeLib } = moto.env();
            const env: NodeJS.ProcessEnv = { ...viaNodeLib, WSO2_TEST_AWS_ENDPOINT_URL: endpoint, ...settings({ DB_MASTER_SECRET_ID: master, DB_RUNTIME_SECRET_ID: runtime }) };
            delete env.DB_MASTER_PASSWORD;
            delete env.DB_RUNTIME_PASSWORD;
            delete env.DB_MASTER_USER;
            const r = run("bash", [BOOTSTRAP], { env, timeoutMs: 120000 });
            assert.equal(r.status, 0, r.stderr);
            const wrong = run("bash", [BOOTSTRAP], { env: { ...env, DB_MASTER_SECRET_ID: "no-such-secret" }, timeoutMs: 120000 });
            assert.equal(wrong.status, 1);
            assert.match(wrong.stderr, /cannot read the password of MASTER from no-such-secret/);
        } finally {
            await moto.stop();
        }
    });

    it("calls the AWS CLI as node-lib.sh does (metadata service patience), keeping the caller's shell options and umask", function () {
        const bin = path.join(work, "fake-aws-bin");
        fs.mkdirSync(bin, { recursive: true });
        // Records what the CLI would be given.
        fs.writeFileSync(path.join(bin, "aws"), '#!/bin/sh\necho "args=$* timeout=$AWS_METADATA_SERVICE_TIMEOUT attempts=$AWS_METADATA_SERVICE_NUM_ATTEMPTS umask=$(umask)"\n', { mode: 0o755 });
        const script = `. "${path.join(NODE_DIR, "db-lib.sh")}"; umask 077; db_aws sts get-caller-identity; echo "after: umask=$(umask) opts=$-"`;
        const r = run("bash", ["-c", script], { env: { PATH: `${bin}:${process.env.PATH}`, WSO2_TEST_AWS_ENDPOINT_URL: "http://127.0.0.1:1" } });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^args=--endpoint-url http:\/\/127\.0\.0\.1:1 sts get-caller-identity timeout=5 attempts=3 umask=0027$/m);
        assert.match(r.stdout, /^after: umask=0077 opts=[^e]*$/m);
    });

    it("puts Debian's JDBC driver into the product's lib and keeps the CA bundle; a bundle only over HTTPS", function () {
        const home = path.join(work, "client-home");
        fs.mkdirSync(home);
        const client = path.join(NODE_DIR, "wso2-db-client.sh");
        const env = (extra: Record<string, string>) => ({
            PATH: process.env.PATH,
            DB_SETTINGS_FILE: path.join(work, "none.env"),
            WSO2_HOME: home,
            WSO2_UID: "0",
            DB_DRIVER_DIR: "repository/components/lib",
            DB_SSLROOTCERT: pg.ca,
            ...extra,
        });
        const r = run("bash", [client], { env: env({}) });
        assert.equal(r.status, 0, r.stderr);
        const copied = path.join(home, "repository/components/lib/postgresql-jdbc.jar");
        assert.deepEqual(fs.readFileSync(copied), fs.readFileSync(fs.realpathSync("/usr/share/java/postgresql.jar")));
        assert.equal(fs.statSync(copied).mode & 0o777, 0o640);
        // Directories it had to create are closed to others, like the rest of the product home.
        for (const dir of ["repository", "repository/components", "repository/components/lib"]) assert.equal(fs.statSync(path.join(home, dir)).mode & 0o777, 0o750, dir);
        const http = run("bash", [client], { env: env({ DB_SSLROOTCERT: path.join(work, "absent.pem"), DB_CA_BUNDLE_URL: "http://truststore.example/bundle.pem" }) });
        assert.equal(http.status, 2);
        assert.match(http.stderr, /must be an https:\/\/ URL/);
        const none = run("bash", [client], { env: env({ DB_SSLROOTCERT: path.join(work, "absent.pem") }) });
        assert.equal(none.status, 1);
        assert.match(none.stderr, /absent\.pem is missing and no DB_CA_BUNDLE_URL is set/);
        const escape = run("bash", [client], { env: env({ DB_DRIVER_DIR: "../outside" }) });
        assert.equal(escape.status, 2);
        // On the node every value comes from the settings file, none from the environment (the boot's case).
        const fileHome = path.join(work, "client-home-file");
        fs.mkdirSync(fileHome);
        const settingsFile = path.join(work, "client-node.env");
        fs.writeFileSync(settingsFile, [`WSO2_HOME='${fileHome}'`, "WSO2_UID='0'", "DB_DRIVER_DIR='repository/components/lib'", `DB_SSLROOTCERT='${pg.ca}'`, "KEY_ALIAS='wso2node'", ""].join("\n"));
        const fromFile = run("bash", [client], { env: { PATH: process.env.PATH, DB_SETTINGS_FILE: settingsFile } });
        assert.equal(fromFile.status, 0, fromFile.stderr);
        assert.ok(fs.existsSync(path.join(fileHome, "repository/components/lib/postgresql-jdbc.jar")));
    });

    it("lets two nodes run it at once: one does the work, the other waits and finds it done", async function () {
        // Fresh names, so both runs start from nothing.
        const extra = { DB_SCHEMAS: "race_shared_db=dbscripts/postgresql.sql race_am_db=dbscripts/apimgt/postgresql.sql", DB_OWNER_ROLE: "race_owner", DB_RUNTIME_USER: "race_runtime" };
        const [a, b] = await Promise.all([spawnAsync("bash", [BOOTSTRAP], settings(extra)), spawnAsync("bash", [BOOTSTRAP], settings(extra))]);
        assert.equal(a.status, 0, a.stderr);
        assert.equal(b.status, 0, b.stderr);
        const applied = (a.stderr.match(/applying/g) ?? []).length + (b.stderr.match(/applying/g) ?? []).length;
        assert.equal(applied, 2, `each script applied once in all:\n${a.stderr}\n${b.stderr}`);
        for (const db of ["race_shared_db", "race_am_db"]) {
            assert.equal(pg.asSuper(db, "SELECT count(*) FROM wso2_bootstrap.applied_scripts"), "1");
            assert.equal(pg.asSuper(db, "SELECT count(DISTINCT relowner) || '/' || min(relowner::regrole::text) FROM pg_class WHERE relnamespace = 'public'::regnamespace"), "1/race_owner");
        }
        const r = pg.psql("race_runtime", RUNTIME_PASSWORD, "race_am_db", "INSERT INTO am_subscriber (user_id, tenant_id, date_subscribed) VALUES ('bob', 1, now()) RETURNING subscriber_id");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "1");
    });

    it("backs up with pg_dump and restores with pg_restore to identical rows, owners and grants", function () {
        const rowsOf = (db: string) =>
            ["am_subscriber", "am_application", "idn_oauth_consumer_apps"].map((t) => pg.asSuper(db, `SELECT * FROM ${t} ORDER BY 1`)).join("\n") +
            pg.asSuper(db, "SELECT last_value FROM am_subscriber_sequence");
        asRuntime("wso2am_db", "INSERT INTO am_subscriber (user_id, tenant_id, date_subscribed) SELECT 'user' || g, g, now() FROM generate_series(1, 50) g");
        asRuntime("wso2am_db", "INSERT INTO idn_oauth_consumer_apps (consumer_key, consumer_secret, app_name) SELECT 'key-' || g, md5(g::text), 'app' || g FROM generate_series(1, 20) g");
        const before = rowsOf("wso2am_db");
        const shapeBefore = pg.asSuper("wso2am_db", "SELECT relname, relkind, relowner::regrole, relacl FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1");

        const backupDir = path.join(work, "backups");
        const b = run("bash", [BACKUP], { env: settings({ DB_BACKUP_DIR: backupDir }), timeoutMs: 120000 });
        assert.equal(b.status, 0, b.stderr);
        const archives = b.stdout.trim().split("\n");
        assert.equal(archives.length, 2);
        const amArchive = archives.find((a) => path.basename(a).startsWith("wso2am_db-"))!;
        assert.match(path.basename(amArchive), /^wso2am_db-\d{8}T\d{6}Z\.dump$/);
        assert.equal(fs.statSync(amArchive).mode & 0o777, 0o600);

        // Damage after the backup: rows gone and changed, a sequence moved on.
        asRuntime("wso2am_db", "DELETE FROM am_subscriber WHERE tenant_id > 10; UPDATE idn_oauth_consumer_apps SET app_name = 'changed'; INSERT INTO am_subscriber (user_id, tenant_id, date_subscribed) VALUES ('late', 999, now())");
        assert.notEqual(rowsOf("wso2am_db"), before);

        const r = run("bash", [RESTORE, amArchive, "wso2am_db"], { env: settings(), timeoutMs: 120000 });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(rowsOf("wso2am_db"), before);
        assert.equal(pg.asSuper("wso2am_db", "SELECT relname, relkind, relowner::regrole, relacl FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1"), shapeBefore);
        // The runtime user works on the restored database as before, and still cannot change its schema.
        assert.equal(asRuntime("wso2am_db", "INSERT INTO am_subscriber (user_id, tenant_id, date_subscribed) VALUES ('after', 7777, now())").status, 0);
        assert.notEqual(asRuntime("wso2am_db", "DROP TABLE am_application").status, 0);

        // Restored beside the live database (a restore check): same rows.
        const side = run("bash", [RESTORE, amArchive, "restore_check_db"], { env: settings(), timeoutMs: 120000 });
        assert.equal(side.status, 0, side.stderr);
        assert.equal(rowsOf("restore_check_db"), before);
        assert.equal(pg.asSuper("postgres", "SELECT datdba::regrole FROM pg_database WHERE datname = 'restore_check_db'"), "wso2_owner");

        fs.writeFileSync(path.join(work, "not-a-dump"), "hello");
        const bad = run("bash", [RESTORE, path.join(work, "not-a-dump"), "wso2am_db"], { env: settings(), timeoutMs: 60000 });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /not a pg_dump custom-format archive/);
    });
});
