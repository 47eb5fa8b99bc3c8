import { resourceRule } from "../../lib/define";
import { isUnknown } from "../../lib/values";
import { K, SERVING_TYPES, podTemplate } from "./pods";

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-k8s-health-probes",
    description: "Every long-running container has readiness and liveness probes, so traffic and restarts follow the product's health.",
    severity: "medium",
    guidelines: ["PROD-HEALTH-CHECK", "NET-FAILOVER"],
    remediation:
        "Probe the product's health-check API: readiness on the first health check (API-M /api/am/gateway/v2/server-startup-healthcheck, " +
        "IS /api/health-check/v1.0/health, MI /healthz), liveness on the liveness check (MI /liveness), and a startupProbe for slow starts.",
    checkov: ["CKV_K8S_8", "CKV_K8S_9"],
    types: [...SERVING_TYPES, K.daemonSet, K.pod],
    validate(subject, _config, report) {
        const template = podTemplate(subject.type, subject.props);
        if (!template) {
            report.unproven(subject, "the pod spec");
            return;
        }
        const missing: string[] = [];
        for (const c of Array.isArray(template.spec.containers) ? template.spec.containers : []) {
            for (const probe of ["readinessProbe", "livenessProbe"]) {
                if (isUnknown(c[probe])) report.unproven(subject, `container "${c.name}" ${probe}`);
                else if (!c[probe]) missing.push(`container "${c.name}" has no ${probe}`);
            }
        }
        if (missing.length) report.violation(subject, missing.join("; "));
    },
});
