/**
 * Physical names the AWS components derive from a stack's name prefix, and AWS's length limits for
 * them. A stack checks them before registering anything: a name over its limit otherwise fails only at
 * the provider, halfway through `pulumi up`.
 */
import type { Settings } from "../../config/settings";
import type { ProductSpec } from "../../products";
import { targetPorts } from "./security-rules";

/** Pulumi's auto-naming appends '-' and 7 random hexadecimal characters to a resource's logical name. */
export const AUTONAME_SUFFIX_LENGTH = 8;

/** AWS's maximum name length per resource type, for the types the components name after the prefix. */
export const NAME_LIMITS: Readonly<Record<string, { limit: number; what: string }>> = {
    "aws:lb/targetGroup:TargetGroup": { limit: 32, what: "target-group" },
    "aws:lb/loadBalancer:LoadBalancer": { limit: 32, what: "load-balancer" },
    "aws:backup/vault:Vault": { limit: 50, what: "AWS Backup vault" },
    "aws:backup/selection:Selection": { limit: 50, what: "AWS Backup selection" },
    "aws:s3/bucket:Bucket": { limit: 63, what: "S3 bucket" },
    "aws:rds/instance:Instance": { limit: 63, what: "RDS instance identifier" },
    "aws:iam/role:Role": { limit: 64, what: "IAM role" },
    "aws:iam/instanceProfile:InstanceProfile": { limit: 128, what: "IAM instance profile" },
    "aws:iam/rolePolicy:RolePolicy": { limit: 128, what: "IAM role policy" },
    "aws:wafv2/webAcl:WebAcl": { limit: 128, what: "WAF web ACL" },
    "aws:ec2/launchTemplate:LaunchTemplate": { limit: 128, what: "launch template" },
    "aws:backup/plan:Plan": { limit: 200, what: "AWS Backup plan" },
    "aws:ec2/securityGroup:SecurityGroup": { limit: 255, what: "security group" },
    "aws:autoscaling/group:Group": { limit: 255, what: "auto-scaling group" },
    "aws:rds/subnetGroup:SubnetGroup": { limit: 255, what: "DB subnet group" },
    "aws:rds/parameterGroup:ParameterGroup": { limit: 255, what: "DB parameter group" },
    "aws:cloudwatch/logGroup:LogGroup": { limit: 512, what: "log group" },
    "aws:secretsmanager/secret:Secret": { limit: 512, what: "secret" },
};

export interface DerivedName {
    type: string;
    /** The resource's logical name; its physical name is this plus Pulumi's suffix unless `physicalName` is set. */
    logicalName: string;
    /** A name the component sets itself (no suffix). */
    physicalName?: string;
}

export function physicalLength(n: DerivedName): number {
    return n.physicalName?.length ?? n.logicalName.length + AUTONAME_SUFFIX_LENGTH;
}

/**
 * The longest-bound names a stack of this role derives from `prefix`: those of the cluster (target
 * groups, buckets, roles, backup vaults) and those of the edge (load balancer, its log bucket, WAF).
 * Kept equal to what the components register by a test that plans the stacks.
 */
export function derivedNames(
    prefix: string,
    settings: Pick<Settings, "role" | "publicPaths" | "backupReplicaRegion">,
    product: ProductSpec,
): DerivedName[] {
    const names: DerivedName[] = [];
    const add = (type: string, logicalName: string, physicalName?: string) => names.push({ type, logicalName, physicalName });
    if (settings.role !== "edge") {
        for (const port of targetPorts(settings, product)) add("aws:lb/targetGroup:TargetGroup", `${prefix}-${port}`);
        add("aws:s3/bucket:Bucket", `${prefix}-backups`);
        add("aws:s3/bucket:Bucket", `${prefix}-backups-access-logs`);
        if (settings.backupReplicaRegion) {
            add("aws:s3/bucket:Bucket", `${prefix}-backups-replica`);
            add("aws:s3/bucket:Bucket", `${prefix}-backups-replica-logs`);
            add("aws:iam/role:Role", `${prefix}-backups-replication`);
            add("aws:backup/vault:Vault", `${prefix}-volumes-copy`);
        }
        add("aws:iam/role:Role", `${prefix}-volumes-backup`);
        add("aws:iam/role:Role", `${prefix}-node`);
        add("aws:iam/role:Role", `${prefix}-flow-logs`);
        add("aws:backup/vault:Vault", `${prefix}-volumes`);
        add("aws:backup/selection:Selection", `${prefix}-volumes`);
    }
    if (settings.role !== "cluster") {
        add("aws:lb/loadBalancer:LoadBalancer", prefix);
        add("aws:s3/bucket:Bucket", `${prefix}-access-logs`);
        add("aws:wafv2/webAcl:WebAcl", prefix);
    }
    return names;
}

/** Each derived name over its limit, as a sentence naming the name, its length and the limit. */
export function nameLimitProblems(names: readonly DerivedName[]): string[] {
    const problems: string[] = [];
    for (const n of names) {
        const limit = NAME_LIMITS[n.type];
        const length = physicalLength(n);
        if (!limit || length <= limit.limit) continue;
        const shown = n.physicalName ?? `${n.logicalName}-xxxxxxx`;
        problems.push(`the ${limit.what} name ${shown} has ${length} characters, AWS allows ${limit.limit}`);
    }
    return problems;
}
