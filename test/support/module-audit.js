"use strict";
// A `node --require` hook for a policy pack started through run-policy-pack: it times every module's first
// load (inclusive of what that module loads, wall and CPU of this process) and, when the pack prints its
// port, writes to $WSO2_MODULE_AUDIT: { hookAt: { uptimeMs, cpuMs }, uptimeMs, cpuMs, modules: [every loaded
// file], loads: [{ file, parent, depth, ms, cpuMs }] }. Only observes: nothing the runner or the pack does is changed.
const fs = require("fs");
const Module = require("module");

const out = process.env.WSO2_MODULE_AUDIT;
if (out) {
    const cpuNow = () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
    };
    // Node's own start, up to this hook.
    const hookAt = { uptimeMs: process.uptime() * 1000, cpuMs: cpuNow() };
    const load = Module._load;
    const loads = [];
    const stack = [];
    Module._load = function (request, parent, isMain) {
        let file;
        try {
            file = Module._resolveFilename(request, parent, isMain);
        } catch {
            return load.apply(this, arguments);
        }
        if (Module._cache[file] || !file.includes("/")) return load.apply(this, arguments);
        const rec = { file, parent: stack.length ? stack[stack.length - 1].file : null, depth: stack.length, t: process.hrtime.bigint(), c: cpuNow() };
        stack.push(rec);
        try {
            return load.apply(this, arguments);
        } finally {
            stack.pop();
            loads.push({ file, parent: rec.parent, depth: rec.depth, ms: Number(process.hrtime.bigint() - rec.t) / 1e6, cpuMs: cpuNow() - rec.c });
        }
    };
    const write = process.stdout.write;
    let written = false;
    process.stdout.write = function (chunk, ...rest) {
        if (!written && /^\d+\s*$/.test(String(chunk))) {
            written = true;
            const report = { hookAt, uptimeMs: process.uptime() * 1000, cpuMs: cpuNow(), modules: Object.keys(Module._cache), loads };
            fs.writeFileSync(out, JSON.stringify(report));
        }
        return write.call(this, chunk, ...rest);
    };
}
