/**
 * Host firewall (OS-FIREWALL, OS-CLUSTER-PORTS, NET-OPEN-PORTS): one `table inet wso2` with the named
 * sets of DESIGN.md and a default-drop input chain. Service ports accept only `@lb_sources`, clustering
 * ports only `@cluster_peers`, SSH only `@ssh_sources`; everything else (the product's plain-HTTP, JMX and
 * debug ports included) is dropped.
 */
import { isIpv4Cidr, isIpv6Cidr } from "../../config/cidr";
import type { ProductSpec } from "../../products";

/** Inbound ports by who may reach them; `ssh` is null when sshd is disabled. */
export interface FirewallPorts {
    service: number[];
    clustering: number[];
    ssh: number | null;
}

export interface FirewallInput {
    product: ProductSpec;
    /** Sources of the load balancer (`lb_sources`). */
    lbSourceCidrs: readonly string[];
    /** Sources allowed to SSH (`ssh_sources`); empty: no SSH rule at all. */
    sshSourceCidrs: readonly string[];
    sshPort: number;
}

/** Name of the nftables table every rule of this project lives in. */
export const NFT_TABLE = "wso2";

export function firewallPorts(input: FirewallInput): FirewallPorts {
    const sorted = (ports: readonly number[]) => [...new Set(ports)].sort((a, b) => a - b);
    return {
        service: sorted(input.product.servicePorts),
        clustering: sorted(input.product.clusteringPorts),
        ssh: input.sshSourceCidrs.length > 0 ? input.sshPort : null,
    };
}

function splitFamilies(key: string, cidrs: readonly string[]): { v4: string[]; v6: string[] } {
    const v4: string[] = [];
    const v6: string[] = [];
    for (const c of cidrs) {
        if (isIpv4Cidr(c)) v4.push(c);
        else if (isIpv6Cidr(c)) v6.push(c.toLowerCase());
        else throw new Error(`${key}: ${JSON.stringify(c)} is not a CIDR block such as 10.0.0.0/16`);
    }
    return { v4, v6 };
}

function portSet(ports: readonly number[]): string {
    return ports.length === 1 ? String(ports[0]) : `{ ${ports.join(", ")} }`;
}

function setDecl(name: string, type: "ipv4_addr" | "ipv6_addr", elements: readonly string[]): string[] {
    const lines = [`    set ${name} {`, `        type ${type}`, `        flags interval`];
    // auto-merge lets overlapping CIDRs (e.g. 10.0.0.0/8 and 10.1.0.0/16) coexist in an interval set.
    lines.push(`        auto-merge`);
    if (elements.length > 0) lines.push(`        elements = { ${elements.join(", ")} }`);
    lines.push(`    }`);
    return lines;
}

/**
 * The ruleset file, loaded with `nft -f` at boot. It replaces the table atomically (create, delete,
 * define in one transaction), so loading it twice leaves the same state. `lb_sources` and
 * `ssh_sources` are filled here from configuration; `cluster_peers` starts empty and is refreshed from
 * the EC2 API by the peers script. IPv6 sources get `*_v6` companion sets, which exist only when needed.
 */
export function renderNftablesRuleset(input: FirewallInput): string {
    const ports = firewallPorts(input);
    for (const [key, list] of [["service", ports.service], ["clustering", ports.clustering]] as const) {
        for (const p of list) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`product ${key} port ${p} is not a TCP port`);
    }
    if (ports.ssh !== null && (!Number.isInteger(ports.ssh) || ports.ssh < 1 || ports.ssh > 65535)) {
        throw new Error(`sshPort: ${ports.ssh} is not a TCP port`);
    }
    const lb = splitFamilies("lbSourceCidrs", input.lbSourceCidrs);
    const ssh = splitFamilies("sshSourceCidrs", input.sshSourceCidrs);

    const lines: string[] = [
        "#!/usr/sbin/nft -f",
        "# WSO2 host firewall: default-drop input; service ports only from the load balancer, clustering",
        "# ports only from cluster peers, SSH only from the SSH sources. Rendered by wso2-hardening.",
        `table inet ${NFT_TABLE}`,
        `delete table inet ${NFT_TABLE}`,
        `table inet ${NFT_TABLE} {`,
        ...setDecl("cluster_peers", "ipv4_addr", []),
        ...setDecl("lb_sources", "ipv4_addr", lb.v4),
        ...setDecl("ssh_sources", "ipv4_addr", ports.ssh === null ? [] : ssh.v4),
    ];
    if (lb.v6.length > 0) lines.push(...setDecl("lb_sources_v6", "ipv6_addr", lb.v6));
    if (ports.ssh !== null && ssh.v6.length > 0) lines.push(...setDecl("ssh_sources_v6", "ipv6_addr", ssh.v6));
    lines.push(
        "",
        "    chain input {",
        "        type filter hook input priority filter; policy drop;",
        "        ct state vmap { established : accept, related : accept, invalid : drop }",
        '        iifname "lo" accept',
        // Errors that TCP and path-MTU discovery need; no echo, so strangers cannot even ping the node.
        "        ip protocol icmp icmp type { destination-unreachable, time-exceeded, parameter-problem } accept",
        "        ip6 nexthdr ipv6-icmp icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept",
    );
    if (ports.service.length > 0) {
        lines.push(`        ip saddr @lb_sources tcp dport ${portSet(ports.service)} accept`);
        if (lb.v6.length > 0) lines.push(`        ip6 saddr @lb_sources_v6 tcp dport ${portSet(ports.service)} accept`);
    }
    if (ports.clustering.length > 0) {
        lines.push(`        ip saddr @cluster_peers tcp dport ${portSet(ports.clustering)} accept`);
    }
    if (ports.ssh !== null) {
        lines.push(`        ip saddr @ssh_sources tcp dport ${ports.ssh} accept`);
        if (ssh.v6.length > 0) lines.push(`        ip6 saddr @ssh_sources_v6 tcp dport ${ports.ssh} accept`);
    }
    lines.push(
        '        limit rate 10/minute burst 20 packets log prefix "wso2-fw-drop: " level info',
        "        counter drop",
        "    }",
        "",
        "    chain forward {",
        "        type filter hook forward priority filter; policy drop;",
        "    }",
        "}",
        "",
    );
    return lines.join("\n");
}
