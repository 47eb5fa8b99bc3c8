/**
 * The pack evaluated in-process, the way the Pulumi engine's analyzer would: resource policies on each
 * resource's inputs, stack policies once over every resource's outputs, with the same enforcement-level
 * resolution and config (`--policy-pack-config` format). The offline plan and the benchmark use it.
 */
import type {
    EnforcementLevel,
    PolicyPackConfig,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { Wso2Rule } from "./lib/define";
import type { Props } from "./lib/values";

/** A resource of a planned (or previewed) program. */
export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    id?: string;
    inputs: Props;
    /** Outputs after the (simulated) update; stack policies read these, falling back to inputs. */
    outputs?: Props;
    parent?: string;
    /** URNs each input property depends on. */
    propertyDependencies?: Record<string, string[]>;
    dependencies?: string[];
    protect?: boolean;
}

export interface Finding {
    policyName: string;
    enforcementLevel: "advisory" | "mandatory" | "remediate";
    severity?: Severity;
    /** The resource; absent for a finding about the whole stack. */
    urn?: string;
    message: string;
    guidelines: string[];
}

export interface EvaluateOptions {
    /** Pack config as `--policy-pack-config` takes it; absent: the strict defaults. */
    config?: PolicyPackConfig;
    stackTags?: ReadonlyMap<string, string>;
}

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

function settingsOf(config: PolicyPackConfig, name: string): { level?: EnforcementLevel; props: Record<string, unknown> } {
    const entry = config[name];
    if (entry === undefined) return { props: {} };
    if (typeof entry === "string") return { level: entry, props: {} };
    const { enforcementLevel, ...props } = entry;
    return { level: enforcementLevel, props };
}

/** Refuses config naming an unknown policy or enforcement level, before anything is evaluated. */
function checkConfig(rules: readonly Wso2Rule[], config: PolicyPackConfig): void {
    const names = new Set(rules.map((r) => r.policy.name));
    for (const [name, entry] of Object.entries(config)) {
        if (name === "all") {
            if (typeof entry !== "string" || !LEVELS.includes(entry)) throw new Error(`policy config "all" must be one of ${LEVELS.join(", ")}`);
            continue;
        }
        if (!names.has(name)) throw new Error(`policy config "${name}" names no policy of the pack`);
        const level = settingsOf(config, name).level;
        if (level !== undefined && !LEVELS.includes(level)) {
            throw new Error(`policy config "${name}.enforcementLevel" is "${level}"; expected one of ${LEVELS.join(", ")}`);
        }
    }
}

function isResourcePolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is ResourceValidationPolicy {
    return (p as StackValidationPolicy).validateStack === undefined;
}

function notApplicable(): never {
    throw new NotApplicable();
}

class NotApplicable extends Error {}

/** Runs every policy of `pack` over `resources` and returns the findings (`evaluatePack` in pack.ts: the whole pack). */
export async function evaluateRules(pack: readonly Wso2Rule[], resources: PlannedResource[], options: EvaluateOptions = {}): Promise<Finding[]> {
    const config = options.config ?? {};
    checkConfig(pack, config);
    const allLevel = typeof config.all === "string" ? (config.all as EnforcementLevel) : undefined;
    const stackTags = options.stackTags ?? new Map<string, string>();
    const findings: Finding[] = [];
    const inputs = resources.map((r) => r.inputs ?? {});

    let stackResources: PolicyResource[] | undefined;
    const stackView = (): PolicyResource[] => {
        if (stackResources) return stackResources;
        const byUrn = new Map<string, PolicyResource>();
        stackResources = resources.map((r, i) => {
            const props = { ...(r.outputs ?? inputs[i]) };
            if (r.id !== undefined && props.id === undefined) props.id = r.id;
            const pr = {
                type: r.type,
                props,
                urn: r.urn,
                name: r.name,
                opts: { protect: !!r.protect, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [], parent: r.parent },
                dependencies: [],
                propertyDependencies: {},
                isType: () => false,
                asType: () => undefined,
            } as unknown as PolicyResource;
            byUrn.set(r.urn, pr);
            return pr;
        });
        resources.forEach((r, i) => {
            const pr = stackResources![i] as { parent?: PolicyResource; dependencies: PolicyResource[]; propertyDependencies: Record<string, PolicyResource[]> };
            if (r.parent) pr.parent = byUrn.get(r.parent);
            pr.dependencies = (r.dependencies ?? []).map((u) => byUrn.get(u)).filter((d): d is PolicyResource => !!d);
            for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                pr.propertyDependencies[k] = urns.map((u) => byUrn.get(u)).filter((d): d is PolicyResource => !!d);
            }
        });
        return stackResources;
    };

    for (const { policy, meta } of pack) {
        const settings = settingsOf(config, policy.name);
        const level: EnforcementLevel = settings.level ?? allLevel ?? policy.enforcementLevel ?? "mandatory";
        if (level === "disabled") continue;
        const remediating = level === "remediate";
        const reportAs = remediating ? "mandatory" : level;
        const getConfig = <T extends object>() => settings.props as T;
        const push = (message: string, urn?: string, as: Finding["enforcementLevel"] = reportAs) =>
            findings.push({ policyName: policy.name, enforcementLevel: as, severity: policy.severity, urn, message, guidelines: meta.guidelines });
        try {
            if (isResourcePolicy(policy)) {
                resources.forEach((r, i) => {
                    const args: ResourceValidationArgs = {
                        type: r.type,
                        props: inputs[i],
                        urn: r.urn,
                        name: r.name,
                        opts: { protect: !!r.protect, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [], parent: r.parent },
                        stackTags,
                        isType: () => false,
                        asType: () => undefined,
                        getConfig,
                        notApplicable,
                    };
                    try {
                        if (remediating && policy.remediateResource) {
                            const fixed = policy.remediateResource(args);
                            if (fixed && !(fixed instanceof Promise)) {
                                inputs[i] = fixed as Props;
                                args.props = fixed as Props;
                                push("remediated: properties changed to comply", r.urn, "remediate");
                            }
                        }
                        const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
                        for (const v of validations) v(args, (message: string) => push(message, r.urn));
                    } catch (e) {
                        if (!(e instanceof NotApplicable)) throw e;
                    }
                });
            } else {
                const args: StackValidationArgs = { resources: stackView(), getConfig, stackTags, notApplicable };
                try {
                    await policy.validateStack(args, (message: string, urn?: string) => push(message, urn));
                } catch (e) {
                    if (!(e instanceof NotApplicable)) throw e;
                }
            }
        } catch (e) {
            throw new Error(`policy ${policy.name}: ${(e as Error).message}`);
        }
    }
    return findings;
}
