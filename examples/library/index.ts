import { Wso2Network } from "wso2-hardening";

const network = new Wso2Network("acme-net", {
    settings: {
        vpcCidr: "10.20.0.0/16",
        availabilityZoneCount: 2,
        environment: "dev",
        logRetentionDays: 30,
        deletionProtection: false,
        privateSubnetIds: [],
        publicSubnetIds: [],
    },
    region: "eu-west-1",
});

export const vpcId = network.vpcId;
