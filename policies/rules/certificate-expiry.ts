import { X509Certificate } from "crypto";
import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown } from "../lib/values";

const DAY_MS = 24 * 60 * 60 * 1000;

export const rule = resourceRule<{ minDaysLeft: number }>({
    name: "wso2-certificate-expiry",
    description:
        "Certificates imported into ACM (which AWS never renews) are valid for at least `minDaysLeft` more days, so the load balancer " +
        "in front of WSO2 does not serve an expired certificate. Judged where the certificate body is known.",
    severity: "medium",
    guidelines: ["PROD-TLS-STRONG"],
    remediation:
        "Import a renewed certificate (`certificateBody`, `privateKey`, `certificateChain`) before the old one expires, or use an " +
        "ACM-issued certificate (`domainName` with DNS validation), which AWS renews by itself.",
    enforcementLevel: "advisory",
    types: [T.certificate],
    config: {
        minDaysLeft: { type: "integer", minimum: 1, description: "Fewest days an imported certificate must still be valid.", default: 30 },
    },
    validate(subject, config, report) {
        const body = subject.props.certificateBody;
        // Only imported certificates carry a body; ACM-issued ones are renewed by AWS.
        if (body === undefined || body === null || body === "") return;
        if (isUnknown(body)) return report.unproven(subject, "certificateBody");
        let cert: X509Certificate;
        try {
            cert = new X509Certificate(String(body));
        } catch {
            return report.violation(subject, "certificateBody is not a PEM-encoded X.509 certificate");
        }
        const daysLeft = Math.floor((Date.parse(cert.validTo) - Date.now()) / DAY_MS);
        if (daysLeft < 0) report.violation(subject, `the imported certificate expired on ${cert.validTo} (${-daysLeft} days ago)`);
        else if (daysLeft < config.minDaysLeft) {
            report.violation(subject, `the imported certificate expires on ${cert.validTo}, in ${daysLeft} days (fewer than ${config.minDaysLeft}); import a renewed one`);
        }
    },
});
