import * as fs from "fs";
import * as path from "path";
import { GUIDELINES } from "../components/guidelines";
import { UsageError } from "./plan/project";
import { ProgramError } from "./plan/runner";

/** The package's root (its package.json): from the sources `cli/..`, from the installed build `dist/cli/../..`. */
function packageRoot(dir: string): string {
    for (let d = dir; ; d = path.dirname(d)) {
        if (fs.existsSync(path.join(d, "package.json"))) return d;
        if (path.dirname(d) === d) return path.resolve(dir, "..");
    }
}

const PROJECT_DIR = packageRoot(__dirname);

export const USAGE = `Usage: wso2-harden <command> [options]

Commands:
  plan        Run a Pulumi TypeScript program offline under mocks, evaluate the policy pack and write
              the plan, the policy reports and every rendered artifact.
  guidelines  Print every WSO2 guideline id with its status and what carries it.
  switch      Blue-green and canary switching of an edge stack (role edge).
  check-config  Judge a product configuration (anyone's deployment.toml, SI's deployment.yaml) against
              what that product version reads.

wso2-harden plan --stack <name> [--program <dir>] [--out <dir>] [--config <ns:key>=<value>]... [--policy-config <file>] [--preview]
  --stack <name>          Stack to plan; its config is <stackConfigDir>/Pulumi.<name>.yaml.
  --program <dir>         Directory with Pulumi.yaml (nodejs runtime). Default: this project.
  --out <dir>             Output directory. Default: out/<stack>.
  --config <ns:key>=<v>   Override one config key, like 'pulumi config set' (value parsed as JSON when it is JSON).
                          A key without namespace belongs to the program's project. Repeatable.
  --policy-config <file>  Policy pack config, the format of 'pulumi preview --policy-pack-config'
                          (e.g. policies/config/dev.json). Default: the pack's strict defaults.
                          Checked like the Pulumi CLI checks it (each policy's JSON schema) and more strictly
                          (unknown policy names and settings, settings that contradict each other).
  --preview               Plan as a first 'pulumi preview' sees the program: ids and outputs of resources not
                          yet created are unknown ("[unknown]" in plan.json); findings that depend on them are
                          advisory ("could not be proven at preview"), the rest is judged as in a plan.
  Writes plan.json, policy-report.json, policy-report.sarif, report.md and artifacts/ (with index.json).
  Exit status: 0 no mandatory violation, 1 mandatory violations, 2 bad usage or bad configuration
  (nothing is written).

wso2-harden guidelines [--json]
  Prints id, status (enforced, implemented, out-of-scope, planned), components, policies, tests and the
  check-config findings that verify it in a product configuration.

wso2-harden switch --stack <edge-stack> --to <blue|green> [--weight N] [--dry-run] [--min-healthy N] [--program <dir>]
wso2-harden switch --stack <edge-stack> --rollback [--dry-run] [--min-healthy N] [--program <dir>]
  Changes only the routing of an edge stack (role edge; config activeColor and canaryWeight), with the
  Pulumi Automation API (needs the Pulumi CLI and AWS credentials). The region (aws:region) and the
  color stacks (blueStack, greenStack) are read from that stack's own configuration, validated as the
  program validates it.
  --stack <name>     The edge stack, e.g. prod-edge.
  --to <color>       Color that receives the traffic.
  --weight N         Share (0..100) sent to --to; default 100. Up to 50 is a canary: the other color stays active.
  --rollback         Return to the routing before the last switch.
  --dry-run          Check health and print the change; change nothing.
  --min-healthy N    Healthy targets required in each target group of a color that gets traffic; default 2.
  Before switching, the target health of the color stacks' target groups is read from the ELBv2 API;
  after the update the edge's routing output and the health are verified, and the previous routing is
  restored if anything fails.
  Exit status: 0 switched (or nothing to do, or dry run), 1 refused or rolled back, 2 bad usage or a bad
  edge stack configuration.

wso2-harden check-config <file> --product <apim|mi|is|si> [--version X] [--format text|json|sarif] [--complete]
  Judges a deployment.toml (for si: conf/server/deployment.yaml) against the keys and defaults of that
  product version: keys it ignores (unknown-key), published default passwords and keys in force
  (default-credential), the TLS protocols and ciphers in force per transport, counting defaults where a
  key is absent (weak-tls-protocol, weak-cipher), plaintext listeners (plaintext-transport), exposed admin
  WSDLs (admin-wsdl-exposed) and keys the guidelines need (missing-key). Severity error, warning or info.
  --version X        Product version; default the catalog's (apim 4.3.0, mi 4.3.0, is 7.0.0, si 4.3.0).
                     Known: apim 4.3.0 4.5.0, mi 4.3.0 4.4.0, is 7.0.0 7.1.0, si 4.3.0.
  --format F         text (default), json ({ product, version, findings, effective.tls }) or sarif.
  --complete         The file replaces the distribution's shipped deployment.toml as a whole (a
                     Kubernetes ConfigMap, a Helm chart's file) instead of being merged into it: every key
                     only the shipped file supplies must be there (missing-key; error when the product
                     cannot start without it). Without it the file is judged as an overlay.
  Exit status: 0 no error-level finding, 1 error-level findings, 2 bad usage or a file that does not
  parse (the message names the line).
`;

