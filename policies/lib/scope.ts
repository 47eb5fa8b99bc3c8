/**
 * Which resources of a stack are WSO2's, so that WSO2-specific policies (clustering ports, failover,
 * nodes without public addresses, the load balancers in front of WSO2) leave the rest of a program
 * alone: a RabbitMQ broker's group opening 5672 to its clients, an internal NLB, a NAT gateway, batch
 * workers. Generic AWS hygiene (encryption, IMDSv2, SSH and world-open ports, buckets) is not scoped.
 *
 * A resource is WSO2's when:
 *  1. it says so: the tag `wso2-hardening:scope` with value `wso2` (any other value says it is not, and
 *     nothing below overrides that), or any other `wso2-hardening:` tag, or "wso2" in its logical
 *     name, its `name` or a tag value;
 *  2. it shows it: user data that installs or starts a WSO2 product; a security group (or one of its
 *     rules) opening a port only WSO2 products use; a target group on such a port or with a WSO2
 *     health-check path;
 *  3. it is wired to one: instances, launch templates and configurations using a WSO2 group, and the
 *     groups of WSO2 nodes; auto-scaling groups of WSO2 launch templates; target groups attached to WSO2
 *     nodes; listeners of WSO2 load balancers or forwarding to WSO2 target groups; load balancers with
 *     such a listener or whose group a WSO2 group admits; listener rules, WAF associations and Elastic
 *     IPs of WSO2 listeners, load balancers and instances.
 * Wiring is followed in a fixed number of steps, not to a fixpoint: a group shared by WSO2 nodes and
 * batch workers is WSO2's, the batch workers are not.
 */
import type { Node, StackIndex } from "./graph";
import { ingressOf, INGRESS_TYPES } from "./net";
import { T } from "./types";
import { decodeText, isUnknown, list, unwrap } from "./values";

/** The selector tag: `wso2` puts a resource in scope, any other value takes it out. */
export const SCOPE_TAG = "wso2-hardening:scope";
export const SCOPE_VALUE = "wso2";

/**
 * Ports only WSO2 products open (servlet and gateway HTTPS/HTTP, MI pass-through and management,
 * traffic-manager binary and event ports, SI sync and event receivers); ports other software shares
 * (4000, 5672, 5701) are not evidence on their own.
 */
export const WSO2_PORTS: readonly number[] = [7611, 7711, 8243, 8253, 8280, 8290, 9099, 9164, 9443, 9611, 9711, 9763, 9893];

/** A rule naming one of those ports counts only if its range is this narrow (not "all ports from the VPC"). */
const MAX_EVIDENT_RANGE = 100;

/** Health-check paths of WSO2 products (API-M, IS, SI, the Carbon console and admin services). */
const HEALTH_PATH = /^\/(services\/Version|carbon\b|api\/am\/|api\/health-check\/|siddhi-apps)/;

/** User data that installs or runs a WSO2 product. */
const WSO2_TEXT = /wso2|api-manager\.sh|micro-integrator\.sh|streaming-integrator\.sh|\[super_admin\]/i;

const NODE_TYPES = [T.instance, T.launchTemplate, T.launchConfiguration];

type Verdict = "in" | "out" | undefined;

function tagPairs(props: Record<string, any>): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const prop of ["tags", "tagsAll"]) {
        const v = unwrap(props?.[prop]);
        if (v === null || typeof v !== "object") continue;
        if (Array.isArray(v)) {
            for (const e of v) {
                const entry = unwrap(e);
                if (entry && typeof entry === "object" && typeof entry.key === "string") out.push([entry.key, entry.value]);
            }
        } else out.push(...Object.entries(v));
    }
    return out;
}

/** What a resource says about itself: its selector tag, `wso2-hardening:` tags, names. */
function declared(node: Node): Verdict {
    const tags = tagPairs(node.props);
    const scope = tags.find(([k]) => k.toLowerCase() === SCOPE_TAG);
    if (scope) {
        const v = scope[1];
        if (typeof v === "string" && !isUnknown(v)) return v.trim().toLowerCase() === SCOPE_VALUE ? "in" : "out";
        return "in"; // unknown at preview: judged strictly
    }
    if (tags.some(([k]) => k.toLowerCase().startsWith("wso2-hardening:") && !k.toLowerCase().startsWith("wso2-hardening:suppress:"))) return "in";
    const names = [node.name, node.props.name, node.props.namePrefix, ...tags.map(([, v]) => v)];
    if (names.some((n) => typeof n === "string" && !isUnknown(n) && /wso2/i.test(n))) return "in";
    return undefined;
}

