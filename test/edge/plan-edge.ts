/**
 * The edge as the prod plan produced it: runs `stacks/` (stack `prod`) under the plan's mocks in a
 * child process and extracts the HTTPS listener, its rules, the web ACL and the nginx artifact. While
 * the project's stacks do not build an edge yet, it plans `test/edge/fixture` (an `EdgeLoadBalancer`
 * in front of stand-in target groups) instead, and says so in `source`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { parseSettings, type Settings } from "../../config/settings";
import { CONFIG_NAMESPACE } from "../../config/schema";
import type { ListenerRuleInputs, ListenerUnderTest, RuleAction } from "./alb-evaluator";
import type { WafRuleInputs } from "./waf-evaluator";

const ROOT = path.resolve(__dirname, "..", "..");

export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, any>;
    outputs: Record<string, any>;
}

export interface PlannedEdge {
    source: string;
    settings: Settings;
    resources: PlannedResource[];
    listener: ListenerUnderTest;
    webAclRules: WafRuleInputs[];
    nginxConf: string;
}

function isType(r: PlannedResource, member: string): boolean {
    return r.type === `aws:lb/${member}` || r.type === `aws:alb/${member}`;
}

export function runPlan(programDir: string, stack: string): { config: Record<string, string>; resources: PlannedResource[]; artifacts: { kind: string; content: string }[] } {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "edge-plan-"));
    try {
        const out = path.join(tmp, "run.json");
        const child = spawnSync(
            process.execPath,
            ["-r", "ts-node/register", path.join(__dirname, "plan-child.ts"), programDir, stack, out],
            { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" }, encoding: "utf8", timeout: 120_000 },
        );
        if (child.status !== 0) throw new Error(`planning ${programDir} --stack ${stack} failed (${child.status ?? child.signal}):\n${child.stderr}`);
        return JSON.parse(fs.readFileSync(out, "utf8"));
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

function buildsEdge(resources: readonly PlannedResource[]): boolean {
    return resources.some((r) => r.type === "wso2-hardening:aws:EdgeLoadBalancer");
}

export function planEdge(): PlannedEdge {
    let source = "stacks/ --stack prod";
    let run: ReturnType<typeof runPlan> | undefined;
    let why = "stacks/index.ts does not exist";
    if (fs.existsSync(path.join(ROOT, "stacks", "index.ts"))) {
        try {
            run = runPlan(ROOT, "prod");
            why = "it builds no EdgeLoadBalancer";
        } catch (e) {
            why = (e as Error).message.split("\n").slice(0, 3).join(" ");
        }
    }
    if (!run || !buildsEdge(run.resources)) {
        source = `test/edge/fixture --stack prod (stacks/ not used: ${why})`;
        run = runPlan(path.join(__dirname, "fixture"), "prod");
    }
    const prefix = `${CONFIG_NAMESPACE}:`;
    const settings = parseSettings((key) => run!.config[prefix + key]);

    const https = run.resources.filter((r) => isType(r, "listener:Listener") && r.inputs.protocol === "HTTPS");
    if (https.length !== 1) throw new Error(`expected one HTTPS listener in the plan, found ${https.length}`);
    const listenerArn = https[0].outputs.arn;
    const rules: ListenerRuleInputs[] = run.resources
        .filter((r) => isType(r, "listenerRule:ListenerRule") && r.inputs.listenerArn === listenerArn)
        .map((r) => ({ name: r.name, priority: r.inputs.priority, conditions: r.inputs.conditions, actions: r.inputs.actions as RuleAction[] }));
    const acls = run.resources.filter((r) => r.type === "aws:wafv2/webAcl:WebAcl");
    if (acls.length !== 1) throw new Error(`expected one web ACL in the plan, found ${acls.length}`);
    const nginx = run.artifacts.filter((a) => a.kind === "nginx.conf");
    if (nginx.length !== 1) throw new Error(`expected one nginx.conf artifact in the plan, found ${nginx.length}`);
    return {
        source,
        settings,
        resources: run.resources,
        listener: { defaultActions: https[0].inputs.defaultActions, rules },
        webAclRules: acls[0].inputs.rules,
        nginxConf: nginx[0].content,
    };
}