interface Parsed {
    command?: string;
    flags: Map<string, string[]>;
    bools: Set<string>;
    /** Operands (check-config's file). */
    operands: string[];
}

const VALUE_FLAGS: Record<string, string[]> = {
    plan: ["--stack", "--program", "--out", "--config", "--policy-config"],
    guidelines: [],
    switch: ["--stack", "--to", "--weight", "--min-healthy", "--program"],
    "check-config": ["--product", "--version", "--format"],
};
const BOOL_FLAGS: Record<string, string[]> = { plan: ["--preview"], guidelines: ["--json"], switch: ["--dry-run", "--rollback"], "check-config": ["--complete"] };
/** Commands that take operands, and how many. */
const OPERANDS: Record<string, number> = { "check-config": 1 };

function parseArgs(argv: string[]): Parsed {
    const [command, ...rest] = argv;
    const parsed: Parsed = { command, flags: new Map(), bools: new Set(), operands: [] };
    if (!command || command === "--help" || command === "-h" || command === "help") return parsed;
    if (!(command in VALUE_FLAGS)) throw new UsageError(`unknown command '${command}'`);
    for (let i = 0; i < rest.length; i++) {
        let arg = rest[i];
        let value: string | undefined;
        const eq = arg.indexOf("=");
        if (arg.startsWith("--") && eq > 0 && VALUE_FLAGS[command].includes(arg.slice(0, eq))) {
            value = arg.slice(eq + 1);
            arg = arg.slice(0, eq);
        }
        if (arg === "--help" || arg === "-h") {
            parsed.bools.add("--help");
        } else if (BOOL_FLAGS[command].includes(arg)) {
            parsed.bools.add(arg);
        } else if (VALUE_FLAGS[command].includes(arg)) {
            if (value === undefined) {
                value = rest[++i];
                if (value === undefined) throw new UsageError(`${arg} needs a value`);
            }
            (parsed.flags.get(arg) ?? parsed.flags.set(arg, []).get(arg)!).push(value);
        } else if (!arg.startsWith("-") && parsed.operands.length < (OPERANDS[command] ?? 0)) {
            parsed.operands.push(arg);
        } else {
            throw new UsageError(`${command}: unknown option '${arg}'`);
        }
    }
    return parsed;
}

function single(p: Parsed, flag: string): string | undefined {
    const v = p.flags.get(flag);
    if (v && v.length > 1) throw new UsageError(`${flag} given ${v.length} times`);
    return v?.[0];
}

