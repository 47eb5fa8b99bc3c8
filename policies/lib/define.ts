/**
 * How a rule file declares its policy: metadata (guidelines, severity, remediation, Checkov/Trivy
 * equivalents), config with strict defaults, and a check that reports through a `Reporter` which
 * applies suppressions and words findings that depend on values unknown at preview.
 */
import type {
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { canonicalType } from "./types";
import { Props, isUnknown, unwrap } from "./values";
import { StackIndex, stackIndexOf, type Subject } from "./graph";
import { wso2Scope } from "./scope";

export type { Subject };

/** What the offline plan and the reports need to know about a policy. */
export interface PolicyMeta {
    name: string;
    /** Ids from the WSO2 guideline catalog this policy enforces. */
    guidelines: string[];
    severity: Severity;
    remediation: string;
    /** Equivalent Checkov check ids, where one exists. */
    checkov?: string[];
    /** Equivalent Trivy (AVD) ids, where one exists. */
    trivy?: string[];
}

/** A policy of the pack with its metadata. */
export interface Wso2Rule {
    policy: ResourceValidationPolicy | StackValidationPolicy;
    meta: PolicyMeta;
    /** What is wrong with the given settings of this policy (see `settingsProblems`). */
    configProblems(settings: Record<string, unknown>): string[];
}

/** One suppression: the resource (name or URN) and why the finding is accepted. */
export interface Suppression {
    resource: string;
    reason: string;
}

/** A suppressed finding, kept so reports still show it. */
export interface SuppressedFinding {
    policyName: string;
    urn: string;
    reason: string;
}

/** Reasons shorter than this are refused and the finding is reported as if unsuppressed. */
export const MIN_SUPPRESSION_REASON = 10;

/** Tag that suppresses `<policy-name>` on a taggable resource; its value is the reason. */
export const SUPPRESS_TAG_PREFIX = "wso2-hardening:suppress:";

const REGISTRY_KEY = Symbol.for("wso2-hardening.suppressions");

function registry(): Map<string, SuppressedFinding> {
    const g = globalThis as unknown as Record<symbol, Map<string, SuppressedFinding> | undefined>;
    let r = g[REGISTRY_KEY];
    if (!r) {
        r = new Map();
        g[REGISTRY_KEY] = r;
    }
    return r;
}

/** Returns the findings suppressed since the last call (one per policy and resource) and clears them. */
export function takeSuppressions(): SuppressedFinding[] {
    const r = registry();
    const all = [...r.values()];
    r.clear();
    return all;
}


export interface Reporter {
    /** A definite violation, at the policy's enforcement level. */
    violation(subject: Subject, message: string): void;
    /**
     * A check that depends on a value unknown at preview: reported as advisory, never passed silently
     * and never blocking. The engine analyzes the resource again with known values before creating it.
     */
    unproven(subject: Subject, detail: string): void;
}

/**
 * The enforcement level of unproven findings. `@pulumi/policy`'s server takes a violation as an object
 * with its own `enforcementLevel` (as it reports the values its proxy finds unknown: advisory).
 */
export const UNPROVEN_LEVEL = "advisory";

/** A violation reported with its own enforcement level (the object form `reportViolation` accepts). */
export interface LeveledViolation {
    message: string;
    urn?: string;
    enforcementLevel: EnforcementLevel;
}

/** Config every policy accepts besides `enforcementLevel`. */
export interface CommonConfig {
    suppressions?: Suppression[];
}

type JsonSchemaProps = PolicyConfigSchema["properties"];

interface RuleDefinition {
    name: string;
    description: string;
    severity: Severity;
    guidelines: string[];
    remediation: string;
    checkov?: string[];
    trivy?: string[];
    /** Default enforcement in code; the pack default (mandatory) when absent. */
    enforcementLevel?: EnforcementLevel;
    /** Config properties with their strict defaults (`default` in each schema). */
    config?: JsonSchemaProps;
    /**
     * Checks across settings that JSON schema cannot say (e.g. a minimum above a maximum), on the
     * settings merged with their defaults: the problems, each naming its key.
     */
    configProblems?(config: Record<string, unknown>): string[];
}

const SUPPRESSIONS_SCHEMA: JsonSchemaProps = {
    suppressions: {
        type: "array",
        description: "Accepted findings: the resource (name or URN) and a reason of at least 10 characters.",
        items: {
            type: "object",
            properties: { resource: { type: "string" }, reason: { type: "string" } },
            required: ["resource", "reason"],
        },
        default: [],
    },
};

function defaultsOf(props: JsonSchemaProps | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props ?? {})) out[k] = (v as { default?: unknown }).default;
    return out;
}

