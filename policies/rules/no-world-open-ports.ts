import { stackRule } from "../lib/define";
import type { Node } from "../lib/graph";
import { INGRESS_TYPES, describePorts, ingressOf, isWorld } from "../lib/net";
import { T } from "../lib/types";
import { isUnknown, list } from "../lib/values";

export const rule = stackRule<{ edgePorts: number[] }>({
    name: "wso2-no-world-open-ports",
    description: "Nothing is open to the whole internet except a load balancer's HTTP/HTTPS listener ports.",
    severity: "high",
    guidelines: ["NET-OPEN-PORTS", "OS-FIREWALL"],
    remediation:
        "Put WSO2 nodes behind a load balancer; open only 443 (and 80 when it redirects) to the internet, and only on the " +
        "load balancer's security group. Nodes accept traffic only from the load balancer's group.",
    trivy: ["AVD-AWS-0107"],
    config: {
        edgePorts: { type: "array", items: { type: "integer" }, description: "Ports a load balancer's group may open to the world.", default: [80, 443] },
    },
    validate(stack, config, report) {
        // Groups attached to a load balancer, by URN (created here) or by literal id (existing groups).
        const edgeGroups = new Set<string>();
        let edgeUnknown = false;
        for (const lb of stack.ofType(T.loadBalancer)) {
            const groups = list(lb.props.securityGroups);
            const known = (groups ?? []).filter((g) => typeof g === "string" && !isUnknown(g));
            if (groups === undefined || known.length < (groups ?? []).length) {
                const deps = lb.deps.securityGroups ?? [];
                deps.forEach((u) => edgeGroups.add(u));
                if (deps.length === 0) edgeUnknown = true;
            }
            for (const g of known) {
                const r = stack.resolve(lb, "securityGroups", [T.securityGroup], g);
                r.targets.forEach((t) => edgeGroups.add(t.urn));
                if (r.external) edgeGroups.add(r.external);
            }
        }
        const groupOf = (node: Node, groupProp?: string): string | undefined =>
            groupProp === undefined ? node.urn : stack.identity(node, groupProp, [T.securityGroup]);

        for (const node of stack.ofType(...INGRESS_TYPES)) {
            for (const rule of ingressOf(node)) {
                const at = rule.where === "rule" ? "" : ` (${rule.where})`;
                const world = rule.cidrs.filter(isWorld);
                if (world.length === 0) {
                    if (rule.unknownFields.some((f) => /cidr/i.test(f))) report.unproven(node, `the source networks of a rule${at} (${rule.unknownFields.join(", ")})`);
                    continue;
                }
                if (!rule.ports) {
                    report.unproven(node, `the port range of a rule open to ${world.join(", ")}${at}`);
                    continue;
                }
                const edgePort = rule.ports[0] === rule.ports[1] && config.edgePorts.includes(rule.ports[0]);
                const opens = `${describePorts(rule.ports)}${at} is open to ${world.join(", ")}`;
                if (!edgePort) {
                    report.violation(node, `${opens}; only a load balancer's ${config.edgePorts.join("/")} may be`);
                    continue;
                }
                const group = groupOf(node, rule.groupProp);
                if (group === undefined || (!edgeGroups.has(group) && edgeUnknown)) {
                    report.unproven(node, `whether the group of a rule where ${opens} belongs to a load balancer`);
                } else if (!edgeGroups.has(group)) {
                    report.violation(node, `${opens}, but its group is not attached to a load balancer`);
                }
            }
        }
    },
});
