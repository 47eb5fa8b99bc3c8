import { stackRule } from "../lib/define";
import { INGRESS_TYPES, coversPort, describePorts, ingressOf } from "../lib/net";
import { wso2Scope } from "../lib/scope";
import { T } from "../lib/types";
import { isUnknown } from "../lib/values";

/** WSO2's clustering ports: Hazelcast WKA 4000/4001 and 5701, API-M traffic manager 5672/9611/9711, SI HA sync 9893. */
const CLUSTERING_PORTS = [4000, 4001, 5672, 5701, 9611, 9711, 9893];

export const rule = stackRule<{ clusteringPorts: number[] }>({
    name: "wso2-cluster-ports-members-only",
    description: "WSO2 clustering ports are reachable only from the cluster members' own security group (judged on WSO2 security groups and their rules).",
    severity: "critical",
    guidelines: ["OS-CLUSTER-PORTS", "OS-FIREWALL"],
    remediation:
        "Open clustering ports only with a self-referencing rule (`self: true`, or `sourceSecurityGroupId`/`referencedSecurityGroupId` " +
        "equal to the rule's own `securityGroupId`). Remove CIDR, prefix-list and other-group sources from those ports.",
    config: {
        clusteringPorts: {
            type: "array",
            items: { type: "integer" },
            description: "Ports only cluster members may reach (Streaming Integrator deployments: [9893]).",
            default: CLUSTERING_PORTS,
        },
    },
    validate(stack, config, report) {
        const scope = wso2Scope(stack);
        for (const node of stack.ofType(...INGRESS_TYPES)) {
            // A broker's group opening 5672 to its clients is not a WSO2 cluster.
            if (!scope.has(node)) continue;
            for (const rule of ingressOf(node)) {
                const at = rule.where === "rule" ? "" : ` (${rule.where})`;
                if (!rule.ports) {
                    report.unproven(node, `the protocol or port range${at}`);
                    continue;
                }
                const hit = config.clusteringPorts.filter((p) => coversPort(rule.ports!, p));
                if (hit.length === 0) continue;
                const opens = `opens clustering port${hit.length > 1 ? "s" : ""} ${hit.join(", ")}`;
                const what = `${describePorts(rule.ports)}${at} ${opens}`;
                if (rule.cidrs.length) report.violation(node, `${what} to ${rule.cidrs.join(", ")}; only the members' own group may reach it`);
                if (rule.prefixLists.length) report.violation(node, `${what} to prefix list ${rule.prefixLists.join(", ")}; only the members' own group may reach it`);
                if (rule.unknownFields.length) report.unproven(node, `the source of a rule that ${opens} (${rule.unknownFields.join(", ")})`);
                for (const source of rule.sourceGroups) {
                    if (rule.groupProp === undefined) {
                        // Inline rules cannot name their own group by id before it exists: `self` is the only way.
                        const ownId = node.props.id;
                        if (typeof source.value === "string" && !isUnknown(source.value) && source.value === ownId) continue;
                        const named = typeof source.value === "string" && !isUnknown(source.value) ? source.value : "a group of this stack";
                        report.violation(node, `${what} to another security group (${named}); use \`self: true\``);
                        continue;
                    }
                    const raw = node.props[rule.groupProp];
                    if (typeof raw === "string" && !isUnknown(raw) && raw === source.value) continue;
                    const group = stack.identity(node, rule.groupProp, [T.securityGroup]);
                    const from = stack.identity(node, source.prop, [T.securityGroup], source.value);
                    if (group === undefined || from === undefined) {
                        report.unproven(node, `${group === undefined ? rule.groupProp : source.prop} of a rule that ${opens}`);
                    } else if (group !== from) {
                        const named = typeof source.value === "string" && !isUnknown(source.value) ? source.value : stack.byUrn.get(from)?.name ?? from;
                        report.violation(node, `${what} to another security group (${named}); only the members' own group may reach it`);
                    }
                }
            }
        }
    },
});