function readSuppressions(policyName: string, value: unknown): Suppression[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new Error(`policy config "${policyName}.suppressions" must be an array of { resource, reason }`);
    return value.map((s, i) => {
        if (!s || typeof s.resource !== "string" || s.resource === "") {
            throw new Error(`policy config "${policyName}.suppressions[${i}].resource" must be a resource name or URN`);
        }
        if (typeof s.reason !== "string") {
            throw new Error(`policy config "${policyName}.suppressions[${i}].reason" must be a string`);
        }
        return { resource: s.resource, reason: s.reason };
    });
}

function makeReporter(def: RuleDefinition, suppressions: Suppression[], report: ReportViolation, withUrn: boolean): Reporter {
    const policyName = def.name;
    const emit = (subject: Subject, message: string, advisory: boolean) => {
        const fromConfig = suppressions.find((s) => s.resource === subject.urn || s.resource === subject.name);
        const tags = subject.props?.tags;
        const tagReason = tags && typeof tags === "object" ? tags[SUPPRESS_TAG_PREFIX + policyName] : undefined;
        const reason = fromConfig?.reason ?? (typeof tagReason === "string" && !isUnknown(tagReason) ? tagReason : undefined);
        if (reason !== undefined) {
            if (reason.trim().length >= MIN_SUPPRESSION_REASON) {
                registry().set(`${policyName}\u0000${subject.urn}`, { policyName, urn: subject.urn, reason: reason.trim() });
                return;
            }
            message += ` (suppression refused: its reason "${reason}" is shorter than ${MIN_SUPPRESSION_REASON} characters)`;
        }
        const text = withUrn ? `${subject.name}: ${message}` : message;
        const urn = withUrn ? subject.urn : undefined;
        if (!advisory) return report(text, urn);
        // The server words a string message as "<description>\n<message>"; the object form is taken as written.
        const leveled: LeveledViolation = { message: `${def.description}\n${text}`, urn, enforcementLevel: UNPROVEN_LEVEL };
        (report as unknown as (v: LeveledViolation) => void)(leveled);
    };
    return {
        violation: (subject, message) => emit(subject, message, false),
        unproven: (subject, detail) =>
            emit(subject, `could not be proven at preview: ${detail} is unknown until it is created; reported as advisory, and checked again with the real value when the resource is created`, true),
    };
}

function basePolicy(def: RuleDefinition): Policy & { configSchema: PolicyConfigSchema } {
    const tags = [
        ...def.guidelines.map((g) => `guideline:${g}`),
        ...(def.checkov ?? []).map((c) => `checkov:${c}`),
        ...(def.trivy ?? []).map((t) => `trivy:${t}`),
    ];
    return {
        name: def.name,
        description: def.description,
        severity: def.severity,
        enforcementLevel: def.enforcementLevel,
        remediationSteps: def.remediation,
        tags,
        configSchema: { properties: { ...SUPPRESSIONS_SCHEMA, ...(def.config ?? {}) } },
    };
}

function metaOf(def: RuleDefinition): PolicyMeta {
    const meta: PolicyMeta = { name: def.name, guidelines: def.guidelines, severity: def.severity, remediation: def.remediation };
    if (def.checkov) meta.checkov = def.checkov;
    if (def.trivy) meta.trivy = def.trivy;
    return meta;
}

/**
 * What is wrong with one policy's settings (without `enforcementLevel`), each problem naming the key:
 * settings the policy does not have, suppressions that are not `{ resource, reason }`, and the rule's
 * own checks across settings. The JSON-schema checks (types, bounds) are the CLI's, from `configSchema`.
 */
