/**
 * Which databases each product shares across its nodes, the configuration section that names each, and
 * the scripts of the distribution's `dbscripts/` that create its tables on PostgreSQL. From WSO2's sources:
 * - API-M 4.x: `[database.apim_db]` and `[database.shared_db]` (the shipped deployment.toml); the assembly
 *   copies carbon-kernel's `dbscripts/` (shared: registry and user tables) and `dbscripts/apimgt/`.
 * - IS 7.x: `[database.identity_db]` and `[database.shared_db]`; its assembly adds `dbscripts/identity/` and
 *   `dbscripts/consent/` beside the kernel's.
 * - MI 4.x: `[[datasource]]` with id `WSO2_COORDINATION_DB`, needed only when nodes form a cluster;
 *   `dbscripts/postgres/postgresql_cluster.sql` creates its tables.
 * - SI: no shared RDBMS in this deployment (its state stays per node).
 * Pure data, no Pulumi: the settings validator, the host renderers and the components read it.
 */
import type { ProductId } from "./index";

export interface ProductDatabase {
    /** The datasource as the product's configuration names it: `apim_db`, `shared_db`, `identity_db`, `coordination_db`. */
    datasource: DatasourceKey;
    /** Default database name (a lower-case SQL identifier). */
    defaultName: string;
    /** Scripts relative to the product home, run in this order. */
    scripts: string[];
}

export const DATASOURCE_KEYS = ["apim_db", "shared_db", "identity_db", "coordination_db"] as const;
export type DatasourceKey = (typeof DATASOURCE_KEYS)[number];

/** The id of MI's coordination datasource (a `[[datasource]]` entry, not a `[database.*]` section). */
export const MI_COORDINATION_DATASOURCE_ID = "WSO2_COORDINATION_DB";

const SHARED: ProductDatabase = { datasource: "shared_db", defaultName: "wso2shared_db", scripts: ["dbscripts/postgresql.sql"] };

/** The databases a product shares; `clustered` (more than one node) matters for MI only. */
export function productDatabases(product: ProductId, clustered: boolean): ProductDatabase[] {
    switch (product) {
        case "apim":
            return [SHARED, { datasource: "apim_db", defaultName: "wso2am_db", scripts: ["dbscripts/apimgt/postgresql.sql"] }];
        case "is":
            return [SHARED, { datasource: "identity_db", defaultName: "wso2identity_db", scripts: ["dbscripts/identity/postgresql.sql", "dbscripts/consent/postgresql.sql"] }];
        case "mi":
            return clustered ? [{ datasource: "coordination_db", defaultName: "wso2coordination_db", scripts: ["dbscripts/postgres/postgresql_cluster.sql"] }] : [];
        case "si":
            return [];
    }
}

/** A lower-case SQL identifier: what the bootstrap accepts as a database or role name. */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Database names per datasource: the defaults, with `overrides` (`<datasource>=<name>` entries) applied. */
export function databaseNames(databases: ProductDatabase[], overrides: Record<string, string>): Record<string, string> {
    return Object.fromEntries(databases.map((d) => [d.datasource, overrides[d.datasource] ?? d.defaultName]));
}

/** `DB_SCHEMAS` of the node's bootstrap step: `<database>=<script>[,<script>...]` per database. */
export function bootstrapSchemas(databases: ProductDatabase[], names: Record<string, string>): string {
    return databases.map((d) => `${names[d.datasource]}=${d.scripts.join(",")}`).join(" ");
}
