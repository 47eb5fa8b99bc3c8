import * as path from "path";
import { OutputCatalog, mockCall, mockResource, MockContext, UNKNOWN, UNKNOWN_DISPLAY } from "./mocks";
import { UsageError } from "./project";

/** One resource the program registered, as it goes into `plan.json`. */
export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    id: string | null;
    parent: string | null;
    /** The explicit provider managing it (`<urn>::<id>`), or null for the default provider and components. */
    provider: string | null;
    custom: boolean;
    protect: boolean;
    dependencies: string[];
    /** URNs each input property depends on (how policies follow references). */
    propertyDependencies: Record<string, string[]>;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
}

export interface ProgramRun {
    resources: PlannedResource[];
    stackOutputs: Record<string, unknown>;
    /** Names of StackReferences whose stacks had no known outputs. */
    missingStacks: string[];
}

export interface RunOptions {
    project: string;
    stack: string;
    programDir: string;
    main: string;
    config: Record<string, string>;
    secretKeys: string[];
    stackOutputs: (name: string) => Record<string, unknown> | undefined;
    /** Run as a first `pulumi preview` (the SDK's dry run): outputs of resources not yet created are unknown. */
    preview?: boolean;
}

/** Error raised by the program itself (including its configuration validation). */
/** Event-loop turns a finished run keeps collecting its own late promise rejections. */
const LATE_REJECTION_TURNS = 3;

export class ProgramError extends Error {
    constructor(message: string, readonly isConfigError: boolean) {
        super(message);
        this.name = "ProgramError";
    }
}

type PulumiModule = typeof import("@pulumi/pulumi");
type Settings = typeof import("@pulumi/pulumi/runtime/settings");
type Rpc = typeof import("@pulumi/pulumi/runtime/rpc");

/** The program's own copy of `@pulumi/pulumi`: mocks must be set on the instance the program uses. */
function loadSdk(programDir: string): { pulumi: PulumiModule; settings: Settings; rpc: Rpc } {
    let entry: string;
    try {
        entry = require.resolve("@pulumi/pulumi", { paths: [programDir] });
    } catch {
        throw new UsageError(`--program ${programDir}: cannot resolve @pulumi/pulumi from it (run npm install there)`);
    }
    const dir = path.dirname(entry);
    return {
        pulumi: require(entry),
        settings: require(path.join(dir, "runtime", "settings")),
        rpc: require(path.join(dir, "runtime", "rpc")),
    };
}

/** Modules loaded before any program ran (this CLI, the pack): kept across runs. */
let baseline: Set<string> | undefined;

/**
 * Forgets the modules the last program run loaded (not node_modules) so the next run starts fresh;
 * the CLI and the policy pack, loaded before the first run, stay compiled.
 */
export function unloadProgramModules(): void {
    if (!baseline) {
        baseline = new Set(Object.keys(require.cache));
        return;
    }
    for (const key of Object.keys(require.cache)) {
        if (!baseline.has(key) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key];
    }
}

/** Secret-wrapped values become plain values for policies, and `[secret]` in what the plan writes. */
export function unwrapSecrets(v: unknown, rpc: Rpc, mask: boolean): unknown {
    if (v === null || typeof v !== "object") return v;
    if (rpc.isRpcSecret(v)) return mask ? "[secret]" : unwrapSecrets(rpc.unwrapRpcSecret(v), rpc, mask);
    if (Array.isArray(v)) return v.map((e) => unwrapSecrets(e, rpc, mask));
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) out[k] = unwrapSecrets(e, rpc, mask);
    return out;
}

/**
 * Runs a Pulumi program in-process under the SDK's mocks and records every registration with its
 * parent, dependencies, inputs and (mocked) outputs.
 */