export function settingsProblems(def: RuleDefinition, given: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const key of Object.keys(given)) {
        if (key !== "suppressions" && !(def.config && key in def.config)) {
            const known = ["suppressions", ...Object.keys(def.config ?? {})];
            problems.push(`policy config "${def.name}.${key}" is not a setting of this policy (its settings: ${known.join(", ")})`);
        }
    }
    try {
        readSuppressions(def.name, given.suppressions);
    } catch (e) {
        problems.push((e as Error).message);
    }
    if (problems.length === 0 && def.configProblems) problems.push(...def.configProblems({ ...defaultsOf(def.config), ...given }));
    return problems;
}

function configOf<C>(def: RuleDefinition, getConfig: () => object): C & CommonConfig {
    const given = { ...(getConfig() as Record<string, unknown>) };
    delete given.enforcementLevel;
    const problems = settingsProblems(def, given);
    if (problems.length) throw new Error(problems.join("; "));
    const cfg = { ...defaultsOf(def.config), ...given } as C & CommonConfig;
    cfg.suppressions = readSuppressions(def.name, given.suppressions);
    return cfg;
}

export interface ResourceRuleDefinition<C> extends RuleDefinition {
    /** Canonical type tokens this rule judges (aliases are mapped first). */
    types: string[];
    validate(subject: Subject, config: C & CommonConfig, report: Reporter): void;
    /** Safe mechanical fix: the new properties, or undefined when nothing needs to change. */
    remediate?(subject: Subject, config: C & CommonConfig): Props | undefined;
}

/**
 * A WSO2-specific check of single resources: which resources are WSO2's is known only from the whole
 * stack (their groups, target groups, load balancers; see `lib/scope.ts`), so it runs as a stack policy
 * over the resources of `types` in scope.
 */
export interface ScopedRuleDefinition<C> extends RuleDefinition {
    types: string[];
    validate(subject: Subject, config: C & CommonConfig, report: Reporter): void;
}

export function wso2ResourceRule<C>(def: ScopedRuleDefinition<C>): Wso2Rule {
    return stackRule<C>({
        ...def,
        validate(stack, config, report) {
            const scope = wso2Scope(stack);
            for (const node of stack.ofType(...def.types)) if (scope.has(node)) def.validate(node, config, report);
        },
    });
}

export function resourceRule<C>(def: ResourceRuleDefinition<C>): Wso2Rule {
    const types = new Set(def.types);
    const subjectOf = (args: ResourceValidationArgs): Subject | undefined => {
        const type = canonicalType(args.type);
        if (!types.has(type)) return undefined;
        return { urn: args.urn, name: args.name, type, props: unwrap(args.props) ?? {} };
    };
    const policy: ResourceValidationPolicy = {
        ...basePolicy(def as RuleDefinition),
        validateResource: (args, reportViolation) => {
            const subject = subjectOf(args);
            if (!subject) return;
            const config = configOf<C>(def, () => args.getConfig());
            def.validate(subject, config, makeReporter(def as RuleDefinition, config.suppressions ?? [], reportViolation, false));
        },
    };
    const remediate = def.remediate;
    if (remediate) {
        policy.remediateResource = (args) => {
            const subject = subjectOf(args);
            if (!subject) return undefined;
            return remediate(subject, configOf<C>(def, () => args.getConfig()));
        };
    }
    return { policy, meta: metaOf(def as RuleDefinition), configProblems: (given) => settingsProblems(def as RuleDefinition, given) };
}

export interface StackRuleDefinition<C> extends RuleDefinition {
    validate(stack: StackIndex, config: C & CommonConfig, report: Reporter): void;
}

export function stackRule<C>(def: StackRuleDefinition<C>): Wso2Rule {
    const policy: StackValidationPolicy = {
        ...basePolicy(def as RuleDefinition),
        validateStack: (args: StackValidationArgs, reportViolation) => {
            const config = configOf<C>(def, () => args.getConfig());
            def.validate(stackIndexOf(args.resources), config, makeReporter(def as RuleDefinition, config.suppressions ?? [], reportViolation, true));
        },
    };
    return { policy, meta: metaOf(def as RuleDefinition), configProblems: (given) => settingsProblems(def as RuleDefinition, given) };
}
