import { UsageError } from "../plan/project";

/**
 * Blue-green and canary switching at the edge (DEP-BLUE-GREEN, DEP-CANARY): changes only the edge
 * stack's routing config (`activeColor`, `canaryWeight`), after checking the destination's target
 * health, verifies afterwards, and restores the previous routing by itself when anything fails.
 */

export type Color = "blue" | "green";

export interface Routing {
    activeColor: Color;
    canaryWeight: number;
}

/** The edge stack, as the switch sees it (Automation API in production, fakes in tests). */
export interface EdgeWorkspace {
    readonly edgeStack: string;
    /** The edge stack's `aws:region`, where its target groups' health is read. */
    readonly region: string;
    getRouting(): Promise<Routing & { previous?: Routing }>;
    /** Writes the routing (and what it replaces, for `--rollback`) to the edge stack's config. */
    setRouting(routing: Routing, previous: Routing): Promise<void>;
    /** `pulumi up` of the edge stack; resolves with the stack outputs. */
    up(): Promise<Record<string, unknown>>;
    /** Target group ARNs of a color's cluster stack (`blueStack`/`greenStack` of the edge's config; its `targetGroupArns` output). */
    targetGroupArns(color: Color): Promise<string[]>;
}

export interface TargetHealth {
    /** Number of targets in state `healthy`. */
    healthyCount(targetGroupArn: string): Promise<number>;
}

export interface SwitchDeps {
    workspace: EdgeWorkspace;
    health: TargetHealth;
    log: (line: string) => void;
}

export interface SwitchRequest {
    /** Color that should receive traffic; omitted with `rollback`. */
    to?: Color;
    /** Share (0..100) of traffic sent to `to`; 100 switches completely. @default 100 */
    weight?: number;
    dryRun?: boolean;
    rollback?: boolean;
    /** Healthy targets required in every target group of a color before it receives traffic. @default 2 */
    minHealthy?: number;
}

export type SwitchOutcome =
    | { status: "switched"; from: Routing; to: Routing }
    | { status: "unchanged"; routing: Routing }
    | { status: "dry-run"; from: Routing; to: Routing }
    | { status: "refused"; reason: string }
    | { status: "rolled-back"; reason: string; routing: Routing };

const other = (c: Color): Color => (c === "blue" ? "green" : "blue");

/** Traffic share of each color under a routing. */
export function weights(r: Routing): Record<Color, number> {
    return { [r.activeColor]: 100 - r.canaryWeight, [other(r.activeColor)]: r.canaryWeight } as Record<Color, number>;
}

/** `--to green --weight 10`: green gets 10% (a canary, blue stays active); weight > 50 makes green active. */
export function routingFor(to: Color, weight: number): Routing {
    return weight > 50 ? { activeColor: to, canaryWeight: 100 - weight } : { activeColor: other(to), canaryWeight: weight };
}

export function validateRequest(req: SwitchRequest): void {
    if (req.rollback) {
        if (req.to !== undefined || req.weight !== undefined) throw new UsageError("switch: --rollback takes neither --to nor --weight");
    } else if (req.to !== "blue" && req.to !== "green") {
        throw new UsageError(`switch: --to must be blue or green, got ${JSON.stringify(req.to)}`);
    }
    if (req.weight !== undefined && (!Number.isInteger(req.weight) || req.weight < 0 || req.weight > 100)) {
        throw new UsageError(`switch: --weight must be an integer from 0 to 100, got ${JSON.stringify(req.weight)}`);
    }
    if (req.minHealthy !== undefined && (!Number.isInteger(req.minHealthy) || req.minHealthy < 1)) {
        throw new UsageError(`switch: --min-healthy must be an integer of at least 1, got ${JSON.stringify(req.minHealthy)}`);
    }
}

/** The colors that receive traffic under `to` but did not before must each have enough healthy targets. */
async function unhealthyReason(deps: SwitchDeps, routing: Routing, minHealthy: number): Promise<string | undefined> {
    for (const color of ["blue", "green"] as Color[]) {
        if (weights(routing)[color] === 0) continue;
        const arns = await deps.workspace.targetGroupArns(color);
        if (arns.length === 0) return `${color} has no target groups`;
        for (const arn of arns) {
            const healthy = await deps.health.healthyCount(arn);
            if (healthy < minHealthy) return `${color} target group ${arn} has ${healthy} healthy targets, ${minHealthy} required`;
        }
    }
    return undefined;
}

function verifyOutputs(outputs: Record<string, unknown>, expected: Routing): string | undefined {
    const routing = outputs.routing as Partial<Routing> | undefined;
    if (routing?.activeColor !== expected.activeColor || routing?.canaryWeight !== expected.canaryWeight) {
        return `edge stack reports routing ${JSON.stringify(routing ?? null)}, expected ${JSON.stringify(expected)}`;
    }
    return undefined;
}

const describe = (r: Routing) => `${r.activeColor} active (${weights(r).blue}% blue / ${weights(r).green}% green)`;

export async function switchTraffic(req: SwitchRequest, deps: SwitchDeps): Promise<SwitchOutcome> {
    validateRequest(req);
    const minHealthy = req.minHealthy ?? 2;
    const current = await deps.workspace.getRouting();
    const from: Routing = { activeColor: current.activeColor, canaryWeight: current.canaryWeight };
    let to: Routing;
    if (req.rollback) {
        if (!current.previous) return { status: "refused", reason: `${deps.workspace.edgeStack} has no previous routing to return to` };
        to = current.previous;
    } else {
        to = routingFor(req.to!, req.weight ?? 100);
    }
    if (to.activeColor === from.activeColor && to.canaryWeight === from.canaryWeight) {
        deps.log(`routing is already ${describe(from)}; nothing to do`);
        return { status: "unchanged", routing: from };
    }
    const unhealthy = await unhealthyReason(deps, to, minHealthy);
    if (unhealthy) {
        deps.log(`refusing to switch: ${unhealthy}`);
        return { status: "refused", reason: unhealthy };
    }
    if (req.dryRun) {
        deps.log(`dry run: would switch ${deps.workspace.edgeStack} from ${describe(from)} to ${describe(to)}`);
        return { status: "dry-run", from, to };
    }

    deps.log(`switching ${deps.workspace.edgeStack} from ${describe(from)} to ${describe(to)}`);
    let failure: string | undefined;
    try {
        await deps.workspace.setRouting(to, from);
        const outputs = await deps.workspace.up();
        failure = verifyOutputs(outputs, to) ?? (await unhealthyReason(deps, to, minHealthy));
    } catch (e) {
        failure = `update failed: ${(e as Error).message}`;
    }
    if (!failure) {
        deps.log(`switched: ${describe(to)}`);
        return { status: "switched", from, to };
    }

    deps.log(`${failure}; restoring ${describe(from)}`);
    try {
        await deps.workspace.setRouting(from, current.previous ?? from);
        await deps.workspace.up();
    } catch (e) {
        // Both the switch and its undo failed: say so loudly; an operator must look now.
        throw new Error(`${failure}; restoring the previous routing also failed: ${(e as Error).message}`);
    }
    return { status: "rolled-back", reason: failure, routing: from };
}
