/**
 * The security-group rule tables of a cluster, as pure functions of the settings and the product, so
 * tests read exactly what the components create (OS-FIREWALL, OS-CLUSTER-PORTS, OS-SSH, NET-OPEN-PORTS).
 *
 * Two groups: `edge` (attached to the load balancer) and `nodes` (attached to the WSO2 instances).
 * Traffic to the Amazon DNS resolver, the time service and instance metadata is not filtered by
 * security groups, so no rule is needed for it.
 */
import type { Settings } from "../../config/settings";
import { isIpv6Cidr } from "../../config/cidr";
import { ProductSpec, publicRoutes } from "../../products";

export type SecurityGroupRole = "edge" | "nodes";

/** Where a rule's traffic comes from (ingress) or goes to (egress). */
export type RulePeer =
    | { kind: "cidr"; cidr: string }
    /** Another group of the same cluster (or the group itself). */
    | { kind: "group"; group: SecurityGroupRole }
    /** The VPC's own CIDR block (interface endpoints, internal services). */
    | { kind: "vpc" }
    /** The regional S3 prefix list (backups through the S3 gateway endpoint). */
    | { kind: "s3" };

export interface SecurityRule {
    direction: "ingress" | "egress";
    protocol: "tcp";
    port: number;
    peer: RulePeer;
    /** Shown in the console and audits: says why the rule exists. */
    description: string;
}

/** Ports of the target groups: every port a public route uses, and the traffic port. */
export function targetPorts(settings: Pick<Settings, "publicPaths">, product: ProductSpec): number[] {
    const ports = new Set<number>([product.trafficPort]);
    for (const route of publicRoutes(product, settings.publicPaths)) ports.add(route.port);
    return [...ports].sort((a, b) => a - b);
}

/** Every port the load balancer opens connections to on the nodes: target ports and the health-check port. */
export function edgeToNodePorts(settings: Pick<Settings, "publicPaths">, product: ProductSpec): number[] {
    const ports = new Set<number>(targetPorts(settings, product));
    ports.add(product.healthChecks[0].port);
    return [...ports].sort((a, b) => a - b);
}

function portPurpose(port: number, settings: Pick<Settings, "publicPaths">, product: ProductSpec): string {
    const purposes: string[] = [];
    if (targetPorts(settings, product).includes(port)) purposes.push("traffic");
    if (product.healthChecks[0].port === port) purposes.push("health check");
    return purposes.join(" and ");
}

/** AWS allows 255 characters of [a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*] in a rule description. */
function describe(text: string): string {
    return text.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, "-").slice(0, 255);
}

/** Rules of the load balancer's group: 443 and 80 (redirect only) from clients, out only to the nodes. */
export function edgeSecurityRules(
    settings: Pick<Settings, "clientCidrs" | "publicPaths">,
    product: ProductSpec,
): SecurityRule[] {
    const rules: SecurityRule[] = [];
    for (const cidr of settings.clientCidrs) {
        rules.push({ direction: "ingress", protocol: "tcp", port: 443, peer: { kind: "cidr", cidr }, description: describe(`HTTPS from clients ${cidr}`) });
        rules.push({
            direction: "ingress",
            protocol: "tcp",
            port: 80,
            peer: { kind: "cidr", cidr },
            description: describe(`HTTP from clients ${cidr}, only redirected to HTTPS`),
        });
    }
    for (const port of edgeToNodePorts(settings, product)) {
        rules.push({
            direction: "egress",
            protocol: "tcp",
            port,
            peer: { kind: "group", group: "nodes" },
            description: describe(`To ${product.name} nodes on ${port} (${portPurpose(port, settings, product)})`),
        });
    }
    return unique(rules);
}

/**
 * Rules of the nodes' group: service ports only from the edge group, clustering ports only within the
 * group, SSH only from `sshSourceCidrs` on `sshPort`; out on 443 to the VPC, S3 and `egressCidrs`, to the
 * database networks on `databasePort`, to the proxy port when a proxy is set.
 */
