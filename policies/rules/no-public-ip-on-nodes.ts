import { wso2ResourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown, list, truthy } from "../lib/values";

export const rule = wso2ResourceRule<Record<string, never>>({
    name: "wso2-no-public-ip-on-nodes",
    description: "WSO2 nodes get no public IP address; only the load balancer faces the internet.",
    severity: "high",
    guidelines: ["NET-OPEN-PORTS"],
    remediation:
        "Run nodes in private subnets with `associatePublicIpAddress: false` (launch templates: on every network interface); " +
        "reach the internet through a NAT gateway or VPC endpoints and administer through SSM. Do not attach Elastic IPs to nodes.",
    checkov: ["CKV_AWS_88"],
    trivy: ["AVD-AWS-0009"],
    types: [T.instance, T.launchTemplate, T.launchConfiguration, T.eip],
    validate(subject, _config, report) {
        const p = subject.props;
        if (subject.type === T.eip) {
            for (const prop of ["instance", "networkInterface"]) {
                if (isUnknown(p[prop]) || (typeof p[prop] === "string" && p[prop] !== "")) {
                    report.violation(subject, `an Elastic IP is attached to a node (${prop}); nodes must stay private`);
                    return;
                }
            }
            return;
        }
        if (subject.type === T.launchTemplate) {
            const nics = list(p.networkInterfaces);
            if (nics === undefined) return report.unproven(subject, "networkInterfaces");
            nics.forEach((n, i) => {
                if (isUnknown(n?.associatePublicIpAddress)) report.unproven(subject, `networkInterfaces[${i}].associatePublicIpAddress`);
                else if (truthy(n?.associatePublicIpAddress)) report.violation(subject, `networkInterfaces[${i}] associates a public IP address`);
            });
            return;
        }
        if (isUnknown(p.associatePublicIpAddress)) report.unproven(subject, "associatePublicIpAddress");
        else if (truthy(p.associatePublicIpAddress)) report.violation(subject, "associatePublicIpAddress is true; nodes must stay private");
    },
});
