/**
 * wso2-hardening: Pulumi components that deploy WSO2 hardened by default. This entry point is the AWS
 * components with the product catalog; the Kubernetes components are `wso2-hardening/kubernetes` (kept
 * apart so AWS programs do not load the Kubernetes provider), the host renderers `wso2-hardening/host`,
 * the stack configuration `wso2-hardening/config`, the policy pack module `wso2-hardening/policies`.
 */
export * from "./aws";
export * from "../products";