export async function runProgram(opts: RunOptions): Promise<ProgramRun & { secretValues: SecretView }> {
    const { pulumi, settings, rpc } = loadSdk(opts.programDir);
    const missing = new Set<string>();
    const ctx: MockContext = {
        region: opts.config["aws:region"] ?? "us-east-1",
        providerRegions: new Map(),
        project: opts.project,
        stack: opts.stack,
        outputs: new OutputCatalog(opts.programDir),
        stackOutputs: opts.stackOutputs,
        onMissingStack: (n) => missing.add(n),
        preview: !!opts.preview,
    };
    // Under a dry run the SDK hands the mocks its `Unknown` marker; policies and the plan see the engine's sentinel.
    const sentinel = (v: unknown) => withUnknownSentinel(v, pulumi);

    // Requests carry parent and dependencies that the Mocks interface does not see; keep them by URN.
    const meta = new Map<
        string,
        {
            parent: string;
            provider: string;
            deps: string[];
            propertyDeps: Record<string, string[]>;
            custom: boolean;
            protect: boolean;
            type: string;
            name: string;
            secretOutputs: string[];
        }
    >();
    const states = new Map<string, { id: string | null; inputs: Record<string, unknown>; state: Record<string, unknown> }>();
    let pending: { parent: string; urnKey: string } | undefined;

    const mocks = {
        newResource: async (args: { type: string; name: string; inputs: any; id?: string; custom?: boolean; provider?: string }) => {
            const key = pending?.urnKey ?? `${args.type}::${args.name}`;
            const inputs = sentinel(args.inputs ?? {}) as Record<string, unknown>;
            const r = mockResource(ctx, { type: args.type, name: args.name, inputs, id: args.id, provider: args.provider, urnKey: key });
            lastResult = { inputs, ...r };
            return r;
        },
        call: async (args: { token: string; inputs: any; provider?: string }) => mockCall(ctx, args.token, args.inputs ?? {}, args.provider),
    };
    let lastResult: { inputs: Record<string, unknown>; id: string; state: Record<string, unknown> } | undefined;

    pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);
    await pulumi.runtime.setMocks(mocks as any, opts.project, opts.stack, !!opts.preview);
    const monitor = settings.getMonitor() as any;
    const origRegister = monitor.registerResource.bind(monitor);
    const origRead = monitor.readResource.bind(monitor);
    const origOutputs = monitor.registerResourceOutputs.bind(monitor);
    const capture = (orig: (req: any, cb: any) => Promise<void>, custom: (req: any) => boolean) => (req: any, cb: any) => {
        const parent = req.getParent() as string;
        const urnKey = `${parent}::${req.getType()}::${req.getName()}`;
        // Mock calls are serialized per request: newResource runs synchronously after this point.
        pending = { parent, urnKey };
        let result: typeof lastResult;
        const p = orig(req, (err: unknown, resp: any) => {
            if (!err && resp) {
                const urn = resp.getUrn() as string;
                meta.set(urn, {
                    parent,
                    provider: typeof req.getProvider === "function" ? req.getProvider() : "",
                    deps: req.getDependenciesList(),
                    propertyDeps: propertyDependencies(req),
                    custom: custom(req),
                    protect: typeof req.getProtect === "function" ? !!req.getProtect() : false,
                    type: req.getType(),
                    name: req.getName(),
                    // Outputs the resource class marks secret (e.g. RandomPassword.result) are masked in the plan.
                    secretOutputs: typeof req.getAdditionalsecretoutputsList === "function" ? req.getAdditionalsecretoutputsList() : [],
                });
                if (result) states.set(urn, { id: result.id || (ctx.preview ? UNKNOWN : null), inputs: result.inputs, state: result.state });
            }
            cb(err, resp);
        });
        // The mock monitor calls newResource before its first await, so the result is already here.
        result = lastResult;
        lastResult = undefined;
        pending = undefined;
        return p;
    };
    monitor.registerResource = capture(origRegister, (req) => !!req.getCustom());
    monitor.readResource = capture(origRead, () => true);
    monitor.registerResourceOutputs = (req: any, cb: any) => {
        const s = states.get(req.getUrn());
        if (s && req.getOutputs()) s.state = sentinel(rpc.deserializeProperties(req.getOutputs())) as Record<string, unknown>;
        return origOutputs(req, cb);
    };

    let stackOutputs: Record<string, unknown> = {};
    // A resource whose inputs fail (an apply that throws) is never registered; the SDK reports it only as an
    // unhandled rejection, which the language host turns into a failed update. The plan fails the same way
    // instead of silently leaving the resource out.
    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
        const outputs = await pulumi.runtime.runInPulumiStack(async () => {
            const mod = require(opts.main);
            const exported = mod && mod.__esModule && "default" in mod ? mod.default : mod;
            return typeof exported === "function" ? await exported() : exported;
        });
        // Registrations started by apply callbacks after the stack resolved still belong to the plan.
        await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        stackOutputs = (opts.preview ? await previewOutputs(rpc, outputs ?? {}) : await resolveOutputs(pulumi, outputs ?? {})) as Record<string, unknown>;
        // Rejections surface a turn after the promise fails.
        await new Promise((resolve) => setImmediate(resolve));
        if (failures.length > 0) throw failures[0];
    } catch (e) {
        // A program may refuse a referenced stack whose outputs are not known yet (an edge checking its
        // clusters): report the stacks to plan first; the run after that raises the error if it persists.
        if (missing.size > 0) {
            return { resources: [], stackOutputs: {}, missingStacks: [...missing], secretValues: { plain: (v) => v, masked: (v) => v } };
        }
        throw asProgramError(e);
    } finally {
        // A failed program leaves promises that reject a turn or two later (the other references it awaited,
        // outputs derived from the failure): they belong to this run, not to the next program this process
        // runs (a referenced stack planned next), so this run keeps listening until they have surfaced.
        for (let turn = 0; turn < LATE_REJECTION_TURNS; turn++) await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onRejection);
    }

    const resources: PlannedResource[] = [];
    for (const [urn, m] of meta) {
        const s = states.get(urn);
        resources.push({
            urn,
            type: m.type,
            name: m.name,
            id: m.custom ? (s?.id ?? null) : null,
            parent: m.parent || null,
            provider: m.provider || null,
            custom: m.custom,
            protect: m.protect,
            dependencies: m.deps,
            propertyDependencies: m.propertyDeps,
            inputs: (s?.inputs ?? {}) as Record<string, unknown>,
            outputs: markSecret((s?.state ?? {}) as Record<string, unknown>, m.secretOutputs, rpc),
        });
    }
    return {
        resources,
        stackOutputs: unwrapSecrets(stackOutputs, rpc, false) as Record<string, unknown>,
        missingStacks: [...missing],
        secretValues: { plain: (v) => unwrapSecrets(v, rpc, false), masked: (v) => displayUnknowns(unwrapSecrets(v, rpc, true)) },
    };
}

