/** Configuration of the node's agents: CloudWatch log shipping and unattended security updates. */
import type { ProductSpec } from "../../products";
import { productHome } from "../../products";

export interface CloudWatchAgentInput {
    product: ProductSpec;
    productVersion: string;
    region: string;
    logGroupName: string;
}

/**
 * Ships the product's logs and the audit log to one log group, a stream per instance and source
 * (PROD-LOG-ROTATION monitoring, OS-MONITOR-USERS). The group's retention is set where it is created.
 */
export function renderCloudWatchAgentConfig(input: CloudWatchAgentInput): string {
    if (!/^[A-Za-z0-9_\-/.#]{1,512}$/.test(input.logGroupName)) {
        throw new Error(`logGroupName: ${JSON.stringify(input.logGroupName)} is not a CloudWatch log group name`);
    }
    const home = productHome(input.product, input.productVersion);
    const file = (path: string, stream: string) => ({
        file_path: path,
        log_group_name: input.logGroupName,
        log_stream_name: `{instance_id}/${stream}`,
        timezone: "UTC",
    });
    const config = {
        // Root reads the audit log (0600) and the product logs (0750 wso2) without loosening their modes.
        agent: { region: input.region, run_as_user: "root", logfile: "/opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log" },
        logs: {
            logs_collected: {
                files: {
                    collect_list: [
                        file(`${home}/${input.product.layout.logDir}/*.log`, "product"),
                        file("/var/log/audit/audit.log", "audit"),
                    ],
                },
            },
        },
    };
    return JSON.stringify(config, null, 2) + "\n";
}

/** Security updates only, no reboot (the product restarts in its own window), unused packages removed. */
export function renderUnattendedUpgradesConfig(): string {
    return [
        "// WSO2 node: security updates only (rendered by wso2-hardening).",
        'APT::Periodic::Update-Package-Lists "1";',
        'APT::Periodic::Unattended-Upgrade "1";',
        "Unattended-Upgrade::Origins-Pattern {",
        '    "origin=Debian,codename=${distro_codename}-security,label=Debian-Security";',
        '    "origin=Debian,codename=${distro_codename},label=Debian-Security";',
        "};",
        'Unattended-Upgrade::Remove-Unused-Dependencies "true";',
        'Unattended-Upgrade::Automatic-Reboot "false";',
        "",
    ].join("\n");
}
