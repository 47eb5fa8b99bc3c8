/**
 * Amazon RDS databases (instances and Aurora clusters) as the database policies see them: which engine
 * family, whether an instance stands alone (a cluster member or read replica inherits from its source),
 * and which parameter decides that the server accepts TLS connections only.
 */
import type { Subject } from "./graph";
import { T } from "./types";
import { isUnknown } from "./values";

export const DATABASE_TYPES = [T.dbInstance, T.dbCluster];

export type EngineFamily = "postgres" | "mysql" | "other" | "unknown";

export function engineFamily(subject: Subject): EngineFamily {
    const engine = subject.props.engine;
    if (isUnknown(engine)) return "unknown";
    const e = String(engine ?? "").toLowerCase();
    if (e === "postgres" || e === "aurora-postgresql") return "postgres";
    if (e === "mysql" || e === "mariadb" || e === "aurora-mysql" || e === "aurora") return "mysql";
    return e === "" ? "unknown" : "other";
}

/**
 * An instance that takes its storage, network and backups from elsewhere: a member of an Aurora cluster
 * (judged on the cluster) or a read replica (judged on its source).
 */
export function inheritsFromSource(subject: Subject): boolean {
    if (subject.type !== T.dbInstance) return false;
    const p = subject.props;
    return (p.replicateSourceDb !== undefined && p.replicateSourceDb !== null && p.replicateSourceDb !== "") || String(p.engine ?? "").startsWith("aurora");
}

/** The parameter that refuses connections without TLS, and the value that turns it on, per engine family. */
export const TLS_PARAMETER: Record<"postgres" | "mysql", { name: string; on: string[] }> = {
    postgres: { name: "rds.force_ssl", on: ["1", "on", "true"] },
    mysql: { name: "require_secure_transport", on: ["1", "on", "true"] },
};
