import * as path from "path";
import { drainArtifacts } from "../../components/artifacts";
import { evaluatePlan, PackModule, readPolicyConfig } from "./evaluate";
import { readProject, stackConfig, UsageError } from "./project";
import { removeStalePlan, writeReports } from "./reports";
import { ProgramError, runProgram, unloadProgramModules } from "./runner";

export interface PlanOptions {
    stack: string;
    /** Program directory (with Pulumi.yaml). */
    program: string;
    /** Output directory; default `out/<stack>`. */
    out?: string;
    config: string[];
    policyConfig?: string;
    /**
     * Plan as a first `pulumi preview` sees the program: outputs of resources not yet created are
     * unknown; findings that depend on them are advisory. Stacks named by StackReferences exist already
     * (a preview reads them), so they are planned as updates.
     */
    preview?: boolean;
}

export interface PlanSummary {
    exitCode: 0 | 1;
    outDir: string;
    resources: number;
    mandatory: number;
    advisory: number;
}

/** The repository's own pack; imported lazily so `guidelines` and `--help` do not load it. */
function loadPack(): PackModule {
    return require("../../policies/pack") as PackModule;
}

/**
 * Plans one stack of a program offline: runs it under mocks (planning the stacks its StackReferences
 * name first), evaluates the policy pack, writes plan, reports and artifacts. Throws `UsageError`
 * or `ProgramError` (exit 2) before writing anything.
 */
export async function plan(opts: PlanOptions): Promise<PlanSummary> {
    const programDir = path.resolve(opts.program);
    const project = readProject(programDir);
    const outDir = path.resolve(opts.out ?? path.join("out", opts.stack));
    const pack = loadPack();
    const policyConfig = opts.policyConfig ? readPolicyConfig(opts.policyConfig, pack) : {};

    const known = new Map<string, Record<string, unknown>>();
    const stackName = (ref: string) => {
        // `stack`, `project/stack` and `org/project/stack` name a stack of this program when the project matches.
        const parts = ref.split("/");
        if (parts.length === 1) return parts[0];
        return parts[parts.length - 2] === project.name ? parts[parts.length - 1] : undefined;
    };
    const lookup = (ref: string) => {
        const s = stackName(ref);
        return s === undefined ? undefined : known.get(s);
    };

    const runStack = async (stack: string, overrides: readonly string[], visiting: readonly string[], preview: boolean) => {
        const { config, secretKeys } = stackConfig(project, stack, overrides);
        for (let attempt = 0; ; attempt++) {
            unloadProgramModules();
            drainArtifacts();
            const run = await runProgram({ project: project.name, stack, programDir, main: project.main, config, secretKeys, stackOutputs: lookup, preview });
            const toPlan = run.missingStacks.map((ref) => ({ ref, stack: stackName(ref) }));
            const foreign = toPlan.find((m) => m.stack === undefined || m.stack === stack || visiting.includes(m.stack));
            if (foreign) {
                throw new UsageError(`stack ${stack}: StackReference '${foreign.ref}' is not a stack of ${project.name} that can be planned first`);
            }
            if (toPlan.length === 0 || attempt > 0) return { run, artifacts: drainArtifacts() };
            for (const m of toPlan) {
                // Referenced stacks get their own stack file only: --config overrides are for the stack asked for.
                const ref = await runStack(m.stack!, [], [...visiting, stack], false);
                known.set(m.stack!, ref.run.stackOutputs);
            }
        }
    };

    let result;
    try {
        result = await runStack(opts.stack, opts.config, [], !!opts.preview);
    } catch (e) {
        if (e instanceof UsageError || e instanceof ProgramError) removeStalePlan(outDir);
        throw e;
    }
    const { run, artifacts } = result;
    const { violations, suppressions } = await evaluatePlan(pack, run.resources, run.secretValues.plain, policyConfig);
    writeReports(outDir, {
        project: project.name,
        stack: opts.stack,
        programDir,
        mainFile: project.main,
        resources: run.resources,
        stackOutputs: run.stackOutputs,
        violations,
        suppressions,
        artifacts,
        masked: run.secretValues.masked,
        pack,
    });
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    return {
        exitCode: mandatory > 0 ? 1 : 0,
        outDir,
        resources: run.resources.length,
        mandatory,
        advisory: violations.length - mandatory,
    };
}
