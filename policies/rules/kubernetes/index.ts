/** The pack's Kubernetes policies: they judge resources by type token, whoever created them. */
import type { PolicyMeta, Wso2Rule } from "../../lib/define";
import { rule as restrictedPodSecurity } from "./restricted-pod-security";
import { rule as networkPolicyCoverage } from "./network-policy-coverage";
import { rule as pdbPresent } from "./pdb-present";
import { rule as minReplicas } from "./min-replicas";
import { rule as routeAllowlist } from "./route-allowlist";
import { rule as noLiteralSecrets } from "./no-literal-secrets";
import { rule as imagePinned } from "./image-pinned";
import { rule as healthProbes } from "./health-probes";

export const kubernetesRules: Wso2Rule[] = [
    restrictedPodSecurity,
    networkPolicyCoverage,
    pdbPresent,
    minReplicas,
    routeAllowlist,
    noLiteralSecrets,
    imagePinned,
    healthProbes,
];

export const kubernetesPolicyMeta: PolicyMeta[] = kubernetesRules.map((r) => r.meta);