function decoded(value: unknown, base64: boolean): string {
    return typeof value === "string" && !isUnknown(value) ? decodeText(value, base64) : "";
}

function runsWso2(node: Node): boolean {
    const p = node.props;
    const text = node.type === T.launchTemplate ? decoded(p.userData, true) : decoded(p.userData, false) + decoded(p.userDataBase64, true);
    return WSO2_TEXT.test(text);
}

function opensWso2Port(node: Node): boolean {
    return ingressOf(node).some(
        (r) => r.ports !== undefined && r.ports[1] - r.ports[0] <= MAX_EVIDENT_RANGE && WSO2_PORTS.some((port) => r.ports![0] <= port && port <= r.ports![1]),
    );
}

function wso2TargetGroup(node: Node): boolean {
    const p = node.props;
    const hc = unwrap(p.healthCheck) ?? {};
    const ports = [p.port, hc.port].map(Number).filter((n) => Number.isInteger(n));
    return ports.some((n) => WSO2_PORTS.includes(n)) || (typeof hc.path === "string" && HEALTH_PATH.test(hc.path));
}

/** Group references of a node (instance, launch template or configuration). */
function groupRefs(node: Node): { prop: string; value: unknown }[] {
    const p = node.props;
    const out: { prop: string; value: unknown }[] = [];
    for (const prop of ["vpcSecurityGroupIds", "securityGroups"]) {
        const l = list(p[prop]);
        if (l === undefined) out.push({ prop, value: p[prop] });
        else for (const value of l) out.push({ prop, value });
    }
    for (const nic of list(p.networkInterfaces) ?? []) {
        const l = list(nic?.securityGroups);
        if (l === undefined) out.push({ prop: "networkInterfaces", value: nic?.securityGroups });
        else for (const value of l) out.push({ prop: "networkInterfaces", value });
    }
    return out;
}

function targetGroupArnsOf(actions: unknown): unknown[] {
    const out: unknown[] = [];
    for (const a of list(actions) ?? []) {
        if (!a || typeof a !== "object") continue;
        if (a.targetGroupArn !== undefined) out.push(a.targetGroupArn);
        for (const tg of list(a.forward?.targetGroups) ?? []) out.push(tg?.arn);
    }
    return out;
}

export class Wso2Scope {
    private readonly members = new Set<string>();

