/**
 * check-config over what a plan renders: every product configuration artifact (a node's deployment.toml or
 * SI deployment.yaml overlay, which carries its product and version) judged against the model, for the
 * policy report and report.md.
 */
import type { ProductId } from "../../products";
import { checkConfig, modelVersions, productModel, type CheckResult } from "../../products/model";

export interface ConfigCheck extends CheckResult {
    /** Artifact path, relative to `artifacts/`. */
    path: string;
    component: string;
}

interface ArtifactLike {
    kind: string;
    path: string;
    component: string;
    content: string;
    meta?: Record<string, unknown>;
}

/** The product configurations among `artifacts`, each judged by check-config. */
export function checkRenderedConfigs(artifacts: readonly ArtifactLike[]): ConfigCheck[] {
    const out: ConfigCheck[] = [];
    for (const a of artifacts) {
        const product = a.meta?.product as ProductId | undefined;
        const version = a.meta?.productVersion as string | undefined;
        if (a.meta?.productConfig !== true || !product || !version || !modelVersions(product).includes(version)) continue;
        out.push({ path: a.path, component: a.component, ...checkConfig(a.content, productModel(product, version)) });
    }
    return out;
}

function cell(s: string): string {
    return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The report.md section: one table of findings per rendered configuration. */
export function configChecksMarkdown(checks: readonly ConfigCheck[]): string {
    if (checks.length === 0) return "";
    const lines = ["", "## Product configuration (check-config)", ""];
    for (const c of checks) {
        const n = (s: string) => c.findings.filter((f) => f.severity === s).length;
        lines.push(`### ${c.path} (${c.product} ${c.version}): ${n("error")} errors, ${n("warning")} warnings, ${n("info")} notes`, "");
        lines.push("| TLS transport | Protocols in force | Ciphers in force |", "|---|---|---|");
        for (const [id, t] of Object.entries(c.effective.tls)) lines.push(`| ${id} | ${t.protocols.join(", ")} | ${t.ciphers.length} suites${t.ciphers.length === 1 ? ` (${t.ciphers[0]})` : ""} |`);
        if (c.findings.length > 0) {
            lines.push("", "| Severity | Finding | Key | Message |", "|---|---|---|---|");
            for (const f of c.findings) lines.push(`| ${f.severity} | ${f.id} | \`${cell(f.key)}\` | ${cell(f.message)} |`);
        }
        lines.push("");
    }
    return lines.join("\n");
}