export function nodeSecurityRules(
    settings: Pick<
        Settings,
        "publicPaths" | "sshSourceCidrs" | "sshPort" | "egressCidrs" | "databaseCidrs" | "databasePort" | "proxyHost" | "proxyPort"
    >,
    product: ProductSpec,
): SecurityRule[] {
    const rules: SecurityRule[] = [];
    for (const port of edgeToNodePorts(settings, product)) {
        rules.push({
            direction: "ingress",
            protocol: "tcp",
            port,
            peer: { kind: "group", group: "edge" },
            description: describe(`From the load balancer on ${port} (${portPurpose(port, settings, product)})`),
        });
    }
    for (const port of product.clusteringPorts) {
        rules.push({
            direction: "ingress",
            protocol: "tcp",
            port,
            peer: { kind: "group", group: "nodes" },
            description: describe(`Clustering ${port} from members of this cluster only`),
        });
        rules.push({
            direction: "egress",
            protocol: "tcp",
            port,
            peer: { kind: "group", group: "nodes" },
            description: describe(`Clustering ${port} to members of this cluster only`),
        });
    }
    for (const cidr of settings.sshSourceCidrs) {
        rules.push({
            direction: "ingress",
            protocol: "tcp",
            port: settings.sshPort,
            peer: { kind: "cidr", cidr },
            description: describe(`SSH on non-default port ${settings.sshPort} from administrators ${cidr}`),
        });
    }
    rules.push({ direction: "egress", protocol: "tcp", port: 443, peer: { kind: "vpc" }, description: "HTTPS to VPC endpoints and services in the VPC" });
    rules.push({ direction: "egress", protocol: "tcp", port: 443, peer: { kind: "s3" }, description: "HTTPS to S3 for backups (gateway endpoint)" });
    for (const cidr of settings.egressCidrs) {
        rules.push({
            direction: "egress",
            protocol: "tcp",
            port: 443,
            peer: { kind: "cidr", cidr },
            description: describe(`HTTPS to AWS APIs and update mirrors ${cidr}`),
        });
    }
    for (const cidr of settings.databaseCidrs) {
        rules.push({
            direction: "egress",
            protocol: "tcp",
            port: settings.databasePort,
            peer: { kind: "cidr", cidr },
            description: describe(`Database and user stores over TLS on ${settings.databasePort} at ${cidr}`),
        });
    }
    if (settings.proxyHost) {
        for (const cidr of settings.egressCidrs) {
            rules.push({
                direction: "egress",
                protocol: "tcp",
                port: settings.proxyPort,
                peer: { kind: "cidr", cidr },
                description: describe(`Outbound proxy ${settings.proxyHost} on ${settings.proxyPort} at ${cidr}`),
            });
        }
    }
    return unique(rules);
}

/** Splits a CIDR into the argument the rule resources take for its family. */
export function cidrArgs(cidr: string): { cidrIpv4: string } | { cidrIpv6: string } {
    return isIpv6Cidr(cidr) ? { cidrIpv6: cidr } : { cidrIpv4: cidr };
}

function peerName(peer: RulePeer): string {
    switch (peer.kind) {
        case "cidr": {
            const text = peer.cidr.toLowerCase().replace(/[^0-9a-f]+/g, "-").replace(/^-+|-+$/g, "");
            return isIpv6Cidr(peer.cidr) ? `v6-${text}` : text;
        }
        case "group":
            return peer.group;
        default:
            return peer.kind;
    }
}

/** A stable, readable resource-name suffix for a rule, e.g. `in-443-10-0-0-0-8`; unique within a table. */
export function ruleSuffix(rule: SecurityRule): string {
    return `${rule.direction === "ingress" ? "in" : "out"}-${rule.port}-${peerName(rule.peer)}`;
}

/** Drops repeated (direction, port, peer) rules, which AWS refuses: the first description wins. */
function unique(rules: SecurityRule[]): SecurityRule[] {
    const seen = new Set<string>();
    return rules.filter((rule) => {
        const key = ruleSuffix(rule);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}
