#!/usr/bin/env node
"use strict";
// `npm run bench`: how fast the offline plan is, against what it cannot avoid.
//  1. prod plan vs a one-resource program's plan, through the same command (fixed cost dominates?).
//  2. a generated 2,000-resource program through `plan` vs a bare run of it under the SDK's mocks.
//  3. the policy pack alone over 500 and 5,000 resources (bench/policies.ts).
//  4. the standalone pack started as the Pulumi CLI starts it, and Analyze per resource over gRPC, each
//     beside an empty pack (bench/pack.ts).
//  5. `tsc --noEmit`.
// Each timing is the median of RUNS wall-clock runs of a fresh process.
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const REPO = path.resolve(__dirname, "..");
const BIN = path.join(REPO, "cli", "bin", "wso2-harden.js");
const RUNS = Number(process.env.BENCH_RUNS || 3);
const WORK = path.join(REPO, ".bench");

function time(cmd, args, opts = {}) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: REPO, encoding: "utf8", timeout: 600_000, ...opts });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0 && !(opts.okCodes || []).includes(r.status)) {
        throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    }
    return { ms, stdout: r.stdout };
}

function median(cmd, args, opts) {
    const xs = [];
    let last;
    for (let i = 0; i < RUNS; i++) {
        last = time(cmd, args, opts);
        xs.push(last.ms);
    }
    xs.sort((a, b) => a - b);
    return { ms: xs[Math.floor(xs.length / 2)], stdout: last.stdout };
}

function generateProgram(dir, n) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: generated\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), "config:\n  aws:region: eu-west-1\n");
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        `import * as ssm from "@pulumi/aws/ssm";
for (let i = 0; i < ${n}; i++) {
    new ssm.Parameter(\`p\${i}\`, { type: "String", value: \`value-\${i}\`, tier: "Standard", description: "generated" });
}
`,
    );
    // The bare run: the same program under the SDK's mocks with nothing else, loaded the way the CLI
    // loads programs (cached transpile, stack traces off), so the ratio is the plan's own work.
    fs.writeFileSync(
        path.join(dir, "bare.js"),
        `Error.stackTraceLimit = 0;
require(${JSON.stringify(path.join(REPO, "cli", "bin", "register.js"))});
const pulumi = require("@pulumi/pulumi");
(async () => {
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs }, "generated", "bench", false);
    await pulumi.runtime.runInPulumiStack(async () => require("./index.ts"));
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
})().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
`,
    );
}

function fmt(ms) {
    return `${(ms / 1000).toFixed(2)} s`;
}

function main() {
    fs.mkdirSync(WORK, { recursive: true });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "wso2-bench-"));
    const results = [];
    try {
        const prod = median("node", [BIN, "plan", "--stack", "prod", "--out", path.join(out, "prod")], { okCodes: [1] });
        const one = median("node", [BIN, "plan", "--stack", "dev", "--program", path.join(REPO, "test", "fixtures", "one-resource"), "--out", path.join(out, "one")], { okCodes: [1] });
        results.push(["prod plan", fmt(prod.ms)]);
        results.push(["one-resource plan", fmt(one.ms)]);
        results.push(["ratio prod / one-resource (goal <= 1.5)", (prod.ms / one.ms).toFixed(2)]);

        const gen = path.join(WORK, "gen-2000");
        generateProgram(gen, 2000);
        const planned = median("node", [BIN, "plan", "--stack", "bench", "--program", gen, "--out", path.join(out, "gen")], { okCodes: [1] });
        const bare = median("node", [path.join(gen, "bare.js")], { cwd: gen });
        results.push(["2,000-resource program through plan", fmt(planned.ms)]);
        results.push(["2,000-resource program bare under mocks", fmt(bare.ms)]);
        results.push(["ratio plan / bare (goal <= 1.5)", (planned.ms / bare.ms).toFixed(2)]);

        const packBench = path.join(REPO, "bench", "policies.ts");
        if (fs.existsSync(packBench)) {
            const r = time("node", ["-r", "ts-node/register/transpile-only", packBench]);
            for (const line of r.stdout.trim().split("\n")) results.push(["policy pack: " + line.split(":")[0], line.split(":").slice(1).join(":").trim()]);
        }

        // 4. the pack alone, as the CLI starts it, beside an empty pack (bench/pack.ts).
        const packStart = time("node", ["-r", "ts-node/register/transpile-only", path.join(REPO, "bench", "pack.ts"), String(Math.max(RUNS, 3)), "500"]);
        for (const line of packStart.stdout.trim().split("\n")) results.push([line.split(":")[0], line.split(":").slice(1).join(":").trim()]);

        const tsc = time("npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]);
        results.push(["tsc --noEmit", fmt(tsc.ms)]);
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
    const width = Math.max(...results.map(([k]) => k.length));
    for (const [k, v] of results) console.log(`${k.padEnd(width)}  ${v}`);
}

main();
