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
    /** A definite violation. */
    violation(subject: Subject, message: string): void;
    /** A check that depends on a value unknown at preview: reported, never passed silently. */
    unproven(subject: Subject, detail: string): void;
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

function makeReporter(policyName: string, suppressions: Suppression[], report: ReportViolation, withUrn: boolean): Reporter {
    const emit = (subject: Subject, message: string) => {
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
        if (withUrn) report(`${subject.name}: ${message}`, subject.urn);
        else report(message);
    };
    return {
        violation: emit,
        unproven: (subject, detail) =>
            emit(subject, `could not be proven at preview: ${detail} is unknown until it is created; treated as a violation until it can be checked`),
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

function configOf<C>(def: RuleDefinition, getConfig: () => object): C & CommonConfig {
    const given = { ...(getConfig() as Record<string, unknown>) };
    delete given.enforcementLevel;
    for (const key of Object.keys(given)) {
        if (key !== "suppressions" && !(def.config && key in def.config)) {
            throw new Error(`policy config "${def.name}.${key}" is not a setting of this policy`);
        }
    }
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
            def.validate(subject, config, makeReporter(def.name, config.suppressions ?? [], reportViolation, false));
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
    return { policy, meta: metaOf(def as RuleDefinition) };
}

export interface StackRuleDefinition<C> extends RuleDefinition {
    validate(stack: StackIndex, config: C & CommonConfig, report: Reporter): void;
}

export function stackRule<C>(def: StackRuleDefinition<C>): Wso2Rule {
    const policy: StackValidationPolicy = {
        ...basePolicy(def as RuleDefinition),
        validateStack: (args: StackValidationArgs, reportViolation) => {
            const config = configOf<C>(def, () => args.getConfig());
            def.validate(stackIndexOf(args.resources), config, makeReporter(def.name, config.suppressions ?? [], reportViolation, true));
        },
    };
    return { policy, meta: metaOf(def as RuleDefinition) };
}
