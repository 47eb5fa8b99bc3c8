import { stackRule } from "../lib/define";
import type { Node } from "../lib/graph";
import { INGRESS_TYPES, describePorts, ingressOf } from "../lib/net";
import { DATABASE_TYPES, inheritsFromSource } from "../lib/rds";
import { T } from "../lib/types";
import { isUnknown, list } from "../lib/values";

export const rule = stackRule<{ allowedCidrs: string[] }>({
    name: "wso2-db-port-nodes-only",
    description:
        "An RDS database's security groups admit only other security groups (the WSO2 nodes'), never address ranges or prefix lists, " +
        "and a database never sits in the VPC's default group: nothing but the nodes reaches the database port.",
    severity: "high",
    guidelines: ["NET-OPEN-PORTS", "PROD-LEAST-PRIV-DATASTORE"],
    remediation:
        "Give the database a security group of its own (`vpcSecurityGroupIds`) whose only ingress rules reference the nodes' security group " +
        "(`referencedSecurityGroupId` / `sourceSecurityGroupId`) on the database port.",
    checkov: ["CKV_AWS_23"],
    config: {
        allowedCidrs: { type: "array", items: { type: "string" }, description: "Address ranges a database group may admit besides security groups (e.g. a bastion subnet); none by default.", default: [] },
    },
    validate(stack, config, report) {
        const groupRules = new Map<string, { node: Node; where: string; ports?: [number, number]; cidrs: string[]; prefixLists: string[]; unknown: string[] }[]>();
        const add = (group: string | undefined, entry: Parameters<typeof groupRules.set>[1][number]) => {
            if (!group) return;
            const l = groupRules.get(group);
            if (l) l.push(entry);
            else groupRules.set(group, [entry]);
        };
        for (const node of stack.ofType(...INGRESS_TYPES)) {
            for (const r of ingressOf(node)) {
                const group = r.groupProp === undefined ? node.urn : stack.identity(node, r.groupProp, [T.securityGroup]);
                add(group, { node, where: r.where === "rule" ? "" : ` (${r.where})`, ports: r.ports, cidrs: r.cidrs, prefixLists: r.prefixLists, unknown: r.unknownFields });
            }
        }

        for (const db of stack.ofType(...DATABASE_TYPES)) {
            if (db.type === T.dbInstance && inheritsFromSource(db)) continue;
            const ids = list(db.props.vpcSecurityGroupIds);
            const groups: string[] = [];
            if (ids === undefined || ids.some(isUnknown)) {
                const deps = (db.deps.vpcSecurityGroupIds ?? []).filter((u) => stack.byUrn.get(u)?.type === T.securityGroup);
                if (deps.length === 0) {
                    report.unproven(db, "vpcSecurityGroupIds");
                    continue;
                }
                groups.push(...deps);
            } else {
                for (const id of ids) {
                    const g = stack.identity(db, "vpcSecurityGroupIds", [T.securityGroup], id);
                    if (g) groups.push(g);
                }
            }
            if (groups.length === 0) {
                report.violation(db, "the database has no security group of its own (vpcSecurityGroupIds is empty): it sits in the VPC's default group");
                continue;
            }
            for (const group of groups) {
                const node = stack.byUrn.get(group);
                if (!node) {
                    report.unproven(db, `the rules of security group ${group}, which this program does not define,`);
                    continue;
                }
                for (const r of groupRules.get(group) ?? []) {
                    const open = r.ports ? describePorts(r.ports) : "some ports";
                    const cidrs = r.cidrs.filter((c) => !config.allowedCidrs.includes(c));
                    if (cidrs.length > 0) report.violation(r.node, `${open}${r.where} of database ${db.name}'s group is open to ${cidrs.join(", ")}; only the nodes' security group may reach it`);
                    if (r.prefixLists.length > 0) report.violation(r.node, `${open}${r.where} of database ${db.name}'s group is open to prefix list ${r.prefixLists.join(", ")}; only the nodes' security group may reach it`);
                    if (r.unknown.some((f) => /cidr|prefix|ingress/i.test(f))) report.unproven(r.node, `the sources of a rule of database ${db.name}'s group (${r.unknown.join(", ")})`);
                }
            }
        }
    },
});
