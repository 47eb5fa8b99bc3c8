import { resourceRule } from "../../lib/define";
import { isUnknown } from "../../lib/values";
import { SERVING_TYPES } from "./pods";

export const rule = resourceRule<{ minReplicas: number }>({
    name: "wso2-k8s-min-replicas",
    description: "Deployments and StatefulSets run at least two replicas, so the orchestrator can fail over.",
    severity: "medium",
    guidelines: ["NET-FAILOVER"],
    remediation:
        "Set spec.replicas to 2 or more and spread the pods over zones and nodes with topologySpreadConstraints " +
        "(topology.kubernetes.io/zone and kubernetes.io/hostname).",
    config: {
        minReplicas: { type: "integer", minimum: 1, description: "Fewest replicas accepted.", default: 2 },
    },
    types: SERVING_TYPES,
    validate(subject, config, report) {
        const replicas = subject.props.spec?.replicas;
        if (isUnknown(replicas) || isUnknown(subject.props.spec)) {
            report.unproven(subject, "spec.replicas");
            return;
        }
        // The API server defaults an absent replica count to 1.
        const n = replicas === undefined || replicas === null ? 1 : Number(replicas);
        if (n < config.minReplicas) report.violation(subject, `runs ${n} replica${n === 1 ? "" : "s"}; at least ${config.minReplicas} are needed for failover`);
    },
});
