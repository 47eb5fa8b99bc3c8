import * as fs from "fs";
import type {
    EnforcementLevel,
    Policies,
    PolicyResource,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { PlannedResource } from "./runner";
import { UsageError } from "./project";

/** What the plan needs from a policy pack (`policies/pack.ts` provides it). */
export interface PackModule {
    packName: string;
    packVersion: string;
    packArgs: { policies: Policies; enforcementLevel?: EnforcementLevel };
    policyMeta: { name: string; guidelines: string[]; severity?: string; remediation?: string; checkov?: string[]; trivy?: string[] }[];
    takeSuppressions?: () => { policyName: string; urn: string; reason: string }[];
}

export interface Violation {
    policyName: string;
    enforcementLevel: EnforcementLevel;
    severity: string;
    urn: string;
    message: string;
    guidelines: string[];
}

export interface Suppression {
    policyName: string;
    urn: string;
    reason: string;
}

export type PolicyConfigFile = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** The resource options a policy sees; the plan knows only protect and parent. */
function optionsOf(r: PlannedResource) {
    return {
        protect: r.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.parent ?? undefined,
    };
}

/** Thrown by `args.notApplicable()`: the policy does not apply to this resource. */
class NotApplicable extends Error {}

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Reads a `--policy-pack-config` file; a bad file is a usage error naming the policy and key. */
export function readPolicyConfig(file: string, pack: PackModule): PolicyConfigFile {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`--policy-config ${file}: ${(e as Error).message}`);
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new UsageError(`--policy-config ${file}: expected a JSON object`);
    const names = new Set(pack.packArgs.policies.map((p) => p.name));
    for (const [name, v] of Object.entries(doc as Record<string, unknown>)) {
        if (name !== "all" && !names.has(name)) throw new UsageError(`--policy-config ${file}: '${name}' is not a policy of ${pack.packName}`);
        const level = typeof v === "string" ? v : (v as { enforcementLevel?: unknown } | null)?.enforcementLevel;
        if (level !== undefined && !LEVELS.includes(level as EnforcementLevel)) {
            throw new UsageError(`--policy-config ${file}: '${name}.enforcementLevel' is ${JSON.stringify(level)}; allowed: ${LEVELS.join(", ")}`);
        }
    }
    return doc as PolicyConfigFile;
}

/**
 * Runs every policy of the pack over the planned resources with the semantics the Pulumi analyzer
 * host applies (`@pulumi/policy/server`): resource policies see each resource's inputs, stack
 * policies see all resources' outputs; enforcement from config, then the policy, then the pack.
 */
