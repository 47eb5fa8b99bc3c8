import { resourceRule } from "../../lib/define";
import { isUnknown } from "../../lib/values";
import { WORKLOAD_TYPES, containersOf, podTemplate } from "./pods";

/** A digest, or a tag that names one exact version (4.3.0, 4.3.0.12, 4.3.0-rocky); never latest or a bare major. */
const PINNED = /(@sha256:[0-9a-f]{64}|:\d+\.\d+\.\d+[A-Za-z0-9._-]*)$/;

export const rule = resourceRule<{ requireDigest: boolean }>({
    name: "wso2-k8s-image-pinned",
    description: "Container images are pinned by digest or an exact version tag, so what was tested and scanned is what runs.",
    severity: "medium",
    guidelines: ["DEP-CONFIG-IN-VCS"],
    remediation:
        "Reference images as repo@sha256:<digest> (or repo:<major.minor.patch> when requireDigest is off), updated through " +
        "version control with each WSO2 update, instead of latest or a moving tag.",
    checkov: ["CKV_K8S_14", "CKV_K8S_43"],
    trivy: ["AVD-KSV-0013"],
    config: {
        requireDigest: { type: "boolean", description: "Accept digests only, not exact version tags.", default: false },
    },
    types: WORKLOAD_TYPES,
    validate(subject, config, report) {
        const template = podTemplate(subject.type, subject.props);
        if (!template) {
            report.unproven(subject, "the pod spec");
            return;
        }
        const loose: string[] = [];
        for (const c of containersOf(template.spec)) {
            if (isUnknown(c.image)) report.unproven(subject, `container "${c.name}" image`);
            else if (typeof c.image !== "string" || !(config.requireDigest ? /@sha256:[0-9a-f]{64}$/ : PINNED).test(c.image)) {
                loose.push(`container "${c.name}" runs ${JSON.stringify(c.image)}`);
            }
        }
        if (loose.length) report.violation(subject, `${loose.join("; ")}: pin ${config.requireDigest ? "by digest" : "by digest or exact version tag"}`);
    },
});
