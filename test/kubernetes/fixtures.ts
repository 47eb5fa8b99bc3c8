/** Inputs of the Kubernetes renderers shared by the tests. */
import { PRODUCTS } from "../../products";
import type { ProductId } from "../../config/settings";
import type { BackupTarget, KubernetesInput } from "../../components/kubernetes/types";

export const IMAGE = `registry.example.com/wso2/wso2am@sha256:${"ab12".repeat(16)}`;

export function input(overrides: Partial<KubernetesInput> = {}, product: ProductId = "apim"): KubernetesInput {
    return {
        name: `wso2-${product}`,
        namespace: "wso2",
        environment: "prod",
        product: PRODUCTS[product],
        productVersion: "",
        image: IMAGE,
        replicas: 3,
        uid: 802,
        hostname: "api.example.com",
        publicPaths: [],
        gateway: { namespace: "gateway-system", name: "public" },
        activeColor: "blue",
        canaryWeight: 0,
        databaseCidrs: ["10.50.64.0/20"],
        databasePort: 5432,
        egressCidrs: ["10.50.0.0/20"],
        adminSecretName: `wso2-${product}-admin`,
        keystoreSecretName: `wso2-${product}-keystores`,
        ...overrides,
    };
}

export const BACKUP: BackupTarget = {
    bucket: "wso2-apim-backups-0123abc",
    region: "eu-west-1",
    prefix: "k8s/k8s-prod/wso2-apim",
    kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0b6c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d",
    schedule: "30 2 * * *",
};
