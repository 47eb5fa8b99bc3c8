import { resourceRule } from "../lib/define";
import { environmentOf } from "../lib/environment";
import { DATABASE_TYPES, inheritsFromSource } from "../lib/rds";
import { isUnknown, truthy } from "../lib/values";

export const rule = resourceRule<Record<string, never>>({
    name: "wso2-db-deletion-protection",
    description:
        "Production RDS databases have deletion protection and take a final snapshot when deleted, so a mistaken change cannot destroy " +
        "the state every WSO2 node shares. Databases tagged as another environment (dev, staging) are not judged; untagged ones count as production.",
    severity: "high",
    guidelines: ["NET-FAILOVER", "DATA-BACKUP-RDBMS"],
    remediation:
        "Set `deletionProtection: true`, `skipFinalSnapshot: false` and a `finalSnapshotIdentifier` on the production database, or tag a " +
        "database that is not production with its environment (`wso2-hardening:environment: dev`).",
    checkov: ["CKV_AWS_293", "CKV_AWS_139"],
    types: DATABASE_TYPES,
    validate(subject, _config, report) {
        if (inheritsFromSource(subject) || !environmentOf(subject.props).production) return;
        const p = subject.props;
        if (isUnknown(p.deletionProtection)) report.unproven(subject, "deletionProtection");
        else if (!truthy(p.deletionProtection)) report.violation(subject, "deletion protection is off on a production database");
        // The provider skips the final snapshot unless told otherwise.
        if (isUnknown(p.skipFinalSnapshot)) report.unproven(subject, "skipFinalSnapshot");
        else if (p.skipFinalSnapshot === undefined || p.skipFinalSnapshot === null || truthy(p.skipFinalSnapshot)) {
            report.violation(subject, "deleting the production database would take no final snapshot (skipFinalSnapshot is not false)");
        }
    },
});
