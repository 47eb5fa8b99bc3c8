/**
 * Who can reach which port of which security group, from the three ways `@pulumi/aws` expresses
 * ingress: inline `ingress` blocks, `ec2.SecurityGroupRule` and `vpc.SecurityGroupIngressRule`.
 * Used for the reachability diagram of `report.md`.
 */

export interface GraphResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
}

export interface ReachEdge {
    /** A CIDR, a prefix list, or `sg:<security group name>`. */
    from: string;
    /** Security group name. */
    to: string;
    ports: string;
}

function portRange(protocol: unknown, from: unknown, to: unknown): string {
    const p = String(protocol ?? "tcp");
    if (p === "-1" || p === "all") return "all";
    const a = Number(from);
    const b = Number(to ?? from);
    const proto = p === "6" ? "tcp" : p === "17" ? "udp" : p;
    return `${proto} ${a === b ? a : `${a}-${b}`}`;
}

export function reachabilityEdges(resources: readonly GraphResource[]): ReachEdge[] {
    const groupName = new Map<string, string>();
    for (const r of resources) {
        if (r.type === "aws:ec2/securityGroup:SecurityGroup" && typeof r.props.id === "string") groupName.set(r.props.id, r.name);
    }
    const sg = (id: unknown) => `sg:${groupName.get(String(id)) ?? String(id)}`;
    const edges: ReachEdge[] = [];
    const add = (sources: string[], to: string, ports: string) => {
        for (const from of sources) edges.push({ from, to, ports });
    };
    for (const r of resources) {
        const p = r.props;
        if (r.type === "aws:ec2/securityGroup:SecurityGroup") {
            for (const rule of (p.ingress as Record<string, unknown>[] | undefined) ?? []) {
                const sources = [
                    ...((rule.cidrBlocks as string[]) ?? []),
                    ...((rule.ipv6CidrBlocks as string[]) ?? []),
                    ...((rule.prefixListIds as string[]) ?? []),
                    ...((rule.securityGroups as string[]) ?? []).map(sg),
                    ...(rule.self ? [`sg:${r.name}`] : []),
                ];
                add(sources, r.name, portRange(rule.protocol, rule.fromPort, rule.toPort));
            }
        } else if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule" && p.type === "ingress") {
            const target = sg(p.securityGroupId).slice(3);
            const sources = [
                ...((p.cidrBlocks as string[]) ?? []),
                ...((p.ipv6CidrBlocks as string[]) ?? []),
                ...((p.prefixListIds as string[]) ?? []),
                ...(p.sourceSecurityGroupId ? [sg(p.sourceSecurityGroupId)] : []),
                ...(p.self ? [`sg:${target}`] : []),
            ];
            add(sources, target, portRange(p.protocol, p.fromPort, p.toPort));
        } else if (r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
            const sources = [p.cidrIpv4, p.cidrIpv6, p.prefixListId].filter((x): x is string => typeof x === "string");
            if (p.referencedSecurityGroupId) sources.push(sg(p.referencedSecurityGroupId));
            add(sources, sg(p.securityGroupId).slice(3), portRange(p.ipProtocol, p.fromPort, p.toPort));
        }
    }
    return edges;
}

/** A Mermaid flowchart: one node per source and group, one arrow per source and group with its ports. */
export function renderReachabilityMermaid(edges: readonly ReachEdge[]): string {
    const ids = new Map<string, string>();
    const node = (label: string) => {
        let id = ids.get(label);
        if (!id) {
            id = `n${ids.size}`;
            ids.set(label, id);
        }
        return id;
    };
    const grouped = new Map<string, Set<string>>();
    for (const e of edges) {
        const key = `${e.from}\u0000${e.to}`;
        (grouped.get(key) ?? grouped.set(key, new Set()).get(key)!).add(e.ports);
    }
    const lines = ["flowchart LR"];
    for (const [key, ports] of grouped) {
        const [from, to] = key.split("\u0000");
        lines.push(`    ${node(from)} -->|${[...ports].sort().join(", ")}| ${node(`sg:${to}`)}`);
    }
    for (const [label, id] of ids) {
        const world = label === "0.0.0.0/0" || label === "::/0";
        lines.push(`    ${id}${label.startsWith("sg:") ? `["${label.slice(3)}"]` : `(["${label}${world ? " (anywhere)" : ""}"])`}`);
    }
    return lines.join("\n");
}