function printGuidelines(json: boolean): void {
    if (json) {
        const rows = GUIDELINES.map((g) => ({
            id: g.id,
            title: g.title,
            status: g.status,
            reason: g.reason ?? null,
            components: g.components,
            policies: g.policies,
            tests: g.tests,
        }));
        process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
        return;
    }
    const counts = new Map<string, number>();
    for (const g of GUIDELINES) {
        counts.set(g.status, (counts.get(g.status) ?? 0) + 1);
        process.stdout.write(`${g.id.padEnd(27)} ${g.status.padEnd(12)} ${g.title}\n`);
        if (g.reason) process.stdout.write(`${"".padEnd(28)}why: ${g.reason}\n`);
        if (g.components.length) process.stdout.write(`${"".padEnd(28)}components: ${g.components.join(", ")}\n`);
        if (g.policies.length) process.stdout.write(`${"".padEnd(28)}policies: ${g.policies.join(", ")}\n`);
        if (g.tests.length) process.stdout.write(`${"".padEnd(28)}tests: ${g.tests.join(", ")}\n`);
        if (g.configChecks?.length) process.stdout.write(`${"".padEnd(28)}check-config: ${g.configChecks.join(", ")}\n`);
    }
    process.stdout.write(`\n${GUIDELINES.length} guidelines: ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}\n`);
}

function integerFlag(p: Parsed, flag: string): number | undefined {
    const v = single(p, flag);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw new UsageError(`${flag} must be an integer, got ${JSON.stringify(v)}`);
    return Number(v);
}

async function runSwitch(p: Parsed): Promise<number> {
    const edgeStack = single(p, "--stack");
    if (!edgeStack || !/^[A-Za-z0-9_.\-/]+$/.test(edgeStack)) {
        throw new UsageError(`switch: --stack <edge-stack> is required (e.g. prod-edge), got ${JSON.stringify(edgeStack)}`);
    }
    const { switchTraffic, validateRequest } = await import("./switch");
    const request = {
        to: single(p, "--to") as "blue" | "green" | undefined,
        weight: integerFlag(p, "--weight"),
        minHealthy: integerFlag(p, "--min-healthy"),
        dryRun: p.bools.has("--dry-run"),
        rollback: p.bools.has("--rollback"),
    };
    validateRequest(request);
    const { automationWorkspace, localStacks, switchDependencies } = await import("./switch/deps");
    const workspace = await automationWorkspace(edgeStack, await localStacks(single(p, "--program") ?? PROJECT_DIR));
    const outcome = await switchTraffic(request, await switchDependencies(workspace, (line) => process.stdout.write(line + "\n")));
    return ["switched", "unchanged", "dry-run"].includes(outcome.status) ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
    try {
        const p = parseArgs(argv);
        if (!p.command) {
            process.stderr.write(USAGE);
            return 2;
        }
        if (["help", "--help", "-h"].includes(p.command) || p.bools.has("--help")) {
            process.stdout.write(USAGE);
            return 0;
        }
        if (p.command === "guidelines") {
            printGuidelines(p.bools.has("--json"));
            return 0;
        }
        if (p.command === "switch") return await runSwitch(p);
        if (p.command === "check-config") {
            const file = p.operands[0];
            const product = single(p, "--product");
            if (!file || !product) throw new UsageError("check-config: <file> and --product <apim|mi|is|si> are required");
            const { checkConfigCommand } = await import("./check-config");
            return checkConfigCommand({ file, product, version: single(p, "--version"), format: single(p, "--format"), complete: p.bools.has("--complete") }, (s) => process.stdout.write(s));
        }
        const stack = single(p, "--stack");
        if (!stack) throw new UsageError("plan: --stack <name> is required");
        if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack ${JSON.stringify(stack)}: not a stack name`);
        const started = Date.now();
        const { plan } = await import("./plan");
        const summary = await plan({
            stack,
            program: single(p, "--program") ?? PROJECT_DIR,
            out: single(p, "--out"),
            config: p.flags.get("--config") ?? [],
            policyConfig: single(p, "--policy-config"),
            preview: p.bools.has("--preview"),
        });
        process.stdout.write(
            `${p.bools.has("--preview") ? "previewed" : "planned"} ${summary.resources} resources of stack ${stack} in ${((Date.now() - started) / 1000).toFixed(2)} s: ` +
                `${summary.mandatory} mandatory and ${summary.advisory} advisory violations; wrote ${path.relative(process.cwd(), summary.outDir) || "."}/\n`,
        );
        return summary.exitCode;
    } catch (e) {
        if (e instanceof UsageError || e instanceof ProgramError) {
            process.stderr.write(`wso2-harden: ${e.message}\n`);
            return 2;
        }
        process.stderr.write(`wso2-harden: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
        return 3;
    }
}
