/**
 * The product's datasources on the shared PostgreSQL database (PROD-TLS-EXTERNAL, PROD-LEAST-PRIV-DATASTORE):
 * the flat configuration keys each product reads (API-M `[database.apim_db]` and `[database.shared_db]`,
 * IS `[database.identity_db]` and `[database.shared_db]`, a clustered MI's `[[datasource]]`
 * WSO2_COORDINATION_DB), connecting as the runtime user (data rights only) over TLS that verifies the
 * server's certificate and host name against the CA bundle, the password a Secure Vault reference; and the
 * node settings of the database steps (components/host/node/wso2-db-*.sh). Pure functions, no Pulumi.
 */
import type { ProductId } from "../../products";
import { MI_COORDINATION_DATASOURCE_ID, bootstrapSchemas, productDatabases } from "../../products/databases";

/** Secure Vault alias of the runtime user's password; the secrets step defines it from the runtime secret. */
export const DATABASE_VAULT_ALIAS = "database_password";

/** Where the node keeps the CA bundle that signs the database server's certificate. */
export const DATABASE_CA_BUNDLE = "/etc/wso2/database-ca.pem";

/** Debian's PostgreSQL JDBC driver (package libpostgresql-jdbc-java). */
export const POSTGRESQL_JDBC_JAR = "/usr/share/java/postgresql.jar";

/** Debian packages the database steps need on a node. */
export const DATABASE_NODE_PACKAGES = ["postgresql-client", "libpostgresql-jdbc-java"] as const;

/** Where a product loads JDBC drivers from, relative to its home (API-M, IS: Carbon's lib; MI: lib). */
export function jdbcDriverDir(product: ProductId): string {
    return product === "mi" ? "lib" : "repository/components/lib";
}

/** Amazon RDS's CA bundle for a region (AWS documentation: "Using SSL/TLS to encrypt a connection to a DB instance"). */
export function rdsCaBundleUrl(region: string): string {
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new Error(`region: ${JSON.stringify(region)} is not an AWS region`);
    return `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;
}

export interface DatasourceInput {
    product: ProductId;
    /** Host name of the server; the certificate is verified against it. */
    host: string;
    port: number;
    /** Database name per datasource (`apim_db` -> `wso2am_db`). */
    databases: Record<string, string>;
    runtimeUsername: string;
    /** @default DATABASE_CA_BUNDLE */
    caBundlePath?: string;
}

/** JDBC URL of one database: TLS required, the server's certificate and host name verified against the bundle. */
export function jdbcUrl(host: string, port: number, database: string, caBundlePath: string): string {
    // The value lands in the datasource XML the product generates from its configuration, hence &amp;.
    return `jdbc:postgresql://${host}:${port}/${database}?sslmode=verify-full&amp;sslrootcert=${caBundlePath}`;
}

/** The product's shared databases; MI has its coordination database only when one is named (a cluster). */
function sharedDatabases(input: DatasourceInput) {
    return productDatabases(input.product, input.databases.coordination_db !== undefined);
}

function check(input: DatasourceInput): void {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(input.host)) {
        throw new Error(`database host: ${JSON.stringify(input.host)} is not a host name`);
    }
    if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) throw new Error(`database port: ${input.port} is not a port number`);
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(input.runtimeUsername)) throw new Error(`runtimeUsername: ${JSON.stringify(input.runtimeUsername)} is not a lower-case SQL identifier`);
    const path = input.caBundlePath ?? DATABASE_CA_BUNDLE;
    if (!/^\/[A-Za-z0-9._/-]+$/.test(path)) throw new Error(`caBundlePath: ${JSON.stringify(path)} must be an absolute path of plain characters`);
}

/**
 * The flat keys the product reads for its shared databases (nothing for a product that has none). Every
 * datasource the product needs must have a database name in `databases`.
 */
export function datasourceKeys(input: DatasourceInput): Record<string, unknown> {
    check(input);
    const ca = input.caBundlePath ?? DATABASE_CA_BUNDLE;
    const keys: Record<string, unknown> = {};
    const password = `$secret{${DATABASE_VAULT_ALIAS}}`;
    const coordination: Record<string, unknown>[] = [];
    for (const d of sharedDatabases(input)) {
        const name = input.databases[d.datasource];
        if (!name) throw new Error(`databases: no database name for ${d.datasource}, which ${input.product} reads`);
        const url = jdbcUrl(input.host, input.port, name, ca);
        if (d.datasource === "coordination_db") {
            coordination.push({ id: MI_COORDINATION_DATASOURCE_ID, url, username: input.runtimeUsername, password, driver: "org.postgresql.Driver" });
            continue;
        }
        const prefix = `database.${d.datasource}`;
        keys[`${prefix}.type`] = "postgre";
        keys[`${prefix}.url`] = url;
        keys[`${prefix}.username`] = input.runtimeUsername;
        keys[`${prefix}.password`] = password;
        keys[`${prefix}.driver`] = "org.postgresql.Driver";
        keys[`${prefix}.validationQuery`] = "SELECT 1";
    }
    if (coordination.length > 0) keys.datasource = coordination;
    return keys;
}

export interface DatabaseNodeInput extends DatasourceInput {
    region: string;
    /** Secret of the administrative (master) user, `{ "username", "password" }`. */
    masterSecretArn: string;
    /** Secret of the runtime user, `{ "username", "password" }`. */
    runtimeSecretArn: string;
    /** Library directory of the product, relative to its home, where the JDBC driver goes. */
    driverDir: string;
    /** Where the CA bundle is fetched from. @default the region's RDS bundle */
    caBundleUrl?: string;
}

/** The `DB_*` settings of the node's database steps (written to /etc/wso2/node.env). */
export function databaseNodeSettings(input: DatabaseNodeInput): Record<string, string> {
    check(input);
    for (const [key, arn] of [["masterSecretArn", input.masterSecretArn], ["runtimeSecretArn", input.runtimeSecretArn]] as const) {
        if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/.test(arn)) throw new Error(`${key}: ${JSON.stringify(arn)} is not a Secrets Manager ARN`);
    }
    const databases = sharedDatabases(input);
    return {
        DB_HOST: input.host,
        DB_PORT: String(input.port),
        DB_SSLMODE: "verify-full",
        DB_SSLROOTCERT: input.caBundlePath ?? DATABASE_CA_BUNDLE,
        DB_CA_BUNDLE_URL: input.caBundleUrl ?? rdsCaBundleUrl(input.region),
        DB_MASTER_SECRET_ID: input.masterSecretArn,
        DB_RUNTIME_SECRET_ID: input.runtimeSecretArn,
        DB_RUNTIME_USER: input.runtimeUsername,
        DB_SCHEMAS: bootstrapSchemas(databases, input.databases),
        DB_DRIVER_JAR: POSTGRESQL_JDBC_JAR,
        DB_DRIVER_DIR: input.driverDir,
        DB_BACKUP_DIR: "/var/backups/wso2-db",
    };
}
