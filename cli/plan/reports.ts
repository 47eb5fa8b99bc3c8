import * as fs from "fs";
import * as path from "path";
import type { RecordedArtifact } from "../../components/artifacts";
import { GUIDELINES } from "../../components/guidelines";
import type { PackModule, Suppression, Violation } from "./evaluate";
import type { PlannedResource } from "./runner";
import { reachabilityEdges, renderReachabilityMermaid } from "./reachability";
import { checkRenderedConfigs, configChecksMarkdown } from "../check-config/artifacts";

export interface PlanResult {
    project: string;
    stack: string;
    programDir: string;
    mainFile: string;
    resources: PlannedResource[];
    stackOutputs: Record<string, unknown>;
    violations: Violation[];
    suppressions: Suppression[];
    artifacts: RecordedArtifact[];
    masked: (v: unknown) => unknown;
    pack: PackModule;
}

function writeJson(file: string, v: unknown): void {
    fs.writeFileSync(file, JSON.stringify(v, null, 2) + "\n");
}

/** Refuses artifact paths that would escape `artifacts/`. */
function safeJoin(dir: string, rel: string): string {
    const p = path.resolve(dir, rel);
    if (!p.startsWith(path.resolve(dir) + path.sep)) throw new Error(`artifact path escapes artifacts/: ${rel}`);
    return p;
}

export function writeReports(outDir: string, r: PlanResult): void {
    fs.mkdirSync(outDir, { recursive: true });
    writeJson(path.join(outDir, "plan.json"), {
        project: r.project,
        stack: r.stack,
        resources: r.resources.map((x) => ({
            urn: x.urn,
            type: x.type,
            name: x.name,
            id: r.masked(x.id),
            parent: x.parent,
            provider: x.provider,
            protect: x.protect,
            dependencies: x.dependencies,
            inputs: r.masked(x.inputs),
            outputs: r.masked(x.outputs),
        })),
        outputs: r.masked(r.stackOutputs),
    });
    // check-config on every rendered product configuration (findings reported, not enforced by the pack).
    const configChecks = checkRenderedConfigs(r.artifacts);
    writeJson(path.join(outDir, "policy-report.json"), {
        policyPack: { name: r.pack.packName, version: r.pack.packVersion },
        violations: r.violations,
        suppressions: r.suppressions,
        configChecks,
    });
    writeJson(path.join(outDir, "policy-report.sarif"), toSarif(r));

    const artifactsDir = path.join(outDir, "artifacts");
    fs.rmSync(artifactsDir, { recursive: true, force: true });
    fs.mkdirSync(artifactsDir, { recursive: true });
    const index = r.artifacts.map((a) => {
        const file = safeJoin(artifactsDir, a.path);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, a.content, { mode: a.kind === "script" ? 0o755 : 0o644 });
        return { kind: a.kind, path: a.path, component: a.component, ...(a.meta ?? {}) };
    });
    writeJson(path.join(artifactsDir, "index.json"), index);
    fs.writeFileSync(path.join(outDir, "report.md"), renderMarkdown(r) + configChecksMarkdown(configChecks));
}

/** Removes what an earlier plan wrote, so a failed plan never leaves a stale one behind. */
export function removeStalePlan(outDir: string): void {
    for (const f of ["plan.json", "policy-report.json", "policy-report.sarif", "report.md", "artifacts"]) {
        fs.rmSync(path.join(outDir, f), { recursive: true, force: true });
    }
}

const SARIF_LEVEL: Record<string, string> = { mandatory: "error", advisory: "warning", remediate: "error", disabled: "none" };
const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

function toSarif(r: PlanResult) {
    const rules = r.pack.packArgs.policies.map((p) => {
        const m = r.pack.policyMeta.find((x) => x.name === p.name);
        return {
            id: p.name,
            name: p.name,
            shortDescription: { text: p.description },
            help: { text: m?.remediation ?? p.description },
            properties: {
                tags: ["security", ...(m?.guidelines ?? [])],
                "security-severity": SECURITY_SEVERITY[p.severity ?? m?.severity ?? "medium"] ?? "5.5",
            },
        };
    });
    const ruleIndex = new Map(rules.map((x, i) => [x.id, i]));
    const uri = path.relative(process.cwd(), r.mainFile).split(path.sep).join("/") || "Pulumi.yaml";
    return {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: { driver: { name: r.pack.packName, version: r.pack.packVersion, informationUri: "https://github.com/wso2-hardening", rules } },
                results: r.violations.map((v) => ({
                    ruleId: v.policyName,
                    ...(ruleIndex.has(v.policyName) ? { ruleIndex: ruleIndex.get(v.policyName) } : {}),
                    level: SARIF_LEVEL[v.enforcementLevel] ?? "warning",
                    message: { text: v.message },
                    locations: [
                        {
                            physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } },
                            logicalLocations: [{ fullyQualifiedName: v.urn, kind: "resource" }],
                        },
                    ],
                    properties: { guidelines: v.guidelines, enforcementLevel: v.enforcementLevel, severity: v.severity },
                })),
            },
        ],
    };
}

