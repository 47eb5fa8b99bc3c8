#!/usr/bin/env node
"use strict";
// The package build: compiles what ships (tsconfig.build.json) into dist/, then copies beside the compiled
// code the files it reads at run time (shell scripts the host renderers embed, the pack's PulumiPolicy.yaml
// and config files), so every path the code resolves from its own directory works from dist/ as from the sources.
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");
/** Source directories whose non-TypeScript files are run-time assets. */
const ASSET_DIRS = ["config", "products", "components", "policies"];
/** Build inputs and outputs, not run-time assets: configs, and the pack's own build (policies/bin, compiled here too). */
const NOT_ASSETS = new Set(["tsconfig.json", path.join("policies", "bin"), path.join("policies", "node_modules")]);

function assets(dir) {
    const found = [];
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            if (entry.name !== "node_modules" && !NOT_ASSETS.has(rel)) found.push(...assets(rel));
        } else if (!entry.name.endsWith(".ts") && !NOT_ASSETS.has(entry.name)) {
            found.push(rel);
        }
    }
    return found;
}

fs.rmSync(DIST, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

let copied = 0;
for (const rel of ASSET_DIRS.flatMap(assets)) {
    const to = path.join(DIST, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(ROOT, rel), to);
    if (fs.statSync(path.join(ROOT, rel)).mode & 0o111) fs.chmodSync(to, 0o755);
    copied++;
}

// The compiled pack is a pack directory of its own (`pulumi preview --policy-pack <it>`): its entry point is
// the index.js compiled beside it, and it needs no build of its own.
const packJson = path.join(DIST, "policies", "package.json");
const pack = JSON.parse(fs.readFileSync(packJson, "utf8"));
pack.main = "index.js";
delete pack.scripts;
delete pack.devDependencies;
fs.writeFileSync(packJson, JSON.stringify(pack, null, 2) + "\n");
process.stdout.write(`build: dist/ compiled, ${copied} run-time assets copied\n`);
