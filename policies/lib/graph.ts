/**
 * One index of a stack's resources per evaluation, shared by the stack rules: by canonical type, by URN
 * and by the identifiers other resources reference them with (id, ARN, bucket name). A reference whose
 * value is unknown at preview is followed through the engine's property dependencies instead.
 * Building it is linear in the number of resources; lookups are constant time.
 */
import type { PolicyResource } from "@pulumi/policy";
import { canonicalType } from "./types";
import { Props, isUnknown, unwrap } from "./values";

/** The resource a finding is about. */
export interface Subject {
    urn: string;
    name: string;
    /** Canonical type token. */
    type: string;
    props: Props;
}

export interface Node extends Subject {
    /** URNs each input property depends on (preview: how unknown references are followed). */
    deps: Record<string, string[]>;
}

/** Where a reference points: resources of this stack, or an outside identifier, or nobody knows yet. */
export interface Resolved {
    targets: Node[];
    /** The literal identifier when it names nothing in this stack (an existing resource). */
    external?: string;
    /** The value is unknown and no dependency says what it is. */
    unknown: boolean;
}

/** A resource as the direct evaluation path and the policy runtime both can describe it. */
export interface IndexInput {
    urn: string;
    name: string;
    type: string;
    props: Props;
    /** Deterministic id from the offline plan, when props lack one. */
    id?: string;
    propertyDependencies?: Record<string, ReadonlyArray<string | PolicyResource>>;
}

export class StackIndex {
    readonly byUrn = new Map<string, Node>();
    private readonly byType = new Map<string, Node[]>();
    private readonly byKey = new Map<string, Node[]>();

    constructor(resources: ReadonlyArray<IndexInput>) {
        for (const r of resources) {
            const props = unwrap(r.props) ?? {};
            const deps: Record<string, string[]> = {};
            for (const [k, v] of Object.entries(r.propertyDependencies ?? {})) {
                deps[k] = v.map((d) => (typeof d === "string" ? d : d.urn));
            }
            const node: Node = { urn: r.urn, name: r.name, type: canonicalType(r.type), props, deps };
            this.byUrn.set(node.urn, node);
            let ofType = this.byType.get(node.type);
            if (!ofType) this.byType.set(node.type, (ofType = []));
            ofType.push(node);
            for (const key of new Set([r.id, props.id, props.arn, props.bucket])) {
                if (typeof key !== "string" || key === "" || isUnknown(key)) continue;
                const list = this.byKey.get(key);
                if (list) list.push(node);
                else this.byKey.set(key, [node]);
            }
        }
    }

    ofType(...types: string[]): Node[] {
        const out: Node[] = [];
        for (const t of types) out.push(...(this.byType.get(t) ?? []));
        return out;
    }

    /**
     * Follows `node.props[prop]` (or the given value, e.g. one element of a list) to resources of
     * `types`: by identifier when known, else through the property's dependencies.
     */
    resolve(node: Node, prop: string, types: string[], value: unknown = node.props[prop]): Resolved {
        if (typeof value === "string" && !isUnknown(value)) {
            const targets = (this.byKey.get(value) ?? []).filter((t) => types.includes(t.type));
            return targets.length ? { targets, unknown: false } : { targets, external: value, unknown: false };
        }
        if (value === undefined || value === null) return { targets: [], unknown: false };
        const targets = (node.deps[prop] ?? []).map((u) => this.byUrn.get(u)).filter((t): t is Node => !!t && types.includes(t.type));
        return { targets, unknown: targets.length === 0 };
    }

    /** Identity of a reference for equality checks: the stack resource's URN, else the literal id. */
    identity(node: Node, prop: string, types: string[], value: unknown = node.props[prop]): string | undefined {
        const r = this.resolve(node, prop, types, value);
        if (r.targets.length === 1) return r.targets[0].urn;
        return r.external;
    }
}

const cache = new WeakMap<object, StackIndex>();

/** The index of a stack's resources, built once per resource list however many rules ask. */
export function stackIndexOf(resources: ReadonlyArray<PolicyResource | IndexInput>): StackIndex {
    let index = cache.get(resources);
    if (!index) {
        index = new StackIndex(resources as ReadonlyArray<IndexInput>);
        cache.set(resources, index);
    }
    return index;
}
