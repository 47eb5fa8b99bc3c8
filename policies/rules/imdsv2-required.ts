import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown } from "../lib/values";

export const rule = resourceRule<{ maxHopLimit: number }>({
    name: "wso2-imdsv2-required",
    description: "EC2 nodes require IMDSv2 session tokens, with a response hop limit that keeps the metadata service on the host.",
    severity: "high",
    guidelines: ["NET-OPEN-PORTS"],
    remediation:
        'Set `metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }` on the instance, launch template or ' +
        "launch configuration (enforcement level `remediate` does this automatically). IMDSv1 lets any SSRF in the product read the instance credentials.",
    checkov: ["CKV_AWS_79"],
    trivy: ["AVD-AWS-0028"],
    types: [T.instance, T.launchTemplate, T.launchConfiguration],
    config: {
        maxHopLimit: { type: "integer", minimum: 1, maximum: 64, description: "Largest accepted `httpPutResponseHopLimit` (2 for containers on the node).", default: 1 },
    },
    validate(subject, config, report) {
        const m = subject.props.metadataOptions;
        if (isUnknown(m)) return report.unproven(subject, "metadataOptions");
        if (m?.httpEndpoint === "disabled") return;
        if (isUnknown(m?.httpTokens)) report.unproven(subject, "metadataOptions.httpTokens");
        else if (m?.httpTokens !== "required") {
            report.violation(subject, `IMDSv1 is allowed (metadataOptions.httpTokens is ${m?.httpTokens === undefined ? "not set" : `"${m.httpTokens}"`}); require IMDSv2 tokens`);
        }
        const hop = m?.httpPutResponseHopLimit;
        if (isUnknown(hop)) report.unproven(subject, "metadataOptions.httpPutResponseHopLimit");
        else if (typeof hop === "number" && hop > config.maxHopLimit) {
            report.violation(subject, `metadataOptions.httpPutResponseHopLimit is ${hop}; at most ${config.maxHopLimit} keeps instance credentials on the host`);
        }
    },
    remediate(subject) {
        const m = subject.props.metadataOptions;
        if (isUnknown(m) || m?.httpEndpoint === "disabled" || m?.httpTokens === "required") return undefined;
        return { ...subject.props, metadataOptions: { ...(m ?? {}), httpEndpoint: m?.httpEndpoint ?? "enabled", httpTokens: "required" } };
    },
});