function cell(s: string): string {
    return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function renderMarkdown(r: PlanResult): string {
    const mandatory = r.violations.filter((v) => v.enforcementLevel === "mandatory");
    const advisory = r.violations.filter((v) => v.enforcementLevel === "advisory");
    const lines: string[] = [];
    lines.push(`# Plan of ${r.project} / ${r.stack}`, "");
    lines.push(`- Resources: ${r.resources.length}`);
    lines.push(`- Mandatory violations: ${mandatory.length}`);
    lines.push(`- Advisory violations: ${advisory.length}`);
    lines.push(`- Suppressed findings: ${r.suppressions.length}`);
    lines.push(`- Rendered artifacts: ${r.artifacts.length}`, "");

    lines.push("## Guidelines", "");
    lines.push("| Guideline | Title | Policies | Findings |", "|---|---|---|---|");
    const byGuideline = new Map<string, Violation[]>();
    for (const v of r.violations) for (const g of v.guidelines) (byGuideline.get(g) ?? byGuideline.set(g, []).get(g)!).push(v);
    for (const g of GUIDELINES) {
        const policies = r.pack.policyMeta.filter((m) => m.guidelines.includes(g.id)).map((m) => m.name);
        if (policies.length === 0) continue;
        const found = byGuideline.get(g.id) ?? [];
        const summary = found.length === 0 ? "pass" : `${found.filter((v) => v.enforcementLevel === "mandatory").length} mandatory, ${found.filter((v) => v.enforcementLevel === "advisory").length} advisory`;
        lines.push(`| ${g.id} | ${cell(g.title)} | ${policies.join(", ")} | ${summary} |`);
    }
    lines.push("");

    lines.push("## Findings", "");
    if (r.violations.length === 0) lines.push("None.");
    else {
        lines.push("| Level | Policy | Resource | Message |", "|---|---|---|---|");
        for (const v of [...mandatory, ...advisory]) {
            lines.push(`| ${v.enforcementLevel} | ${v.policyName} | \`${cell(v.urn.split("::").pop() ?? v.urn)}\` | ${cell(v.message)} |`);
        }
    }
    lines.push("");
    if (r.suppressions.length > 0) {
        lines.push("## Suppressions", "", "| Policy | Resource | Reason |", "|---|---|---|");
        for (const s of r.suppressions) lines.push(`| ${s.policyName} | \`${cell(s.urn.split("::").pop() ?? s.urn)}\` | ${cell(s.reason)} |`);
        lines.push("");
    }

    lines.push("## Who can reach which node port", "");
    const edges = reachabilityEdges(r.resources.map((x) => ({ type: x.type, name: x.name, urn: x.urn, props: r.masked(x.outputs) as Record<string, unknown> })));
    if (edges.length === 0) lines.push("No security-group ingress in this plan.");
    else lines.push("```mermaid", renderReachabilityMermaid(edges), "```");
    const firewalls = r.artifacts.filter((a) => a.kind === "nftables");
    if (firewalls.length > 0) {
        lines.push("", "Host firewalls (nftables, default drop):", "", "| Artifact | Service ports (load balancer) | Clustering ports (peers) | SSH |", "|---|---|---|---|");
        for (const a of firewalls) {
            const ports = (a.meta?.ports ?? {}) as { service?: number[]; clustering?: number[]; ssh?: number | null };
            lines.push(`| ${a.path} | ${(ports.service ?? []).join(", ")} | ${(ports.clustering ?? []).join(", ") || "none"} | ${ports.ssh ?? "disabled (SSM)"} |`);
        }
    }
    lines.push("");
    return lines.join("\n");
}
