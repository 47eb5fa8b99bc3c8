/**
 * The boot test's shared database: a real PostgreSQL on the host's loopback (Debian's server, TLS only, its
 * own CA, a server certificate that also names the host as the VMs reach it), a master role shaped like the
 * one RDS creates (CREATEDB and CREATEROLE, not a superuser), the two secrets the node reads (the
 * RDS-managed master secret and the runtime user's), and the node's user data pointed at it.
 */
import * as crypto from "crypto";
import type { NodeVm } from "./node";
import { addWrittenFile, editWrittenFile, withNodeSettings } from "./userdata";
import { Postgres } from "../host/postgres";

export interface BootDatabase {
    pg: Postgres;
    master: { username: string; password: string };
    runtime: { username: string; password: string };
    /** Secrets Manager names the node reads them under (from the planned ARNs). */
    masterSecretName: string;
    runtimeSecretName: string;
    /** Databases the node bootstraps, with the script each gets (from DB_SCHEMAS). */
    schemas: { database: string; script: string }[];
    /** The planned endpoint the user data names, `host:port`. */
    plannedEndpoint: string;
}

const password = (label: string) => `${label}-${crypto.randomBytes(12).toString("hex")}`;

/** Secret name of a Secrets Manager ARN (what follows `:secret:`). */
function secretName(arn: string, key: string): string {
    const m = /^arn:aws[a-z-]*:secretsmanager:[^:]+:\d{12}:secret:(.+)$/.exec(arn);
    if (!m) throw new Error(`${key}: ${JSON.stringify(arn)} is not a Secrets Manager ARN`);
    return m[1];
}

/** Starts the database the planned settings (`env`, the node's node.env) describe, reachable from VMs at `hostFromGuest`. */
export async function startBootDatabase(env: Record<string, string>, masterUsername: string, hostFromGuest: string): Promise<BootDatabase> {
    for (const key of ["DB_HOST", "DB_PORT", "DB_MASTER_SECRET_ID", "DB_RUNTIME_SECRET_ID", "DB_RUNTIME_USER", "DB_SCHEMAS", "DB_SSLROOTCERT"]) {
        if (!env[key]) throw new Error(`the node's settings have no ${key}`);
    }
    const pg = new Postgres([`IP:${hostFromGuest}`]);
    await pg.start();
    const db: BootDatabase = {
        pg,
        master: { username: masterUsername, password: password("master") },
        runtime: { username: env.DB_RUNTIME_USER, password: password("runtime") },
        masterSecretName: secretName(env.DB_MASTER_SECRET_ID, "DB_MASTER_SECRET_ID"),
        runtimeSecretName: secretName(env.DB_RUNTIME_SECRET_ID, "DB_RUNTIME_SECRET_ID"),
        schemas: env.DB_SCHEMAS.split(/\s+/).map((pair) => {
            const [database, script] = pair.split("=");
            return { database, script };
        }),
        plannedEndpoint: `${env.DB_HOST}:${env.DB_PORT}`,
    };
    pg.asSuper("postgres", `CREATE ROLE ${db.master.username} LOGIN CREATEDB CREATEROLE PASSWORD '${db.master.password}'`);
    return db;
}

/**
 * The user data pointed at the test's database: DB_HOST and DB_PORT in the node's settings and the host and
 * port of every JDBC URL in the rendered configuration (`renderedConfig`) replaced, and the test's CA placed
 * at DB_SSLROOTCERT, where the database client step finds it and skips fetching Amazon's bundle (which the
 * VM cannot reach).
 */
export function pointAtBootDatabase(cloudConfig: string, env: Record<string, string>, db: BootDatabase, hostFromGuest: string, caPem: string): string {
    const endpoint = `${hostFromGuest}:${db.pg.port}`;
    let out = withNodeSettings(cloudConfig, { DB_HOST: hostFromGuest, DB_PORT: String(db.pg.port) });
    out = editWrittenFile(out, env.RENDERED_CONFIG, (toml) => {
        const planned = `jdbc:postgresql://${db.plannedEndpoint}/`;
        if (!toml.includes(planned)) throw new Error(`${env.RENDERED_CONFIG} has no JDBC URL for ${db.plannedEndpoint}`);
        return toml.split(planned).join(`jdbc:postgresql://${endpoint}/`);
    });
    return addWrittenFile(out, env.DB_SSLROOTCERT, caPem, "0644");
}

/** The secrets the node reads, as the emulator's set-up takes them. */
export function databaseSecrets(db: BootDatabase): { name: string; value: string }[] {
    return [
        { name: db.masterSecretName, value: JSON.stringify(db.master) },
        { name: db.runtimeSecretName, value: JSON.stringify(db.runtime) },
    ];
}

/**
 * `database-connected`: the schema bootstrap ran (each script recorded once in its database), the runtime
 * user is neither superuser nor able to create, and the product holds connections as the runtime user to
 * every bootstrapped database over TLS (seen by the server, in pg_stat_ssl), with the JDBC URL it was given
 * (verify-full against the CA at DB_SSLROOTCERT).
 */
export async function databaseConnected(vm: NodeVm, db: BootDatabase): Promise<{ ok: boolean; evidence: string }> {
    const problems: string[] = [];
    const seen: string[] = [];
    const standin = (await vm.guest.sh("journalctl -u wso2.service --no-pager -o cat | grep -a 'standin: \\[database' | tail -n 4")).stdout.trim().split("\n").filter(Boolean);
    const q = (database: string, sql: string) => db.pg.asSuper(database, sql);
    const connections = q(
        "postgres",
        `SELECT a.datname || ' ssl=' || s.ssl || ' ' || coalesce(s.version, '-') FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = '${db.runtime.username}' ORDER BY 1`,
    )
        .split("\n")
        .filter(Boolean);
    for (const { database, script } of db.schemas) {
        const applied = q("postgres", `SELECT count(*) FROM pg_database WHERE datname = '${database}'`) === "1" ? q(database, "SELECT string_agg(script, ',') FROM wso2_bootstrap.applied_scripts") : "";
        if (applied !== script) problems.push(`${database}: applied scripts ${JSON.stringify(applied)}, want ${script}`);
        const tls = connections.filter((c) => c.startsWith(`${database} ssl=true TLSv1.`) && !/TLSv1(\.[01])?$/.test(c));
        if (tls.length === 0) problems.push(`${database}: no TLS 1.2+ connection as ${db.runtime.username} (server sees: ${connections.join("; ") || "none"})`);
        else seen.push(`${database} ${script} applied, ${tls[0].split(" ").slice(1).join(" ")}`);
    }
    const role = q("postgres", `SELECT rolsuper || ',' || rolcreatedb || ',' || rolcreaterole FROM pg_roles WHERE rolname = '${db.runtime.username}'`);
    if (role !== "false,false,false") problems.push(`${db.runtime.username} has superuser,createdb,createrole = ${role || "no such role"}`);
    const create = db.pg.psql(db.runtime.username, db.runtime.password, db.schemas[0].database, "CREATE TABLE boot_test_probe (id int)");
    if (create.status === 0) problems.push(`${db.runtime.username} could create a table in ${db.schemas[0].database}`);
    if (standin.length === 0) problems.push("the product logged no database connection");
    return {
        ok: problems.length === 0,
        evidence: problems.length
            ? problems.join("; ")
            : `${seen.join("; ")}; ${db.runtime.username} cannot create (${create.stderr.trim().split("\n")[0]}); product: ${standin.join(" | ")}`,
    };
}
