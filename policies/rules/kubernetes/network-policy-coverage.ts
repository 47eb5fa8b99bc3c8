import { stackRule } from "../../lib/define";
import type { Node } from "../../lib/graph";
import { containsUnknown } from "../../lib/values";
import { K, Obj, WORKLOAD_TYPES, containersOf, isEmptySelector, namespaceOf, podLabels, podTemplate, selects } from "./pods";

/** WSO2's clustering ports: Hazelcast 4000.., traffic-manager AMQP, throttling receivers, SI event sync. */
const DEFAULT_CLUSTERING_PORTS = [4000, 4001, 5672, 9611, 9711, 9893];

function policyTypes(spec: Obj): string[] {
    if (Array.isArray(spec.policyTypes) && spec.policyTypes.length) return spec.policyTypes;
    // The API server's default: Ingress always, Egress when egress rules are given.
    return spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

/** Whether a rule's ports include the container port (number or name); no ports means every port. */
function coversPort(rulePorts: Obj[] | undefined, port: number, name: string | undefined): boolean {
    if (!Array.isArray(rulePorts) || rulePorts.length === 0) return true;
    return rulePorts.some((p) => {
        if (p.protocol && p.protocol !== "TCP") return false;
        if (p.port === undefined) return true;
        if (typeof p.port === "string") return p.port === name || p.port === String(port);
        return p.endPort ? port >= p.port && port <= p.endPort : p.port === port;
    });
}

/** Why an ingress peer is not "a member of the same cluster": anything but a pod selector that selects the members. */
function foreignPeer(peer: Obj, members: Record<string, string>): string | undefined {
    if (peer.ipBlock) return `the network ${peer.ipBlock.cidr}`;
    if (peer.namespaceSelector) return "pods of other namespaces";
    if (!peer.podSelector || isEmptySelector(peer.podSelector)) return "every pod of the namespace";
    if (!selects(peer.podSelector, members)) return "pods that are not members of this workload";
    return undefined;
}

export const rule = stackRule<{ clusteringPorts: number[] }>({
    name: "wso2-k8s-network-policy-coverage",
    description:
        "Every workload is selected by NetworkPolicies for both ingress and egress (default deny), and its clustering ports " +
        "admit only the members' own pods.",
    severity: "high",
    guidelines: ["OS-FIREWALL", "OS-CLUSTER-PORTS", "NET-OPEN-PORTS", "PROD-PUBLISHER-EGRESS"],
    remediation:
        "Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress]) to the namespace, then allow the " +
        "service ports from the gateway's namespace only, the clustering ports only from a podSelector matching the members, " +
        "and egress only to DNS, the database and the endpoints the product calls.",
    checkov: ["CKV_K8S_7"],
    config: {
        clusteringPorts: {
            type: "array",
            items: { type: "integer" },
            description: "Container ports that only the members of the same workload may reach.",
            default: DEFAULT_CLUSTERING_PORTS,
        },
    },
    validate(stack, config, report) {
        const policies = stack.ofType(K.networkPolicy);
        const byNamespace = new Map<string, Node[]>();
        for (const p of policies) {
            const ns = namespaceOf(p.props);
            const list = byNamespace.get(ns);
            if (list) list.push(p);
            else byNamespace.set(ns, [p]);
        }
        for (const w of stack.ofType(...WORKLOAD_TYPES)) {
            const template = podTemplate(w.type, w.props);
            const labels = template && podLabels(template);
            const candidates = byNamespace.get(namespaceOf(w.props)) ?? [];
            if (!template || !labels || candidates.some((p) => containsUnknown(p.props.spec))) {
                report.unproven(w, "the pod labels or the namespace's NetworkPolicies");
                continue;
            }
            const selecting = candidates.filter((p) => selects(p.props.spec?.podSelector, labels));
            const missing = ["Ingress", "Egress"].filter((t) => !selecting.some((p) => policyTypes(p.props.spec).includes(t)));
            if (missing.length) {
                report.violation(w, `no NetworkPolicy restricts ${missing.join(" or ").toLowerCase()} of its pods: add a default deny and allow only what the product needs`);
            }
            const ports = containersOf(template.spec).flatMap((c) => (Array.isArray(c.ports) ? c.ports : []));
            for (const port of ports.filter((p) => config.clusteringPorts.includes(p.containerPort))) {
                const open: string[] = [];
                for (const p of selecting) {
                    for (const ing of Array.isArray(p.props.spec.ingress) ? p.props.spec.ingress : []) {
                        if (!coversPort(ing.ports, port.containerPort, port.name)) continue;
                        const from = Array.isArray(ing.from) ? ing.from : [];
                        if (from.length === 0) open.push(`${p.name} admits everyone`);
                        for (const peer of from) {
                            const why = foreignPeer(peer, labels);
                            if (why) open.push(`${p.name} admits ${why}`);
                        }
                    }
                }
                if (open.length) report.violation(w, `clustering port ${port.containerPort} is reachable beyond the members: ${[...new Set(open)].join("; ")}`);
            }
        }
    },
});
