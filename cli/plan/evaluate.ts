import * as fs from "fs";
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

/** Reads a `--policy-pack-config` file; a bad file is a usage error naming the policy and key. */
export function readPolicyConfig(file: string, pack: PackModule): PolicyPackConfig {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`--policy-config ${file}: ${(e as Error).message}`);
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new UsageError(`--policy-config ${file}: expected a JSON object`);
    const names = new Set(pack.policyMeta.map((m) => m.name));
    for (const name of Object.keys(doc)) {
        if (name !== "all" && !names.has(name)) throw new UsageError(`--policy-config ${file}: '${name}' is not a policy of ${pack.packName}`);
    }
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
