/**
 * `wso2-harden check-config <file> --product <apim|mi|is|si> [--version X] [--format text|json|sarif] [--complete]`:
 * judges anyone's deployment.toml (SI: deployment.yaml) against the configuration model of that product
 * version (products/model). Exit 0: no error-level finding; 1: error-level findings; 2: bad usage or a
 * file that does not parse (the message names the line).
 */
import * as fs from "fs";
import * as path from "path";
import { PRODUCTS, type ProductId } from "../../products";
import { checkConfig, ConfigParseError, modelVersions, productModel, type CheckResult, type Finding } from "../../products/model";
import { UsageError } from "../plan/project";

export type CheckFormat = "text" | "json" | "sarif";

export interface CheckConfigOptions {
    file: string;
    product: string;
    /** Absent: the catalog's version of the product. */
    version?: string;
    format?: string;
    /** The file replaces the shipped deployment.toml as a whole: keys only the shipped file supplies must be in it. */
    complete?: boolean;
}

/** Rule descriptions of the finding ids (SARIF rules, `--help`). */
export const FINDING_RULES: Record<Finding["id"], string> = {
    "unknown-key": "A key the product version does not read: ignored, so what it was meant to set stays at its default.",
    "default-credential": "A published default password, key or secret is in force (set, or left in force by an absent key).",
    "weak-tls-protocol": "A TLS transport accepts a protocol older than TLS 1.2, or its protocols are left to the Java runtime.",
    "weak-cipher": "A TLS transport offers broken suites, suites without forward secrecy or AEAD, or the Java runtime's defaults.",
    "plaintext-transport": "A listener speaks plain text; the message says whether a key can close it and what contains it.",
    "admin-wsdl-exposed": "Admin service WSDLs are served.",
    "missing-key": "A key the guidelines need is absent, a path resolves to a file that does not exist, or (--complete) a file that replaces the shipped one lacks a key only the shipped file supplies.",
};

const SARIF_LEVEL: Record<Finding["severity"], string> = { error: "error", warning: "warning", info: "note" };

/**
 * 1-based line where a flat key is set in a TOML text (`[a.b]` then `c = ...`, or `a.b.c = ...`), or where its
 * table starts; 1 when the key is absent. Best effort: enough to point a reviewer at the place.
 */
