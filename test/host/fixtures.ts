/** Inputs shared by the host tests. */
import { PRODUCTS } from "../../products";
import type { ProductId } from "../../config/settings";
import type { NodeHostInput } from "../../components/host/types";

export function nodeInput(product: ProductId = "apim", overrides: Partial<NodeHostInput> = {}): NodeHostInput {
    return {
        clusterName: "wso2-prod",
        environment: "prod",
        product: PRODUCTS[product],
        productVersion: "",
        region: "eu-west-1",
        wso2Uid: 802,
        instanceMemoryMiB: 16384,
        domainName: "api.example.com",
        sshSourceCidrs: ["10.200.3.0/24"],
        sshPort: 2222,
        lbSourceCidrs: ["10.200.1.0/24"],
        clusterTag: { key: "wso2:cluster", value: "wso2-prod" },
        adminSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wso2-prod/admin-AbCdEf",
        keystoreSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wso2-prod/keystore-AbCdEf",
        backupBucket: "wso2-prod-backups",
        backupPrefix: "wso2-prod",
        backupSchedule: "daily",
        clusterPeersRefresh: "minutely",
        updateWindow: "Wed *-*-* 03:00",
        logGroupName: "/wso2/prod",
        ...overrides,
    };
}
