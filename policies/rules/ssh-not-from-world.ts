import { resourceRule } from "../lib/define";
import { INGRESS_TYPES, coversPort, describePorts, ingressOf, isWorld } from "../lib/net";

export const rule = resourceRule<{ sshPorts: number[] }>({
    name: "wso2-ssh-not-from-world",
    description: "SSH is never open to the whole internet (0.0.0.0/0 or ::/0).",
    severity: "critical",
    guidelines: ["OS-SSH", "NET-OPEN-PORTS"],
    remediation:
        "Allow SSH only from named administration networks, or close it and use AWS Systems Manager Session Manager. " +
        "Never use 0.0.0.0/0 or ::/0 as an SSH source.",
    checkov: ["CKV_AWS_24"],
    trivy: ["AVD-AWS-0107"],
    types: INGRESS_TYPES,
    config: {
        sshPorts: { type: "array", items: { type: "integer" }, description: "Ports sshd listens on.", default: [22] },
    },
    validate(subject, config, report) {
        for (const rule of ingressOf(subject)) {
            const at = rule.where === "rule" ? "" : ` (${rule.where})`;
            const world = rule.cidrs.filter(isWorld);
            if (world.length === 0) {
                if (rule.unknownFields.length && (!rule.ports || config.sshPorts.some((p) => coversPort(rule.ports!, p)))) {
                    report.unproven(subject, `the source of a rule that may open SSH${at} (${rule.unknownFields.join(", ")})`);
                }
                continue;
            }
            if (!rule.ports) {
                report.unproven(subject, `the port range of a rule open to ${world.join(", ")}${at}`);
                continue;
            }
            const ssh = config.sshPorts.filter((p) => coversPort(rule.ports!, p));
            if (ssh.length) report.violation(subject, `${describePorts(rule.ports)}${at} opens SSH (${ssh.join(", ")}) to ${world.join(", ")}`);
        }
    },
});
