import { resourceRule } from "../lib/define";
import { environmentOf } from "../lib/environment";
import { inheritsFromSource } from "../lib/rds";
import { T } from "../lib/types";
import { isUnknown, truthy } from "../lib/values";

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-db-multi-az",
    description:
        "Production RDS database instances run Multi-AZ: a synchronous standby in a second zone takes over when the primary or its zone fails, " +
        "so the shared state of every WSO2 node survives. Instances tagged as another environment (dev, staging) are not judged; untagged ones count as production.",
    severity: "medium",
    guidelines: ["NET-FAILOVER"],
    remediation: "Set `multiAz: true` on the production database instance, or tag an instance that is not production with its environment (`wso2-hardening:environment: dev`).",
    checkov: ["CKV_AWS_157"],
    types: [T.dbInstance],
    validate(subject, _config, report) {
        if (inheritsFromSource(subject) || !environmentOf(subject.props).production) return;
        const v = subject.props.multiAz;
        if (isUnknown(v)) report.unproven(subject, "multiAz");
        else if (!truthy(v)) report.violation(subject, "the production database has no standby in a second zone (multiAz is not true)");
    },
});
