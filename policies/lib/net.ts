/**
 * Security-group ingress in one shape, whichever way a program writes it: inline `ingress` blocks of
 * `ec2.SecurityGroup`, `ec2.SecurityGroupRule` (type ingress) or `vpc.SecurityGroupIngressRule`.
 */
import { T } from "./types";
import { isUnknown, list, truthy } from "./values";
import type { Subject } from "./graph";

export interface Ingress {
    /** The resource the rule is written on (the group for inline rules). */
    owner: Subject;
    /** Where it is written, for messages, e.g. `ingress[2]`. */
    where: string;
    /** Property of `owner` naming the group the rule opens (absent: the owner is the group). */
    groupProp?: string;
    /** First and last port; [0, 65535] for all traffic. Undefined when unknown. */
    ports?: [number, number];
    cidrs: string[];
    /** Source groups as written (ids, maybe unknown) and the property they come from. */
    sourceGroups: { value: unknown; prop: string }[];
    self: boolean;
    prefixLists: string[];
    /** Source fields that are unknown at preview. */
    unknownFields: string[];
}

const ALL_PORTS: [number, number] = [0, 65535];

function portRange(protocol: unknown, from: unknown, to: unknown): [number, number] | undefined {
    if (isUnknown(protocol) || isUnknown(from) || isUnknown(to)) return undefined;
    const p = String(protocol ?? "").toLowerCase();
    if (p === "-1" || p === "all") return ALL_PORTS;
    // ICMP and other port-less protocols open no TCP/UDP port.
    if (!["tcp", "udp", "6", "17"].includes(p)) return [-1, -1];
    const f = from === undefined || from === null ? 0 : Number(from);
    const t = to === undefined || to === null ? f : Number(to);
    // A TCP rule from 0 to 0 (or -1) is AWS's spelling of all ports in some APIs.
    if ((f === 0 || f === -1) && (t === 0 || t === -1 || t === 65535)) return ALL_PORTS;
    return [f, t];
}

function strings(values: unknown, field: string, unknownFields: string[]): string[] {
    const l = list(values);
    if (l === undefined) {
        unknownFields.push(field);
        return [];
    }
    const out: string[] = [];
    for (const v of l) {
        if (isUnknown(v)) unknownFields.push(field);
        else if (typeof v === "string" && v !== "") out.push(v);
    }
    return out;
}

/** Every ingress rule a resource declares (none for other types). */
export function ingressOf(subject: Subject): Ingress[] {
    const p = subject.props;
    if (subject.type === T.securityGroup) {
        const blocks = list(p.ingress);
        if (blocks === undefined) {
            return [{ owner: subject, where: "ingress", cidrs: [], sourceGroups: [], self: false, prefixLists: [], unknownFields: ["ingress"] }];
        }
        return blocks.map((b: any, i: number) => {
            const unknownFields: string[] = [];
            const where = `ingress[${i}]`;
            if (isUnknown(b)) {
                return { owner: subject, where, cidrs: [], sourceGroups: [], self: false, prefixLists: [], unknownFields: [where] };
            }
            const cidrs = [...strings(b.cidrBlocks, `${where}.cidrBlocks`, unknownFields), ...strings(b.ipv6CidrBlocks, `${where}.ipv6CidrBlocks`, unknownFields)];
            const groups = list(b.securityGroups);
            if (groups === undefined) unknownFields.push(`${where}.securityGroups`);
            return {
                owner: subject,
                where,
                ports: portRange(b.protocol, b.fromPort, b.toPort),
                cidrs,
                sourceGroups: (groups ?? []).map((value) => ({ value, prop: "ingress" })),
                self: truthy(b.self),
                prefixLists: strings(b.prefixListIds, `${where}.prefixListIds`, unknownFields),
                unknownFields,
            };
        });
    }
    if (subject.type === T.securityGroupRule) {
        if (p.type !== "ingress") return [];
        const unknownFields: string[] = [];
        const cidrs = [...strings(p.cidrBlocks, "cidrBlocks", unknownFields), ...strings(p.ipv6CidrBlocks, "ipv6CidrBlocks", unknownFields)];
        return [{
            owner: subject,
            where: "rule",
            groupProp: "securityGroupId",
            ports: portRange(p.protocol, p.fromPort, p.toPort),
            cidrs,
            sourceGroups: p.sourceSecurityGroupId !== undefined && p.sourceSecurityGroupId !== null ? [{ value: p.sourceSecurityGroupId, prop: "sourceSecurityGroupId" }] : [],
            self: truthy(p.self),
            prefixLists: strings(p.prefixListIds, "prefixListIds", unknownFields),
            unknownFields,
        }];
    }
    if (subject.type === T.ingressRule) {
        const unknownFields: string[] = [];
        const cidrs = [...strings(p.cidrIpv4, "cidrIpv4", unknownFields), ...strings(p.cidrIpv6, "cidrIpv6", unknownFields)];
        return [{
            owner: subject,
            where: "rule",
            groupProp: "securityGroupId",
            ports: portRange(p.ipProtocol, p.fromPort, p.toPort),
            cidrs,
            sourceGroups: p.referencedSecurityGroupId !== undefined && p.referencedSecurityGroupId !== null ? [{ value: p.referencedSecurityGroupId, prop: "referencedSecurityGroupId" }] : [],
            self: false,
            prefixLists: strings(p.prefixListId, "prefixListId", unknownFields),
            unknownFields,
        }];
    }
    return [];
}

export const INGRESS_TYPES = [T.securityGroup, T.securityGroupRule, T.ingressRule];

/** Whether a CIDR is the whole IPv4 or IPv6 internet (any address with prefix length 0). */
export function isWorld(cidr: string): boolean {
    return /\/0$/.test(cidr.trim());
}

export function coversPort(ports: [number, number], port: number): boolean {
    return ports[0] <= port && port <= ports[1];
}

export function describePorts(ports: [number, number]): string {
    if (ports[0] === 0 && ports[1] === 65535) return "all ports";
    return ports[0] === ports[1] ? `port ${ports[0]}` : `ports ${ports[0]}-${ports[1]}`;
}
