/**
 * Cost of the policy pack alone, through its in-process evaluation path: N synthetic resources built from
 * copies of a hardened stack (groups, rules, launch template, auto-scaling group, load balancer, listeners
 * and rules, WAF, buckets with their companions, key, secret, log group), every id unique per copy.
 * Prints milliseconds per resource at 500 and 5,000 resources and their ratio (1.0 = linear).
 *
 *   npx ts-node --transpile-only bench/policies.ts
 */
import { performance } from "perf_hooks";
import { evaluatePack, PlannedResource } from "../policies/pack";
import { secureStack } from "../test/policies/fixtures";

const ID = /(sg-edge|sg-nodes|sg-db|db-params-1a2b3c|lt-nodes|arn:lb\/edge|arn:listener\/https?|arn:tg\/9443|backup-bucket|logs-bucket|key\/k|subnet-[a-z]+)\b/g;

function copy(unit: number): PlannedResource[] {
    return secureStack().map((r) => {
        const suffix = `-u${unit}`;
        const rename = (v: unknown) => JSON.parse(JSON.stringify(v).replace(ID, `$1${suffix}`));
        const name = `${r.name}${suffix}`;
        return { ...r, name, urn: r.urn.replace(/::[^:]+$/, `::${name}`), id: rename(r.id), inputs: rename(r.inputs), outputs: rename(r.outputs) };
    });
}

function stack(size: number): PlannedResource[] {
    const out: PlannedResource[] = [];
    for (let unit = 0; out.length < size; unit++) out.push(...copy(unit));
    return out.slice(0, size);
}

async function msPerResource(size: number, runs: number): Promise<number> {
    const resources = stack(size);
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
        const start = performance.now();
        const findings = await evaluatePack(resources);
        const elapsed = performance.now() - start;
        // Truncating the last copy may drop a companion; the rest must stay clean.
        if (findings.length > 10) throw new Error(`synthetic stack is not clean: ${findings.length} findings, e.g. ${findings[0].policyName}: ${findings[0].message}`);
        best = Math.min(best, elapsed);
    }
    return best / size;
}

async function main(): Promise<void> {
    await msPerResource(500, 2); // warm-up: module loading and JIT
    const small = await msPerResource(500, 5);
    const large = await msPerResource(5000, 3);
    console.log(`policy pack, 500 resources:   ${small.toFixed(4)} ms/resource`);
    console.log(`policy pack, 5,000 resources: ${large.toFixed(4)} ms/resource`);
    console.log(`ratio 5,000/500 per resource: ${(large / small).toFixed(2)} (1.00 = linear; goal < 0.2 ms/resource)`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
