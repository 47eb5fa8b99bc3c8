import * as fs from "fs";
import Ajv from "ajv";
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";
import type * as Pack from "../../policies/pack";
import type { PlannedResource } from "./runner";
import { UsageError } from "./project";

/** The pack module the plan evaluates (`policies/pack.ts`). */
export type PackModule = typeof Pack;

export interface Violation {
    policyName: string;
    enforcementLevel: EnforcementLevel;
    severity: string;
    urn: string;
    message: string;
    guidelines: string[];
}

export type Suppression = Pack.SuppressedFinding;

/**
 * Each policy's settings checked against its `configSchema` the way the Pulumi CLI checks them before a
 * preview: a JSON schema `{ type: "object", properties, required }` per policy, for every policy of the
 * pack (absent: no settings), validated with a JSON-schema validator (draft 7, as the CLI's).
 */
function schemaProblems(pack: PackModule, doc: Record<string, unknown>): string[] {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const problems: string[] = [];
    for (const { policy } of pack.rules) {
        const schema = policy.configSchema;
        if (!schema) continue;
        const entry = doc[policy.name];
        const settings: Record<string, unknown> = entry && typeof entry === "object" && !Array.isArray(entry) ? { ...(entry as Record<string, unknown>) } : {};
        delete settings.enforcementLevel;
        const validate = ajv.compile({ type: "object", properties: schema.properties ?? {}, ...(schema.required ? { required: schema.required } : {}) });
        if (validate(settings)) continue;
        for (const err of validate.errors ?? []) {
            const key = err.instancePath.replace(/^\//, "").replace(/\//g, ".") || (err.params as { missingProperty?: string }).missingProperty || "";
            const got = err.instancePath ? ` (got ${JSON.stringify(err.instancePath.split("/").slice(1).reduce<any>((v, k) => v?.[k], settings))})` : "";
            problems.push(`policy config "${policy.name}${key ? `.${key}` : ""}" ${err.message}${got}`);
        }
    }
    return problems;
}

/**
 * Reads a `--policy-pack-config` file and refuses it, before anything is planned, when the Pulumi CLI
 * would (each policy's JSON schema: types, bounds) or the pack would at its first evaluation (a policy
 * name or setting it does not have, an unknown enforcement level, settings that contradict each other).
 * Every problem is listed, naming the policy and key.
 */
export function readPolicyConfig(file: string, pack: PackModule): PolicyPackConfig {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`--policy-config ${file}: ${(e as Error).message}`);
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new UsageError(`--policy-config ${file}: expected a JSON object`);
    const problems = pack.configProblems(pack.rules, doc);
    for (const p of schemaProblems(pack, doc as Record<string, unknown>)) if (!problems.some((q) => q.startsWith(p.split(" ", 3).join(" ")))) problems.push(p);
    if (problems.length) throw new UsageError(`--policy-config ${file}:\n  ${problems.join("\n  ")}`);
    return doc as PolicyPackConfig;
}

/**
 * Runs the pack over the planned resources with the analyzer's semantics (the pack's own in-process
 * evaluator: inputs for resource policies, outputs for stack policies, enforcement from config, then
 * the policy, then the pack) and collects the findings it suppressed.
 */
export async function evaluatePlan(
    pack: PackModule,
    resources: readonly PlannedResource[],
    plain: (v: unknown) => unknown,
    config: PolicyPackConfig = {},
): Promise<{ violations: Violation[]; suppressions: Suppression[] }> {
    pack.takeSuppressions(); // start clean: nothing from an earlier evaluation in this process
    const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    let findings: Pack.Finding[];
    try {
        findings = await pack.evaluatePack(
            resources.map((r) => ({
                urn: r.urn,
                type: r.type,
                name: r.name,
                id: r.id ?? undefined,
                inputs: plain(r.inputs) as Record<string, unknown>,
                outputs: plain(r.outputs) as Record<string, unknown>,
                parent: r.parent ?? undefined,
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
                protect: r.protect,
            })),
            { config },
        );
    } catch (e) {
        // The pack refuses bad config (a level it does not know) before evaluating anything.
        if (/^policy config /.test((e as Error).message)) throw new UsageError(`--policy-config: ${(e as Error).message}`);
        throw e;
    }
    const severityOf = new Map(pack.policyMeta.map((m) => [m.name, m.severity]));
    const violations = findings.map((f) => ({
        policyName: f.policyName,
        enforcementLevel: f.enforcementLevel,
        severity: f.severity ?? severityOf.get(f.policyName) ?? "medium",
        urn: f.urn ?? stackUrn,
        message: f.message,
        guidelines: f.guidelines,
    }));
    return { violations, suppressions: pack.takeSuppressions() };
}
