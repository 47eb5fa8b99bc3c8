import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown } from "../lib/values";

/** ELB security policies whose lowest protocol is TLS 1.2 (names from the ELB documentation). */
const TLS12_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
];

export const rule = resourceRule<{ allowedSslPolicies: string[] }>({
    name: "wso2-lb-tls-policy",
    description: "HTTPS and TLS listeners use a security policy that allows only TLS 1.2 and newer.",
    severity: "high",
    guidelines: ["PROD-TLS-STRONG"],
    remediation:
        'Set `sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"` (forward secrecy, AES-GCM only) or another TLS 1.2+ policy on ' +
        "every HTTPS/TLS listener. Policies such as ELBSecurityPolicy-2016-08 or ELBSecurityPolicy-TLS-1-1-2017-01 still accept TLS 1.0/1.1.",
    checkov: ["CKV_AWS_103"],
    trivy: ["AVD-AWS-0047"],
    types: [T.listener],
    config: {
        allowedSslPolicies: {
            type: "array",
            items: { type: "string" },
            description: "Security policies accepted on HTTPS/TLS listeners (all must refuse TLS 1.0 and 1.1).",
            default: TLS12_POLICIES,
        },
    },
    validate(subject, config, report) {
        const p = subject.props;
        if (isUnknown(p.protocol)) return report.unproven(subject, "protocol");
        if (p.protocol !== "HTTPS" && p.protocol !== "TLS") return;
        if (isUnknown(p.sslPolicy)) return report.unproven(subject, "sslPolicy");
        if (!p.sslPolicy) {
            return report.violation(subject, `the ${p.protocol} listener sets no sslPolicy, so AWS picks its default; name a TLS 1.2+ policy`);
        }
        if (!config.allowedSslPolicies.includes(p.sslPolicy)) {
            report.violation(subject, `sslPolicy "${p.sslPolicy}" is not a TLS 1.2+ policy (it accepts older protocols or is unknown to this pack)`);
        }
    },
});
