/**
 * WSO2 scope (policies/lib/scope.ts): WSO2-specific policies judge what a program shows to be WSO2's
 * and what the selector tag says; the rest of a program is left to the generic policies.
 */
import * as assert from "assert";
import { evaluatePack, SCOPE_TAG } from "../../policies/pack";
import { res, secureStack } from "./fixtures";

const RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const GROUP = "aws:ec2/securityGroup:SecurityGroup";

function brokerGroup(tags?: Record<string, string>) {
    return [
        res(GROUP, "queue-sg", { description: "broker", ...(tags ? { tags } : {}) }, { id: "sg-queue" }),
        res(RULE, "queue-clients", { securityGroupId: "sg-queue", ipProtocol: "tcp", fromPort: 5672, toPort: 5672, cidrIpv4: "10.0.0.0/16" }),
    ];
}

async function clusterFindings(stack: ReturnType<typeof secureStack>): Promise<string[]> {
    const findings = await evaluatePack(stack);
    return findings.filter((f) => f.policyName === "wso2-cluster-ports-members-only").map((f) => f.urn!.split("::").pop()!);
}

describe("policies: WSO2 scope", () => {
    it("a broker's group opening 5672 to its clients is not a WSO2 cluster", async () => {
        assert.deepStrictEqual(await clusterFindings([...secureStack(), ...brokerGroup()]), []);
    });

    it(`the selector tag ${SCOPE_TAG}: wso2 puts a group in scope`, async () => {
        assert.deepStrictEqual(await clusterFindings([...secureStack(), ...brokerGroup({ [SCOPE_TAG]: "wso2" })]), ["queue-clients"]);
    });

    it("what a group shows makes it WSO2's: a WSO2 port, or the nodes of a WSO2 launch template using it", async () => {
        const byPort = [...brokerGroup(), res(RULE, "queue-mgmt", { securityGroupId: "sg-queue", ipProtocol: "tcp", fromPort: 9443, toPort: 9443, cidrIpv4: "10.0.0.0/16" })];
        assert.deepStrictEqual(await clusterFindings([...secureStack(), ...byPort]), ["queue-clients"]);
        const byNode = [
            ...brokerGroup(),
            res("aws:ec2/instance:Instance", "apim-1", { vpcSecurityGroupIds: ["sg-queue"], userData: "#!/bin/sh\n/opt/wso2am-4.3.0/bin/api-manager.sh start\n", metadataOptions: { httpTokens: "required" }, rootBlockDevice: { encrypted: true } }),
        ];
        assert.deepStrictEqual(await clusterFindings([...secureStack(), ...byNode]), ["queue-clients"]);
    });

    it(`any other value of ${SCOPE_TAG} takes a resource out, whatever it shows`, async () => {
        const stack = secureStack().map((r) => (r.name === "nodes-sg" ? { ...r, inputs: { ...r.inputs, tags: { [SCOPE_TAG]: "none" } }, outputs: { ...r.outputs, tags: { [SCOPE_TAG]: "none" } } } : r));
        const open = stack.map((r) => (r.name === "nodes-cluster" ? { ...r, inputs: { ...r.inputs, referencedSecurityGroupId: undefined, cidrIpv4: "10.0.0.0/8" }, outputs: { ...r.outputs, referencedSecurityGroupId: undefined, cidrIpv4: "10.0.0.0/8" } } : r));
        // The group's 9443 rule and the WSO2 launch template using it would make it WSO2's; the tag wins.
        assert.deepStrictEqual(await clusterFindings(open), []);
    });
});