    constructor(private readonly stack: StackIndex) {
        const verdict = new Map<string, Verdict>();
        const all = [...stack.byUrn.values()];
        for (const n of all) verdict.set(n.urn, declared(n));
        const excluded = (n: Node) => verdict.get(n.urn) === "out";
        const add = (n: Node | undefined) => {
            if (n && !excluded(n)) this.members.add(n.urn);
        };
        const has = (n: Node | undefined) => !!n && this.members.has(n.urn);
        for (const n of all) if (verdict.get(n.urn) === "in") this.members.add(n.urn);

        // What resources show: WSO2 user data, ports, target groups.
        for (const n of stack.ofType(...NODE_TYPES)) if (runsWso2(n)) add(n);
        for (const n of stack.ofType(...INGRESS_TYPES)) {
            if (!opensWso2Port(n)) continue;
            add(n);
            if (n.type !== T.securityGroup) this.groupsOf(n, "securityGroupId").forEach(add);
        }
        for (const n of stack.ofType(T.targetGroup)) if (wso2TargetGroup(n)) add(n);

        // Nodes using a WSO2 group, then the groups of WSO2 nodes (one step each way, no further).
        const nodes = stack.ofType(...NODE_TYPES);
        for (const n of nodes) if (groupRefs(n).some((g) => this.refs(n, g.prop, g.value, [T.securityGroup]).some(has))) add(n);
        for (const n of nodes) if (has(n)) for (const g of groupRefs(n)) this.refs(n, g.prop, g.value, [T.securityGroup]).forEach(add);
        // Auto-scaling groups and their launch templates or configurations.
        for (const asg of stack.ofType(T.autoScalingGroup)) {
            const lt = unwrap(asg.props.launchTemplate) ?? {};
            const launch = [
                ...this.refs(asg, "launchTemplate", lt.id, [T.launchTemplate]),
                ...this.refs(asg, "launchTemplate", lt.name, [T.launchTemplate]),
                ...this.refs(asg, "launchConfiguration", asg.props.launchConfiguration, [T.launchConfiguration]),
            ];
            const mixed = unwrap(asg.props.mixedInstancesPolicy)?.launchTemplate?.launchTemplateSpecification;
            if (mixed) launch.push(...this.refs(asg, "mixedInstancesPolicy", mixed.launchTemplateId, [T.launchTemplate]));
            if (has(asg)) launch.forEach(add);
            else if (launch.some(has)) add(asg);
        }
        // Rules written on WSO2 groups.
        for (const n of stack.ofType(T.securityGroupRule, T.ingressRule)) if (this.groupsOf(n, "securityGroupId").some(has)) add(n);
        // Target groups of WSO2 nodes.
        for (const asg of stack.ofType(T.autoScalingGroup)) {
            if (!has(asg)) continue;
            for (const arn of list(asg.props.targetGroupArns) ?? []) this.refs(asg, "targetGroupArns", arn, [T.targetGroup]).forEach(add);
        }
        for (const a of stack.ofType(T.targetGroupAttachment)) {
            if (this.refs(a, "targetId", a.props.targetId, NODE_TYPES).some(has)) this.refs(a, "targetGroupArn", a.props.targetGroupArn, [T.targetGroup]).forEach(add);
        }
        for (const a of stack.ofType(T.asgAttachment)) {
            if (this.refs(a, "autoscalingGroupName", a.props.autoscalingGroupName, [T.autoScalingGroup]).some(has)) {
                this.refs(a, "lbTargetGroupArn", a.props.lbTargetGroupArn, [T.targetGroup]).forEach(add);
            }
        }
        // Load balancers: a listener forwarding to WSO2, or a group a WSO2 group admits.
        const admitted = new Set<string>();
        for (const n of stack.ofType(...INGRESS_TYPES)) {
            if (!has(n)) continue;
            for (const r of ingressOf(n)) for (const s of r.sourceGroups) this.refs(n, s.prop, s.value, [T.securityGroup]).forEach((g) => admitted.add(g.urn));
        }
        const listeners = stack.ofType(T.listener);
        const lbOf = (l: Node) => this.refs(l, "loadBalancerArn", l.props.loadBalancerArn, [T.loadBalancer]);
        const forwardsToWso2 = (n: Node, prop: string) => targetGroupArnsOf(n.props[prop]).some((arn) => this.refs(n, prop, arn, [T.targetGroup]).some(has));
        const rulesByListener = new Map<string, Node[]>();
        for (const r of stack.ofType(T.listenerRule)) {
            for (const l of this.refs(r, "listenerArn", r.props.listenerArn, [T.listener])) rulesByListener.set(l.urn, [...(rulesByListener.get(l.urn) ?? []), r]);
        }
        for (const l of listeners) {
            if (forwardsToWso2(l, "defaultActions") || (rulesByListener.get(l.urn) ?? []).some((r) => forwardsToWso2(r, "actions"))) {
                add(l);
                lbOf(l).forEach(add);
            }
        }
        for (const lb of stack.ofType(T.loadBalancer)) {
            const groups = list(lb.props.securityGroups);
            const refs = groups === undefined ? this.refs(lb, "securityGroups", lb.props.securityGroups, [T.securityGroup]) : groups.flatMap((g) => this.refs(lb, "securityGroups", g, [T.securityGroup]));
            if (refs.some((g) => admitted.has(g.urn))) add(lb);
        }
        // Everything hanging off a WSO2 load balancer, listener or instance.
        for (const l of listeners) if (lbOf(l).some(has)) add(l);
        for (const [listener, rules] of rulesByListener) if (this.members.has(listener)) rules.forEach(add);
        for (const w of stack.ofType(T.webAclAssociation)) if (this.refs(w, "resourceArn", w.props.resourceArn, [T.loadBalancer]).some(has)) add(w);
        for (const e of stack.ofType(T.eip)) if (this.refs(e, "instance", e.props.instance, [T.instance]).some(has)) add(e);
    }

    /** Whether a resource is WSO2's (see the module comment). */
    has(node: Node): boolean {
        return this.members.has(node.urn);
    }

    private refs(node: Node, prop: string, value: unknown, types: string[]): Node[] {
        return this.stack.resolve(node, prop, types, value).targets;
    }

    private groupsOf(node: Node, prop: string): Node[] {
        return this.refs(node, prop, node.props[prop], [T.securityGroup]);
    }
}

const cache = new WeakMap<StackIndex, Wso2Scope>();

/** The WSO2 scope of a stack, computed once per stack index. */
export function wso2Scope(stack: StackIndex): Wso2Scope {
    let scope = cache.get(stack);
    if (!scope) {
        scope = new Wso2Scope(stack);
        cache.set(stack, scope);
    }
    return scope;
}
