import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** Bad usage or configuration: `plan` exits 2 with this message and writes nothing. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export interface ProjectInfo {
    dir: string;
    name: string;
    /** Absolute path of the program entry (file or directory Node resolves). */
    main: string;
    stackConfigDir: string;
}

/** Reads `Pulumi.yaml` of a program directory the way the Pulumi CLI does for a nodejs program. */
export function readProject(dir: string): ProjectInfo & { config: Record<string, unknown> } {
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) throw new UsageError(`--program ${dir}: no Pulumi.yaml found`);
    const doc = parseYaml(file) as Record<string, unknown> | null;
    if (!doc || typeof doc.name !== "string" || doc.name === "") throw new UsageError(`${file}: 'name' is missing`);
    const runtime = typeof doc.runtime === "string" ? doc.runtime : (doc.runtime as { name?: string } | undefined)?.name;
    if (runtime !== "nodejs") {
        throw new UsageError(`${file}: runtime is ${JSON.stringify(runtime)}; wso2-harden plan runs nodejs programs only`);
    }
    const main = path.resolve(dir, typeof doc.main === "string" ? doc.main : ".");
    const stackConfigDir = path.resolve(dir, typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : ".");
    return { dir, name: doc.name, main, stackConfigDir, config: (doc.config as Record<string, unknown>) ?? {} };
}

function parseYaml(file: string): unknown {
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`${file}: not valid YAML: ${(e as Error).message}`);
    }
}

/** A config value as the Pulumi CLI hands it to a program: strings stay, everything else is JSON. */
function configString(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

/** Qualifies a key with the project namespace when it has none (`nodeCount` -> `proj:nodeCount`). */
export function qualifyKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * The config a stack's program sees: project defaults from `Pulumi.yaml`, then the stack file, then
 * `--config` overrides (value parsed as JSON when it is JSON, else taken as a string).
 */
export function stackConfig(
    project: ProjectInfo & { config: Record<string, unknown> },
    stack: string,
    overrides: readonly string[],
): { config: Record<string, string>; secretKeys: string[]; stackFile: string } {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, spec] of Object.entries(project.config)) {
        const q = qualifyKey(project.name, key);
        if (spec !== null && typeof spec === "object" && !Array.isArray(spec) && ("type" in spec || "default" in spec)) {
            const s = spec as { default?: unknown };
            if (s.default !== undefined) config[q] = configString(s.default);
        } else if (spec !== undefined) {
            config[q] = configString(spec);
        }
    }
    const stackFile = path.join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        throw new UsageError(`--stack ${stack}: no stack file ${path.relative(process.cwd(), stackFile) || stackFile}`);
    }
    const doc = (parseYaml(stackFile) as { config?: Record<string, unknown> } | null) ?? {};
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        const q = qualifyKey(project.name, key);
        if (value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            // Encrypted with the stack's secrets provider, which an offline plan cannot reach.
            config[q] = "[secret]";
            secretKeys.push(q);
        } else {
            config[q] = configString(value);
        }
    }
    for (const o of overrides) {
        const eq = o.indexOf("=");
        if (eq <= 0) throw new UsageError(`--config ${JSON.stringify(o)}: expected <namespace:key>=<value>`);
        const q = qualifyKey(project.name, o.slice(0, eq).trim());
        const raw = o.slice(eq + 1);
        let value: unknown = raw;
        try {
            value = JSON.parse(raw);
        } catch {
            // not JSON: a plain string
        }
        config[q] = configString(value);
    }
    return { config, secretKeys, stackFile };
}