export function tomlKeyLine(text: string, key: string): number {
    const lines = text.split(/\r?\n/);
    let table = "";
    let tableLine = 0;
    let best = 0;
    const strip = (s: string) => s.trim().replace(/^["']|["']$/g, "");
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        const header = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
        if (header) {
            table = header[1].split(".").map(strip).join(".");
            if (key === table || key.startsWith(`${table}.`) || key.startsWith(`${table}[]`)) tableLine = tableLine || i + 1;
            continue;
        }
        const assign = /^([A-Za-z0-9_."' -]+?)\s*=/.exec(line);
        if (!assign) continue;
        const local = assign[1].split(".").map(strip).join(".");
        const full = table ? `${table}.${local}` : local;
        const normalized = key.replace(/\[\]/g, "");
        if (full === normalized || full.replace(/\[\]/g, "") === normalized) return i + 1;
        if (!best && normalized.startsWith(`${full}.`)) best = i + 1;
    }
    return best || tableLine || 1;
}

export interface CheckConfigRun {
    result: CheckResult;
    text: string;
    exitCode: number;
}

/** Validates the options, reads and judges the file. Throws UsageError for bad usage or a file that does not parse. */
export function runCheckConfig(opts: CheckConfigOptions): CheckConfigRun {
    if (!(opts.product in PRODUCTS)) throw new UsageError(`check-config: --product must be one of ${Object.keys(PRODUCTS).join(", ")}, got ${JSON.stringify(opts.product)}`);
    const product = opts.product as ProductId;
    const version = opts.version ?? PRODUCTS[product].defaultVersion;
    if (!modelVersions(product).includes(version)) {
        throw new UsageError(`check-config: --version ${JSON.stringify(version)} is not a version of ${product} the configuration model knows (${modelVersions(product).join(", ")})`);
    }
    const format = opts.format ?? "text";
    if (!["text", "json", "sarif"].includes(format)) throw new UsageError(`check-config: --format must be text, json or sarif, got ${JSON.stringify(format)}`);
    let text: string;
    try {
        text = fs.readFileSync(opts.file, "utf8");
    } catch (e) {
        throw new UsageError(`check-config: cannot read ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    let result: CheckResult;
    try {
        result = checkConfig(text, productModel(product, version), { complete: opts.complete === true });
    } catch (e) {
        if (e instanceof ConfigParseError) throw new UsageError(`check-config: ${opts.file}:${e.line}: does not parse: ${e.message.replace(/^line \d+: /, "")}`);
        throw e;
    }
    const exitCode = result.findings.some((f) => f.severity === "error") ? 1 : 0;
    return { result, text, exitCode };
}

/** `--format json`: the contract's shape. */
export function toJson(result: CheckResult): string {
    const { product, version, findings, effective } = result;
    return JSON.stringify({ product, version, findings: findings.map(({ id, severity, key, message }) => ({ id, severity, key, message })), effective }, null, 2) + "\n";
}

/** SARIF 2.1.0, one run of the tool `wso2-harden check-config`, one result per finding with its line. */
export function toSarif(result: CheckResult, file: string, text: string): string {
    const ids = Object.keys(FINDING_RULES) as Finding["id"][];
    const uri = path.relative(process.cwd(), path.resolve(file)).split(path.sep).join("/");
    const line = (key: string) => (result.product === "si" ? 1 : tomlKeyLine(text, key));
    const sarif = {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: "wso2-harden check-config",
                        informationUri: "https://github.com/wso2-hardening",
                        rules: ids.map((id) => ({ id, name: id, shortDescription: { text: FINDING_RULES[id] }, properties: { tags: ["security", "configuration"] } })),
                    },
                },
                properties: { product: result.product, version: result.version, effective: result.effective },
                results: result.findings.map((f) => ({
                    ruleId: f.id,
                    ruleIndex: ids.indexOf(f.id),
                    level: SARIF_LEVEL[f.severity],
                    message: { text: f.message },
                    locations: [
                        {
                            physicalLocation: { artifactLocation: { uri }, region: { startLine: line(f.key) } },
                            logicalLocations: [{ fullyQualifiedName: f.key, kind: "member" }],
                        },
                    ],
                })),
            },
        ],
    };
    return JSON.stringify(sarif, null, 2) + "\n";
}

export function toText(result: CheckResult, file: string): string {
    const count = (s: string) => result.findings.filter((f) => f.severity === s).length;
    const lines = [`${file}: ${result.product} ${result.version}: ${count("error")} errors, ${count("warning")} warnings, ${count("info")} notes`];
    for (const f of result.findings) lines.push(`${f.severity.padEnd(7)} ${f.id.padEnd(19)} ${f.key}`, `        ${f.message}`);
    lines.push("TLS in force:");
    for (const [id, t] of Object.entries(result.effective.tls)) {
        lines.push(`  ${id}: protocols ${t.protocols.join(",")}`, `  ${"".padEnd(id.length)}  ciphers ${t.ciphers.join(",")}`);
    }
    return lines.join("\n") + "\n";
}

/** The command: prints the report in the chosen format and returns the exit status (0 or 1). */
export function checkConfigCommand(opts: CheckConfigOptions, write: (s: string) => void): number {
    const run = runCheckConfig(opts);
    const format = (opts.format ?? "text") as CheckFormat;
    write(format === "json" ? toJson(run.result) : format === "sarif" ? toSarif(run.result, opts.file, run.text) : toText(run.result, opts.file));
    return run.exitCode;
}