export async function evaluatePack(
    pack: PackModule,
    resources: readonly PlannedResource[],
    plain: (v: unknown) => unknown,
    policyConfig: PolicyConfigFile = {},
): Promise<{ violations: Violation[]; suppressions: Suppression[] }> {
    const meta = new Map(pack.packArgs.policies.map((p) => [p.name, pack.policyMeta.find((m) => m.name === p.name)]));
    const all = policyConfig.all;
    const levelOf = (p: { name: string; enforcementLevel?: EnforcementLevel }): EnforcementLevel => {
        const c = policyConfig[p.name];
        const fromConfig = typeof c === "string" ? c : c?.enforcementLevel;
        const fromAll = typeof all === "string" ? all : all?.enforcementLevel;
        const level = fromConfig ?? fromAll ?? p.enforcementLevel ?? pack.packArgs.enforcementLevel ?? "advisory";
        return level === "remediate" ? "mandatory" : level;
    };
    const configOf = (p: ResourceValidationPolicy | StackValidationPolicy) => {
        const defaults: Record<string, unknown> = {};
        for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
            if ((s as { default?: unknown }).default !== undefined) defaults[k] = (s as { default?: unknown }).default;
        }
        const c = policyConfig[p.name];
        const { enforcementLevel: _level, ...props } = typeof c === "object" && c !== null ? c : ({} as Record<string, unknown>);
        return { ...defaults, ...props };
    };

    const violations: Violation[] = [];
    const reporter = (p: { name: string; description: string; severity?: string }, level: EnforcementLevel, fallbackUrn: string): ReportViolation =>
        ((message: unknown, urn?: string) => {
            const m = meta.get(p.name);
            const text = typeof message === "string" && message ? message : p.description;
            violations.push({
                policyName: p.name,
                enforcementLevel: level,
                severity: p.severity ?? m?.severity ?? "medium",
                urn: urn ?? fallbackUrn,
                message: text,
                guidelines: m?.guidelines ?? [],
            });
        }) as ReportViolation;
    const failure = (p: { name: string; severity?: string }, urn: string, e: unknown) =>
        violations.push({
            policyName: p.name,
            enforcementLevel: "mandatory",
            severity: p.severity ?? "high",
            urn,
            message: `policy failed to run: ${(e as Error)?.message ?? String(e)}`,
            guidelines: meta.get(p.name)?.guidelines ?? [],
        });

    const inputsOf = resources.map((r) => plain(r.inputs) as Record<string, unknown>);
    const typeMatcher = (type: string) => ({
        isType: (cls: { __pulumiType?: string; isInstance?: (o: unknown) => boolean }) =>
            cls.__pulumiType ? cls.__pulumiType === type : !!cls.isInstance?.({ __pulumiType: type }),
    });
    const notApplicable = (reason?: string): never => {
        throw new NotApplicable(reason);
    };

    for (const p of pack.packArgs.policies) {
        const level = levelOf(p);
        if (level === "disabled") continue;
        if ("validateResource" in p && p.validateResource) {
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            const getConfig = () => configOf(p);
            for (let i = 0; i < resources.length; i++) {
                const r = resources[i];
                const props = inputsOf[i];
                const { isType } = typeMatcher(r.type);
                const args = {
                    type: r.type,
                    props,
                    urn: r.urn,
                    name: r.name,
                    opts: optionsOf(r),
                    stackTags: new Map<string, string>(),
                    isType,
                    asType: (cls: any) => (isType(cls) ? props : undefined),
                    getConfig,
                    notApplicable,
                };
                const report = reporter(p, level, r.urn);
                for (const v of validations) {
                    try {
                        await v(args as any, report);
                    } catch (e) {
                        if (!(e instanceof NotApplicable)) failure(p, r.urn, e);
                    }
                }
            }
        }
        if ("validateStack" in p && p.validateStack) {
            const byUrn = new Map<string, PolicyResource>();
            const stackResources: PolicyResource[] = resources.map((r) => {
                const props = plain(r.outputs) as Record<string, unknown>;
                const { isType } = typeMatcher(r.type);
                const pr = {
                    type: r.type,
                    props,
                    urn: r.urn,
                    name: r.name,
                    opts: optionsOf(r),
                    dependencies: [] as PolicyResource[],
                    propertyDependencies: {},
                    isType,
                    asType: (cls: any) => (isType(cls) ? props : undefined),
                } as unknown as PolicyResource;
                byUrn.set(r.urn, pr);
                return pr;
            });
            resources.forEach((r, i) => {
                const pr = stackResources[i] as PolicyResource & { parent?: PolicyResource };
                if (r.parent && byUrn.has(r.parent)) pr.parent = byUrn.get(r.parent);
                pr.dependencies = r.dependencies.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => !!d);
            });
            const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
            try {
                await p.validateStack(
                    { resources: stackResources, getConfig: () => configOf(p), stackTags: new Map(), notApplicable } as any,
                    reporter(p, level, stackUrn),
                );
            } catch (e) {
                if (!(e instanceof NotApplicable)) failure(p, stackUrn, e);
            }
        }
    }
    const suppressions = pack.takeSuppressions ? pack.takeSuppressions() : [];
    return { violations, suppressions };
}
