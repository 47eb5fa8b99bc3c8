import { stackRule } from "../lib/define";
import type { Node, StackIndex } from "../lib/graph";
import { DATABASE_TYPES, TLS_PARAMETER, engineFamily, inheritsFromSource } from "../lib/rds";
import { T } from "../lib/types";
import { isUnknown, list } from "../lib/values";

/** RDS for PostgreSQL turns rds.force_ssl on in its default parameter groups from this major version on. */
const POSTGRES_FORCE_SSL_DEFAULT_FROM = 15;

type Verdict = { ok: true } | { ok: false; why: string } | { unproven: string };

function groupVerdict(stack: StackIndex, db: Node, prop: string, groupTypes: string[], family: "postgres" | "mysql"): Verdict {
    const parameter = TLS_PARAMETER[family];
    const value = db.props[prop];
    if (value === undefined || value === null || value === "" || (typeof value === "string" && value.startsWith("default."))) {
        const major = Number.parseInt(String(db.props.engineVersion ?? ""), 10);
        if (family === "postgres" && isUnknown(db.props.engineVersion)) return { unproven: "engineVersion (whether the default parameter group forces TLS)" };
        if (family === "postgres" && major >= POSTGRES_FORCE_SSL_DEFAULT_FROM) return { ok: true };
        return { ok: false, why: `it uses the default parameter group, where ${parameter.name} is off` };
    }
    const resolved = stack.resolve(db, prop, groupTypes);
    if (resolved.unknown) return { unproven: prop };
    // Databases name their parameter group by name, which is not always the group's id.
    const targets = resolved.external ? stack.ofType(...groupTypes).filter((g) => g.props.name === resolved.external) : resolved.targets;
    if (targets.length === 0) return { unproven: `the parameter group ${resolved.external}, which this program does not define,` };
    for (const group of targets) {
        const params = list(group.props.parameters);
        if (params === undefined) return { unproven: `${group.name}.parameters` };
        const p = params.find((x: any) => x && String(x.name).toLowerCase() === parameter.name);
        if (p && isUnknown(p.value)) return { unproven: `${group.name}: ${parameter.name}` };
        if (!p || !parameter.on.includes(String(p.value).toLowerCase())) {
            return { ok: false, why: `its parameter group ${group.name} does not set ${parameter.name} = 1${p ? ` (it is ${JSON.stringify(p.value)})` : ""}` };
        }
    }
    return { ok: true };
}

export const rule = stackRule<Record<string, never>>({
    name: "wso2-db-tls-forced",
    description:
        "RDS databases refuse connections without TLS: their parameter group sets rds.force_ssl = 1 (PostgreSQL; the default from " +
        "version 15) or require_secure_transport = 1 (MySQL, MariaDB), so no client, however configured, talks to them in plain text.",
    severity: "high",
    guidelines: ["PROD-TLS-EXTERNAL"],
    remediation:
        "Give the database a parameter group (aws.rds.ParameterGroup, or ClusterParameterGroup for Aurora) of its engine family with " +
        "`rds.force_ssl = 1` (PostgreSQL) or `require_secure_transport = 1` (MySQL), and connect with certificate verification (sslmode=verify-full).",
    checkov: ["CKV2_AWS_69"],
    validate(stack, _config, report) {
        for (const db of stack.ofType(...DATABASE_TYPES)) {
            if (db.type === T.dbInstance && inheritsFromSource(db)) continue;
            const family = engineFamily(db);
            if (family === "unknown") {
                report.unproven(db, "engine");
                continue;
            }
            if (family === "other") {
                report.violation(db, `the pack cannot tell whether engine ${JSON.stringify(db.props.engine)} forces TLS; use PostgreSQL or MySQL with TLS forced, or suppress with a reason`);
                continue;
            }
            const verdict =
                db.type === T.dbCluster
                    ? groupVerdict(stack, db, "dbClusterParameterGroupName", [T.dbClusterParameterGroup], family)
                    : groupVerdict(stack, db, "parameterGroupName", [T.dbParameterGroup], family);
            if ("unproven" in verdict) report.unproven(db, verdict.unproven);
            else if (!verdict.ok) report.violation(db, `the database accepts connections without TLS: ${verdict.why}`);
        }
    },
});
