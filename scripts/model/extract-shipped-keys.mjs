#!/usr/bin/env node
// Derives, from WSO2's public sources, which keys of a product version's shipped deployment.toml nothing
// else supplies: a file that replaces the shipped one as a whole (the Kubernetes ConfigMap) must carry
// each of them, or say why it leaves it to the default. Written in this project's own format
// (products/model/keys/<product>-<version>.shipped.txt, one `<key> <class>` a line); only key names and a
// classification are recorded, no value of WSO2's files.
//
// Classes, judged against the config mapper's defaults (carbon-kernel default.json under the product's
// default.json; MI: its config-tool default.json):
//   ref      a default elsewhere refers to it (`$ref{key}`) and no default defines it: absent, the config
//            mapper cannot resolve the reference and the product does not start
//   unset    no default defines it: absent, the templates get nothing (a datasource without a URL, a
//            gateway environment that does not exist)
//   differs  a default exists but the shipped file sets another value: absent, the default is in force
// Keys the shipped file sets to their default are not listed. Arrays of tables are listed as the array
// (`a.b`) and each key of their elements (`a.b[].c`), always `unset` (defaults do not cover arrays).
//
// Usage: node scripts/model/extract-shipped-keys.mjs <mirror-root> <out-dir>
import { APIM_CONF, IS_CONF, KERNEL, KERNEL_CONF, MI_CONF, mirrorArgs, mirrorGit } from "./sources.mjs";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";

const { mirrors, outDir } = mirrorArgs("extract-shipped-keys.mjs");


/** Per product version: the default.json files in order (later wins) and the shipped deployment.toml. */
const SOURCES = {
    "apim-4.3.0": { defaults: [[KERNEL, "v4.9.26", KERNEL_CONF], ["wso2+product-apim", "v4.3.0", APIM_CONF]], shipped: ["wso2+product-apim", "v4.3.0", "modules/distribution/product/src/main/conf/deployment.toml"] },
    "apim-4.5.0": { defaults: [[KERNEL, "v4.9.28", KERNEL_CONF], ["wso2+product-apim", "v4.5.0", `all-in-one-apim/${APIM_CONF}`]], shipped: ["wso2+product-apim", "v4.5.0", "all-in-one-apim/modules/distribution/product/src/main/conf/deployment.toml"] },
    "mi-4.3.0": { defaults: [["wso2+micro-integrator", "v4.3.0", MI_CONF]], shipped: ["wso2+micro-integrator", "v4.3.0", "distribution/src/conf/deployment.toml"] },
    "mi-4.4.0": { defaults: [["wso2+micro-integrator", "v4.4.0-alpha", MI_CONF]], shipped: ["wso2+micro-integrator", "v4.4.0-alpha", "distribution/src/conf/deployment.toml"] },
    "is-7.0.0": { defaults: [[KERNEL, "v4.10.9", KERNEL_CONF], ["wso2+product-is", "v7.0.0", IS_CONF]], shipped: ["wso2+product-is", "v7.0.0", `${IS_CONF}/deployment.toml`] },
    "is-7.1.0": { defaults: [[KERNEL, "v4.10.42", KERNEL_CONF], ["wso2+product-is", "v7.1.0", IS_CONF]], shipped: ["wso2+product-is", "v7.1.0", `${IS_CONF}/deployment.toml`] },
};

const git = (repo, ...args) => mirrorGit(mirrors, repo, ...args);

const isTable = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);

/** Flat keys as the config mapper normalises them; arrays of tables as `a` and `a[].k`. */
function flatten(doc, prefix, out) {
    for (const [k, v] of Object.entries(doc)) {
        const key = prefix ? `${prefix}.${k}` : k;
        if (isTable(v)) flatten(v, key, out);
        else if (Array.isArray(v) && v.length > 0 && v.every(isTable)) {
            out.set(key, { array: true });
            for (const item of v) {
                const inner = new Map();
                flatten(item, "", inner);
                for (const ik of inner.keys()) out.set(`${key}[].${ik}`, { array: true });
            }
        } else out.set(key, { value: v });
    }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b) || String(a) === String(b);

for (const [name, { defaults: sources, shipped }] of Object.entries(SOURCES)) {
    const defaults = new Map();
    for (const [repo, tag, dir] of sources) for (const [k, v] of Object.entries(JSON.parse(git(repo, "show", `${tag}:${dir}/default.json`)))) defaults.set(k, v);
    const refs = new Set();
    for (const v of defaults.values()) for (const m of JSON.stringify(v).matchAll(/\$ref\{([^}]+)\}/g)) refs.add(m[1]);
    const flat = new Map();
    flatten(parse(git(shipped[0], "show", `${shipped[1]}:${shipped[2]}`)), "", flat);
    const lines = [];
    for (const [key, v] of flat) {
        if (v.array) lines.push(`${key} unset`);
        else if (!defaults.has(key)) lines.push(`${key} ${refs.has(key) ? "ref" : "unset"}`);
        else if (!same(defaults.get(key), v.value)) lines.push(`${key} differs`);
    }
    lines.sort();
    const from = [...sources.map(([r, t]) => `${r.replace("+", "/")}@${t}`), `${shipped[0].replace("+", "/")}@${shipped[1]}:${shipped[2]}`].join(", ");
    writeFileSync(join(outDir, `${name}.shipped.txt`), `# ${name}: keys of the shipped deployment.toml nothing else supplies (ref | unset | differs), derived by scripts/model/extract-shipped-keys.mjs from ${from}\n` + lines.join("\n") + "\n");
    console.log(name, lines.length);
}
