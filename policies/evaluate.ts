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
import type { LeveledViolation, Wso2Rule } from "./lib/define";
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

/**
 * What is wrong with a `--policy-pack-config` document, each problem naming the policy and key: a name
 * that is no policy of the pack, an entry that is neither a level nor an object, an unknown enforcement
 * level, a setting the policy does not have, and the policies' own checks across settings. The type and
 * bound checks of each policy's `configSchema` are JSON schema's (the Pulumi CLI applies them).
 */
export function configProblems(rules: readonly Wso2Rule[], config: unknown): string[] {
    if (config === null || typeof config !== "object" || Array.isArray(config)) return ["policy config must be a JSON object of policy names"];
    const byName = new Map(rules.map((r) => [r.policy.name, r]));
    const problems: string[] = [];
    for (const [name, entry] of Object.entries(config as Record<string, unknown>)) {
        if (name === "all") {
            if (typeof entry !== "string" || !LEVELS.includes(entry as EnforcementLevel)) problems.push(`policy config "all" must be one of ${LEVELS.join(", ")}`);
            continue;
        }
        const rule = byName.get(name);
        if (!rule) {
            problems.push(`policy config "${name}" names no policy of the pack`);
            continue;
        }
        if (typeof entry === "string") {
            if (!LEVELS.includes(entry as EnforcementLevel)) problems.push(`policy config "${name}" is "${entry}"; expected one of ${LEVELS.join(", ")}`);
            continue;
        }
        if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
            problems.push(`policy config "${name}" must be an enforcement level or an object of settings`);
            continue;
        }
        const { enforcementLevel, ...settings } = entry as Record<string, unknown>;
        if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel as EnforcementLevel)) {
            problems.push(`policy config "${name}.enforcementLevel" is ${JSON.stringify(enforcementLevel)}; expected one of ${LEVELS.join(", ")}`);
        }
        problems.push(...rule.configProblems(settings));
    }
    return problems;
}

/** Refuses bad config before anything is evaluated. */
function checkConfig(rules: readonly Wso2Rule[], config: PolicyPackConfig): void {
    const problems = configProblems(rules, config);
    if (problems.length) throw new Error(problems.join("; "));
}

/** The object form of a violation that carries its own enforcement level (unproven findings). */
function isLeveled(v: unknown): v is LeveledViolation {
    return v !== null && typeof v === "object" && typeof (v as LeveledViolation).message === "string";
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
        const push = (message: string, urn?: string, as: Finding["enforcementLevel"] = reportAs): void => {
            findings.push({ policyName: policy.name, enforcementLevel: as, severity: policy.severity, urn, message, guidelines: meta.guidelines });
        };
        // As the engine's server does: a string is a violation at the policy's level; an object carries its own.
        const prefix = `${policy.description}\n`;
        const report = (v: string | LeveledViolation, urn?: string, resourceUrn?: string): void => {
            if (!isLeveled(v)) push(v, urn ?? resourceUrn);
            else {
                const level = reportAs === "advisory" ? "advisory" : (v.enforcementLevel as Finding["enforcementLevel"]);
                push(v.message.startsWith(prefix) ? v.message.slice(prefix.length) : v.message, v.urn ?? resourceUrn, level);
            }
        };
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
                        for (const v of validations) v(args, ((message: string | LeveledViolation) => report(message, undefined, r.urn)) as any);
                    } catch (e) {
                        if (!(e instanceof NotApplicable)) throw e;
                    }
                });
            } else {
                const args: StackValidationArgs = { resources: stackView(), getConfig, stackTags, notApplicable };
                try {
                    await policy.validateStack(args, ((message: string | LeveledViolation, urn?: string) => report(message, urn)) as any);
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
