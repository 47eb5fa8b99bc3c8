import { resourceRule } from "../lib/define";
import { T } from "../lib/types";
import { isUnknown, truthy } from "../lib/values";

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-db-not-public",
    description: "RDS database instances are not publicly accessible: no public address, reachable only inside the VPC.",
    severity: "critical",
    guidelines: ["NET-OPEN-PORTS"],
    remediation: "Set `publiclyAccessible: false` and place the database in a subnet group of private subnets.",
    checkov: ["CKV_AWS_17"],
    trivy: ["AVD-AWS-0180"],
    types: [T.dbInstance, "aws:rds/clusterInstance:ClusterInstance"],
    validate(subject, _config, report) {
        const v = subject.props.publiclyAccessible;
        if (isUnknown(v)) report.unproven(subject, "publiclyAccessible");
        else if (truthy(v)) report.violation(subject, "the database is publicly accessible (publiclyAccessible is true)");
    },
});
