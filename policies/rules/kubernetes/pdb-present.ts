import { stackRule } from "../../lib/define";
import type { Node } from "../../lib/graph";
import { containsUnknown, isUnknown } from "../../lib/values";
import { K, SERVING_TYPES, namespaceOf, podLabels, podTemplate, selects } from "./pods";

/** Why a PodDisruptionBudget protects nothing: it lets every pod go, or it is not set. */
function toothless(spec: Record<string, any>): string | undefined {
    const { minAvailable, maxUnavailable } = spec;
    if (minAvailable === 0 || minAvailable === "0%") return "minAvailable is 0";
    if (maxUnavailable === "100%") return "maxUnavailable is 100%";
    if (minAvailable === undefined && maxUnavailable === undefined) return "it sets neither minAvailable nor maxUnavailable";
    return undefined;
}

export const rule = stackRule<Record<string, never>>({
    name: "wso2-k8s-pdb-present",
    description: "Every Deployment and StatefulSet has a PodDisruptionBudget that keeps some of its pods through node drains and upgrades.",
    severity: "medium",
    guidelines: ["NET-FAILOVER"],
    remediation:
        "Add a policy/v1 PodDisruptionBudget in the workload's namespace whose selector matches its pod labels, with " +
        "maxUnavailable: 1 (or a minAvailable below the replica count).",
    validate(stack, _config, report) {
        const byNamespace = new Map<string, Node[]>();
        for (const p of stack.ofType(K.podDisruptionBudget)) {
            const ns = namespaceOf(p.props);
            byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), p]);
        }
        for (const w of stack.ofType(...SERVING_TYPES)) {
            const template = podTemplate(w.type, w.props);
            const labels = template && podLabels(template);
            const pdbs = byNamespace.get(namespaceOf(w.props)) ?? [];
            if (!labels || pdbs.some((p) => containsUnknown(p.props.spec?.selector) || isUnknown(p.props.spec))) {
                report.unproven(w, "the pod labels or the PodDisruptionBudgets' selectors");
                continue;
            }
            const matching = pdbs.filter((p) => selects(p.props.spec?.selector, labels));
            if (matching.length === 0) {
                report.violation(w, "no PodDisruptionBudget selects its pods: a node drain may take all of them at once");
                continue;
            }
            const weak = matching.map((p) => [p.name, toothless(p.props.spec)] as const).filter(([, why]) => why);
            if (weak.length === matching.length) {
                report.violation(w, `its PodDisruptionBudget protects nothing (${weak.map(([n, why]) => `${n}: ${why}`).join("; ")})`);
            }
        }
    },
});
