/**
 * Runs one stack of a Pulumi program under the plan's mocks in a process of its own (so the SDK's global
 * state and the program's modules never mix with other test files) and writes what it registered.
 * Usage: node -r ts-node/register test/edge/plan-child.ts <programDir> <stack> <outFile>
 */
import * as fs from "fs";
import { readProject, stackConfig } from "../../cli/plan/project";
import { runProgram } from "../../cli/plan/runner";
import { drainArtifacts } from "../../components/artifacts";

Error.stackTraceLimit = 0;

async function main(): Promise<void> {
    const [programDir, stack, outFile] = process.argv.slice(2);
    const project = readProject(programDir);
    const { config, secretKeys } = stackConfig(project, stack, []);
    const run = await runProgram({
        project: project.name,
        stack,
        programDir,
        main: project.main,
        config,
        secretKeys,
        stackOutputs: () => undefined,
    });
    const resources = run.resources.map((r) => ({ ...r, inputs: run.secretValues.plain(r.inputs), outputs: run.secretValues.plain(r.outputs) }));
    fs.writeFileSync(outFile, JSON.stringify({ config, resources, artifacts: drainArtifacts() }));
}

main().then(
    () => process.exit(0),
    (e) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exit(1);
    },
);
