import { Reporter, Subject, resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown, list, truthy } from "../lib/values";

function checkEncrypted(subject: Subject, report: Reporter, where: string, encrypted: unknown): void {
    if (isUnknown(encrypted)) report.unproven(subject, `${where}.encrypted`);
    else if (!truthy(encrypted)) report.violation(subject, `${where} is not encrypted`);
}

function checkDevices(subject: Subject, report: Reporter, prop: string, wrap: (d: any) => unknown): void {
    const devices = list(subject.props[prop]);
    if (devices === undefined) return report.unproven(subject, prop);
    devices.forEach((d, i) => checkEncrypted(subject, report, `${prop}[${i}]`, isUnknown(d) ? d : wrap(d)));
}

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-volumes-encrypted",
    description: "Every EBS volume of a node (root and data, and so their snapshots and backups) is encrypted.",
    severity: "high",
    guidelines: ["OS-BACKUPS"],
    remediation:
        "Declare the root and data volumes with `encrypted: true` (preferably with a customer-managed `kmsKeyId`): " +
        "`rootBlockDevice`/`ebsBlockDevices` on instances, `blockDeviceMappings[].ebs` on launch templates, `encrypted` on ebs.Volume.",
    checkov: ["CKV_AWS_3", "CKV_AWS_8"],
    trivy: ["AVD-AWS-0026", "AVD-AWS-0131"],
    types: [T.instance, T.launchConfiguration, T.launchTemplate, T.volume],
    validate(subject, _config, report) {
        const p = subject.props;
        switch (subject.type) {
            case T.volume:
                return checkEncrypted(subject, report, "the volume", p.encrypted);
            case T.launchTemplate: {
                const mappings = list(p.blockDeviceMappings);
                if (mappings === undefined) return report.unproven(subject, "blockDeviceMappings");
                if (!mappings.some((m) => m?.ebs)) {
                    return report.violation(subject, "declares no EBS block device, so the root volume keeps the AMI's (unencrypted) setting");
                }
                return mappings.forEach((m, i) => m?.ebs && checkEncrypted(subject, report, `blockDeviceMappings[${i}].ebs`, isUnknown(m.ebs) ? m.ebs : m.ebs.encrypted));
            }
            default: {
                const root = p.rootBlockDevice;
                if (root === undefined || root === null) report.violation(subject, "declares no rootBlockDevice, so the root volume is not encrypted");
                else checkEncrypted(subject, report, "rootBlockDevice", isUnknown(root) ? root : root.encrypted);
                return checkDevices(subject, report, "ebsBlockDevices", (d) => d.encrypted);
            }
        }
    },
});
