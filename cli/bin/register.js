"use strict";
// Loads TypeScript (the CLI, the policy pack and the programs it plans) by transpiling each file once
// and caching the JavaScript by content hash: ts-node re-transpiles every file on every run, which cost
// the plan seconds of fixed time. No type-checking here: `npm run typecheck` does that once.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const COMPILER_OPTIONS = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    resolveJsonModule: true,
};
const CACHE_DIR = path.join(__dirname, "..", "..", "node_modules", ".cache", "wso2-harden");
const SALT = `${ts.version}:${JSON.stringify(COMPILER_OPTIONS)}`;
let cacheWritable = true;

function transpile(source, filename) {
    const key = crypto.createHash("sha256").update(SALT).update(filename).update("\0").update(source).digest("hex");
    const cached = path.join(CACHE_DIR, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // not cached yet
    }
    const out = ts.transpileModule(source, { compilerOptions: COMPILER_OPTIONS, fileName: filename, reportDiagnostics: false }).outputText;
    if (cacheWritable) {
        try {
            fs.mkdirSync(CACHE_DIR, { recursive: true });
            const tmp = `${cached}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, out);
            fs.renameSync(tmp, cached); // atomic: parallel runs never read a half-written file
        } catch {
            cacheWritable = false;
        }
    }
    return out;
}

require.extensions[".ts"] = function (module, filename) {
    module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
