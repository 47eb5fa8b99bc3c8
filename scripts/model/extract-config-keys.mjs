#!/usr/bin/env node
// Derives, from WSO2's public sources, the flat configuration keys a product version reads, and writes them
// in this project's own compact format (products/model/keys/<product>-<version>.txt: one pattern a line,
// `*` = any one segment of an open map, `[]` = element of an array of tables). Nothing of the sources is
// copied: only the key names the config mapper would accept are recorded.
//
// Usage: node scripts/model/extract-config-keys.mjs <mirror-root> <out-dir>
import { APIM_CONF, IS_CONF, KERNEL, KERNEL_CONF, MI_CONF, mirrorArgs, mirrorGit } from "./sources.mjs";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const { mirrors, outDir } = mirrorArgs("extract-config-keys.mjs");

/** Where each product version's configuration sources are: repository, tag, folders of templates and JSON. */
/**
 * Where each product's deployment.toml files are (shipped and integration-test ones): top-level tables they
 * use that the sources above do not enumerate are read by feature templates (carbon-apimgt, identity
 * components) and are recorded as `@namespace`: known, keys beneath not enumerated.
 */
const TOML_SAMPLES = {
    "apim-4.3.0": ["wso2+product-apim", "v4.3.0", "modules/"],
    "apim-4.5.0": ["wso2+product-apim", "v4.5.0", "all-in-one-apim/modules/"],
    "mi-4.3.0": ["wso2+micro-integrator", "v4.3.0", "distribution/"],
    "mi-4.4.0": ["wso2+micro-integrator", "v4.4.0-alpha", "distribution/"],
    "is-7.0.0": ["wso2+product-is", "v7.0.0", "modules/"],
    "is-7.1.0": ["wso2+product-is", "v7.1.0", "modules/"],
};

const SOURCES = {
    "apim-4.3.0": [[KERNEL, "v4.9.26", KERNEL_CONF], ["wso2+product-apim", "v4.3.0", APIM_CONF]],
    "apim-4.5.0": [[KERNEL, "v4.9.28", KERNEL_CONF], ["wso2+product-apim", "v4.5.0", `all-in-one-apim/${APIM_CONF}`]],
    "mi-4.3.0": [["wso2+micro-integrator", "v4.3.0", MI_CONF]],
    "mi-4.4.0": [["wso2+micro-integrator", "v4.4.0-alpha", MI_CONF]],
    "is-7.0.0": [[KERNEL, "v4.10.9", KERNEL_CONF], ["wso2+product-is", "v7.0.0", IS_CONF]],
    "is-7.1.0": [[KERNEL, "v4.10.42", KERNEL_CONF], ["wso2+product-is", "v7.1.0", IS_CONF]],
};

const git = (repo, ...args) => mirrorGit(mirrors, repo, ...args);

const JINJA_WORDS = new Set([
    "in", "is", "not", "and", "or", "if", "else", "elif", "for", "endfor", "endif", "set", "true", "false", "none",
    "True", "False", "None", "sameas", "defined", "undefined", "loop", "items", "keys", "values", "macro", "endmacro",
    "call", "with", "endwith", "include", "import", "from", "as", "filter", "endfilter", "raw", "endraw", "block",
    "endblock", "extends", "recursive", "string", "number", "iterable", "mapping", "divisibleby", "equalto", "none",
]);

/** Dotted paths referenced by one template, resolved through loop and set variables. */
function templateKeys(text) {
    const found = new Set();
    const vars = new Map(); // loop/set variable -> path it stands for (`a.b[]` for elements, `a.b.*` for values)
    const tags = [...text.matchAll(/\{\{([\s\S]*?)\}\}|\{%-?([\s\S]*?)-?%\}/g)];
    const resolve = (path) => {
        const [head, ...rest] = path.split(".");
        if (vars.has(head)) return vars.get(head) === null ? null : [vars.get(head), ...rest].join(".");
        return path;
    };
    const refs = (expr) => {
        // Drop string literals, filter names and attribute calls, keep dotted identifiers.
        const clean = expr.replace(/'[^']*'|"[^"]*"/g, " ").replace(/\|\s*[A-Za-z_]+/g, " ");
        const out = [];
        for (const m of clean.matchAll(/(?<![\w.])([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\s*\d+\s*\])*)(\s*\()?/g)) {
            let path = m[1].replace(/\[\s*\d+\s*\]/g, "[]");
            if (m[2]) {
                // A call: `x.items()` iterates an open map; other calls are functions (range, lookups).
                const dot = path.lastIndexOf(".");
                if (dot < 0) continue;
                path = path.slice(0, dot);
            }
            if (JINJA_WORDS.has(path.split(".")[0])) continue;
            out.push(path);
        }
        return out;
    };
    for (const t of tags) {
        const expr = t[1] ?? t[2];
        const forMatch = /^\s*for\s+([\w\s,]+?)\s+in\s+([\s\S]+?)\s*(?:if\s[\s\S]*)?$/.exec(expr);
        const setMatch = /^\s*set\s+(\w+)\s*=\s*([\s\S]+)$/.exec(expr);
        if (forMatch) {
            const names = forMatch[1].split(",").map((s) => s.trim());
            const src = forMatch[2].trim();
            const items = /^([\w.\[\]-]+)\.items\(\)$/.exec(src);
            for (const r of refs(src)) {
                const p = resolve(r);
                if (p) found.add(items ? `${p}.*` : p);
            }
            if (items) {
                const p = resolve(items[1]);
                vars.set(names[0], null);
                if (names[1]) vars.set(names[1], p ? `${p}.*` : null);
            } else {
                const plain = /^[\w.\[\]-]+$/.test(src) ? resolve(src) : null;
                for (const n of names) vars.set(n, plain ? `${plain}[]` : null);
            }
            continue;
        }
        if (setMatch) {
            const value = setMatch[2].trim();
            const p = /^[A-Za-z_][\w.-]*$/.test(value) && !JINJA_WORDS.has(value) ? resolve(value) : null;
            vars.set(setMatch[1], p);
            for (const r of refs(value)) {
                const q = resolve(r);
                if (q) found.add(q);
            }
            continue;
        }
        for (const r of refs(expr)) {
            const p = resolve(r);
            if (p) found.add(p);
        }
    }
    // A bare loop variable (`{{ item }}`) or a one-segment name is not a configuration key.
    return [...found].filter((k) => k.includes(".") || k.endsWith("[]"));
}

