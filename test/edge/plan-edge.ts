/**
 * The edge as the prod plan produced it: runs `stacks/` (stack `prod`) under the plan's mocks in a
 * child process and extracts the HTTPS listener, its rules, the web ACL and the nginx artifact.
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
    settings: Settings;
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

export function planEdge(): PlannedEdge {
    const run = runPlan(ROOT, "prod");
    if (!run.resources.some((r) => r.type === "wso2-hardening:aws:EdgeLoadBalancer")) throw new Error("the prod plan builds no EdgeLoadBalancer");
    const prefix = `${CONFIG_NAMESPACE}:`;
    const settings = parseSettings((key) => run.config[prefix + key]);

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
        settings,
        listener: { defaultActions: https[0].inputs.defaultActions, rules },
        webAclRules: acls[0].inputs.rules,
        nginxConf: nginx[0].content,
    };
}
