/**
 * The wso2-hardening policy pack, importable without serving it: `index.ts` serves it to the Pulumi
 * engine, the offline `wso2-harden plan` evaluates it in-process (`evaluatePack`).
 */
import type { PolicyPackArgs } from "@pulumi/policy";
import { Wso2Rule } from "./lib/define";
import { rule as backupBucketAccessLogs } from "./rules/backup-bucket-access-logs";
import { rule as bucketKmsEncrypted } from "./rules/bucket-kms-encrypted";
import { rule as certificateExpiry } from "./rules/certificate-expiry";
import { rule as efsEncrypted } from "./rules/efs-encrypted";
import { rule as bucketLifecycle } from "./rules/bucket-lifecycle";
import { rule as bucketPrivate } from "./rules/bucket-private";
import { rule as bucketTlsOnly } from "./rules/bucket-tls-only";
import { rule as bucketVersioned } from "./rules/bucket-versioned";
import { rule as clusterPorts } from "./rules/cluster-ports-members-only";
import { rule as dbBackupRetention } from "./rules/db-backup-retention";
import { rule as dbDeletionProtection } from "./rules/db-deletion-protection";
import { rule as dbMultiAz } from "./rules/db-multi-az";
import { rule as dbNotPublic } from "./rules/db-not-public";
import { rule as dbPortNodesOnly } from "./rules/db-port-nodes-only";
import { rule as dbStorageEncrypted } from "./rules/db-storage-encrypted";
import { rule as dbTlsForced } from "./rules/db-tls-forced";
import { rule as failoverNodes } from "./rules/failover-nodes";
import { rule as imdsv2 } from "./rules/imdsv2-required";
import { rule as kmsRotation } from "./rules/kms-key-rotation";
import { rule as lbAccessLogs } from "./rules/lb-access-logs";
import { rule as lbAdminContexts } from "./rules/lb-admin-contexts-blocked";
import { rule as lbDeletionProtection } from "./rules/lb-deletion-protection";
import { rule as lbDropInvalidHeaders } from "./rules/lb-drop-invalid-headers";
import { rule as lbHttpRedirect } from "./rules/lb-http-redirect-only";
import { rule as lbTlsPolicy } from "./rules/lb-tls-policy";
import { rule as lbWaf } from "./rules/lb-waf-attached";
import { rule as logRetention } from "./rules/log-retention";
import { rule as literalCredentials } from "./rules/no-literal-credentials";
import { rule as noPublicIp } from "./rules/no-public-ip-on-nodes";
import { rule as worldOpenPorts } from "./rules/no-world-open-ports";
import { rule as publicAccessBlock } from "./rules/public-access-block-complete";
import { rule as secretsCustomerKey } from "./rules/secrets-customer-key";
import { rule as sshNotFromWorld } from "./rules/ssh-not-from-world";
import { rule as volumesEncrypted } from "./rules/volumes-encrypted";
import { kubernetesRules } from "./rules/kubernetes";
import { evaluateRules, type EvaluateOptions, type Finding, type PlannedResource } from "./evaluate";
import packageJson from "./package.json";

export type { LeveledViolation, PolicyMeta, SuppressedFinding, Suppression, Wso2Rule } from "./lib/define";
export { takeSuppressions, MIN_SUPPRESSION_REASON, SUPPRESS_TAG_PREFIX, UNPROVEN_LEVEL } from "./lib/define";
export { SCOPE_TAG } from "./lib/scope";
export { configProblems } from "./evaluate";
export type { Finding, PlannedResource, EvaluateOptions } from "./evaluate";

export const packName = "wso2-hardening";
export const packVersion: string = packageJson.version;

export const rules: Wso2Rule[] = [
    clusterPorts,
    sshNotFromWorld,
    worldOpenPorts,
    imdsv2,
    volumesEncrypted,
    noPublicIp,
    literalCredentials,
    failoverNodes,
    lbAccessLogs,
    lbDeletionProtection,
    lbDropInvalidHeaders,
    lbTlsPolicy,
    lbHttpRedirect,
    lbAdminContexts,
    lbWaf,
    bucketVersioned,
    bucketKmsEncrypted,
    bucketPrivate,
    publicAccessBlock,
    bucketLifecycle,
    bucketTlsOnly,
    kmsRotation,
    secretsCustomerKey,
    logRetention,
    backupBucketAccessLogs,
    efsEncrypted,
    certificateExpiry,
    dbStorageEncrypted,
    dbNotPublic,
    dbTlsForced,
    dbMultiAz,
    dbDeletionProtection,
    dbBackupRetention,
    dbPortNodesOnly,
    ...kubernetesRules,
];

export const policyMeta = rules.map((r) => r.meta);

export const packArgs: PolicyPackArgs = {
    description: "WSO2's production and security guidelines, enforced on any Pulumi program at preview.",
    enforcementLevel: "mandatory",
    policies: rules.map((r) => r.policy),
};

/** Runs every policy of the pack over `resources`, the way the engine's analyzer would, and returns the findings. */
export function evaluatePack(resources: PlannedResource[], options: EvaluateOptions = {}): Promise<Finding[]> {
    return evaluateRules(rules, resources, options);
}