/** JSON keys with `$1`-style placeholders (infer.json's "any name here") as `*`. */
function jsonKeys(text, kind) {
    // A default's value may refer to another key (`$ref{server.node_ip}`): that key is read too.
    const refs = [...text.matchAll(/\$ref\{([\w.-]+)\}/g)].map((m) => m[1]);
    return [...jsonKeysRaw(text, kind), ...refs].map((k) => k.replace(/\$\d+/g, "*"));
}

function jsonKeysRaw(text, kind) {
    const data = JSON.parse(text);
    if (kind === "default.json") return Object.keys(data);
    if (kind === "key-mappings.json") return Object.entries(data).flatMap(([k, v]) => [k, ...(typeof v === "string" ? [v] : [])]);
    // infer.json: key -> value -> { inferred key: value }
    const keys = [];
    for (const [k, byValue] of Object.entries(data)) {
        keys.push(k);
        for (const inferred of Object.values(byValue ?? {})) if (inferred && typeof inferred === "object") keys.push(...Object.keys(inferred));
    }
    return keys;
}

/** Streaming Integrator: the dotted paths of its shipped deployment.yaml (lists as `[]`). */
const SI_SOURCES = { "si-4.3.0": ["wso2+streaming-integrator", "v4.3.0", "modules/distribution/carbon-home/conf/server/deployment.yaml"] };

function yamlPaths(value, prefix, out) {
    if (Array.isArray(value)) {
        out.add(`${prefix}[]`);
        for (const item of value) yamlPaths(item, `${prefix}[]`, out);
    } else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) yamlPaths(v, prefix ? `${prefix}.${k}` : k, out);
    } else if (prefix) {
        out.add(prefix);
    }
}

mkdirSync(outDir, { recursive: true });
const { parse: parseYaml } = await import("yaml");
for (const [name, [repo, tag, file]] of Object.entries(SI_SOURCES)) {
    const keys = new Set();
    yamlPaths(parseYaml(git(repo, "show", `${tag}:${file}`)), "", keys);
    const sorted = [...keys].sort();
    writeFileSync(join(outDir, `${name}.txt`), `# ${name}: configuration paths of the shipped conf/server/deployment.yaml, derived by scripts/model/extract-config-keys.mjs from ${repo.replace("+", "/")}@${tag}\n` + sorted.join("\n") + "\n");
    console.log(name, sorted.length);
}
for (const [name, sources] of Object.entries(SOURCES)) {
    const keys = new Set();
    for (const [repo, tag, dir] of sources) {
        const files = git(repo, "ls-tree", "-r", "--name-only", tag, "--", dir).split("\n").filter(Boolean);
        for (const file of files) {
            const base = file.slice(file.lastIndexOf("/") + 1);
            if (file.endsWith(".j2")) {
                for (const k of templateKeys(git(repo, "show", `${tag}:${file}`))) keys.add(k);
            } else if (["default.json", "infer.json", "key-mappings.json"].includes(base) && file === `${dir}/${base}`) {
                for (const k of jsonKeys(git(repo, "show", `${tag}:${file}`), base)) keys.add(k);
            }
        }
    }
    // Every datasource section takes the fields the shared one does (the kernel's templates read
    // `database.<name>.*` field by field for each datasource they define).
    for (const k of [...keys]) if (k.startsWith("database.shared_db.")) keys.add(`database.*.${k.slice("database.shared_db.".length)}`);
    const tops = new Set([...keys].map((k) => k.split(/[.\[]/)[0]));
    const namespaces = new Set();
    const [sRepo, sTag, sDir] = TOML_SAMPLES[name];
    const samples = git(sRepo, "ls-tree", "-r", "--name-only", sTag, "--", sDir).split("\n").filter((f) => f.endsWith(".toml"));
    for (const file of samples) {
        for (const m of git(sRepo, "show", `${sTag}:${file}`).matchAll(/^\s*\[\[?\s*([A-Za-z_][\w-]*)/gm)) {
            if (!tops.has(m[1])) namespaces.add(`@${m[1]}`);
        }
    }
    const lines = [...keys].map((k) => k.replace(/\s+/g, "")).filter((k) => /^[\w-]+(\.([\w-]+|\*)|\[\])+$/.test(k) || /^[\w-]+\.[\w.*\[\]-]+$/.test(k));
    const sorted = [...[...namespaces].sort(), ...[...new Set(lines)].sort()];
    const header = `# ${name}: configuration keys read, derived by scripts/model/extract-config-keys.mjs from ${sources
        .map(([r, t]) => `${r.replace("+", "/")}@${t}`)
        .join(", ")}; @namespace: read by feature templates, keys beneath not enumerated\n`;
    writeFileSync(join(outDir, `${name}.txt`), header + sorted.join("\n") + "\n");
    console.log(name, sorted.length);
}