/** The SDK's `Unknown` marker (dry run) replaced by the engine's sentinel string, deeply. */
function withUnknownSentinel(v: unknown, pulumi: PulumiModule): unknown {
    if (pulumi.isUnknown(v)) return UNKNOWN;
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((e) => withUnknownSentinel(e, pulumi));
    if (Object.getPrototypeOf(v) !== Object.prototype) return v;
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) out[k] = withUnknownSentinel(e, pulumi);
    return out;
}

/** Unknown values as `plan.json` writes them: `"[unknown]"`, as Pulumi's display shows them. */
export function displayUnknowns(v: unknown): unknown {
    if (v === UNKNOWN) return UNKNOWN_DISPLAY;
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(displayUnknowns);
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) out[k] = displayUnknowns(e);
    return out;
}

/** Stack outputs under a dry run: serialized as the engine would receive them, unknowns as its sentinel. */
async function previewOutputs(rpc: Rpc, outputs: unknown): Promise<unknown> {
    const serialized = await rpc.serializeProperties("stack outputs", { value: outputs });
    return serialized.value;
}

export interface SecretView {
    plain: (v: unknown) => unknown;
    masked: (v: unknown) => unknown;
}

function propertyDependencies(req: any): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const map = typeof req.getPropertydependenciesMap === "function" ? req.getPropertydependenciesMap() : undefined;
    map?.forEach((v: { getUrnsList(): string[] }, k: string) => {
        out[k] = v.getUrnsList();
    });
    return out;
}

function markSecret(state: Record<string, unknown>, names: readonly string[], rpc: Rpc): Record<string, unknown> {
    if (names.length === 0) return state;
    const out = { ...state };
    for (const n of names) {
        if (n in out && !rpc.isRpcSecret(out[n])) out[n] = { [rpc.specialSigKey]: rpc.specialSecretSig, value: out[n] };
    }
    return out;
}

async function resolveOutputs(pulumi: PulumiModule, v: unknown): Promise<unknown> {
    return new Promise((resolve) => pulumi.output(v as any).apply((x: unknown) => resolve(x)));
}

function asProgramError(e: unknown): ProgramError {
    const err = e as Error & { problems?: unknown };
    // ConfigError: the stack configuration; ArgsError: a component's arguments (config/validate.ts).
    const isConfig = err?.name === "ConfigError" || err?.name === "ArgsError" || /Missing required configuration variable/.test(String(err?.message));
    const msg = err?.name === "RunError" || isConfig ? err.message : (err?.stack ?? String(e));
    return new ProgramError(msg, isConfig);
}
