/**
 * The kubernetes platform of a stack (`platform: kubernetes`, k8s-prod): the stack's settings mapped onto
 * `Wso2Kubernetes`, the backup bucket it archives to, and the backup job's workload identity.
 */
import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import { PodIdentityAssociation } from "@pulumi/aws/eks/podIdentityAssociation";
import { ConfigError, type Settings } from "../config/settings";
import { productSpec } from "../products";
import { databaseNames, productDatabases } from "../products/databases";
import { RUNTIME_USERNAME } from "../components/aws/database";
import { BackupStore } from "../components/aws/backup";
import { accountId } from "../components/aws/common";
import { backupWriterPolicy, cronFromOnCalendar, podIdentityTrustPolicy, Wso2Kubernetes, type KubernetesInput } from "../components/kubernetes";
import { stackRegion } from "./region";

/**
 * The shared database on Kubernetes: always an existing server (databaseEndpoint), its runtime user's
 * password in the Secret `<name>-database` and its CA bundle in `<name>-database-ca`, both provisioned
 * outside this program (for example synced from Secrets Manager). Unset endpoint: the image's H2.
 */
function kubernetesDatabase(settings: Settings, name: string): KubernetesInput["database"] {
    const databases = productDatabases(settings.product, settings.nodeCount > 1);
    if (databases.length === 0 || !settings.databaseEndpoint) return undefined;
    return {
        host: settings.databaseEndpoint,
        port: settings.databasePort,
        databases: databaseNames(databases, settings.databaseNames),
        runtimeUsername: RUNTIME_USERNAME,
        secretName: `${name}-database`,
        caSecretName: `${name}-database-ca`,
    };
}

/** The renderers' input from validated settings. */
export function kubernetesInput(settings: Settings, name: string): KubernetesInput {
    const problems: { key: string; value: unknown; problem: string }[] = [];
    if (!settings.image) problems.push({ key: "image", value: "", problem: "is required on kubernetes: an image pinned by digest (repo@sha256:...) or exact version tag" });
    if (productSpec(settings.product).layout.configFormat !== "toml") {
        problems.push({ key: "product", value: settings.product, problem: "is not supported on kubernetes yet (only the deployment.toml products apim, mi and is)" });
    }
    if (problems.length) throw new ConfigError(problems);
    return {
        name,
        namespace: settings.namespace,
        environment: settings.environment,
        product: productSpec(settings.product),
        productVersion: settings.productVersion,
        image: settings.image!,
        replicas: settings.nodeCount,
        uid: settings.wso2Uid,
        hostname: settings.domainName,
        publicPaths: settings.publicPaths,
        gateway: { namespace: settings.gatewayNamespace, name: settings.gatewayName },
        activeColor: settings.activeColor,
        canaryWeight: settings.canaryWeight,
        databaseCidrs: settings.databaseCidrs,
        databasePort: settings.databasePort,
        egressCidrs: settings.egressCidrs,
        proxy: settings.proxyHost ? { host: settings.proxyHost, port: settings.proxyPort } : undefined,
        adminSecretName: `${name}-admin`,
        keystoreSecretName: `${name}-keystores`,
        database: kubernetesDatabase(settings, name),
    };
}


/** Builds the kubernetes platform of a stack and returns its outputs. */
export function deployKubernetes(settings: Settings): Record<string, pulumi.Output<unknown>> {
    const name = `wso2-${settings.product}`;
    const input = kubernetesInput(settings, name);
    if (!settings.eksClusterName) {
        throw new ConfigError([{ key: "eksClusterName", value: "", problem: "is required on kubernetes: the backup job's workload identity is bound on that cluster" }]);
    }
    const schedule = cronFromOnCalendar(settings.backupSchedule);
    const region = stackRegion();
    const stack = pulumi.getStack();
    const prefix = `k8s/${stack}/${name}`;
    const tags = { "wso2-hardening:managed-by": "pulumi", "wso2-hardening:stack": stack };

    const store = new BackupStore(`${name}-backups`, {
        retentionDays: settings.backupRetentionDays,
        replicaRegion: settings.backupReplicaRegion,
        logRetentionDays: settings.logRetentionDays,
        deletionProtection: settings.deletionProtection,
        environment: settings.environment,
        tags,
    });
    const backupServiceAccount = `${name}-backup`;
    const role = new iam.Role(`${name}-backup`, {
        description: `${name}: the backup CronJob's workload identity`,
        assumeRolePolicy: accountId().apply((account) =>
            JSON.stringify(podIdentityTrustPolicy({ account, cluster: settings.eksClusterName!, namespace: settings.namespace, serviceAccount: backupServiceAccount })),
        ),
        tags,
    });
    new iam.RolePolicy(`${name}-backup`, {
        role: role.id,
        policy: pulumi
            .all([store.bucketArn, store.keyArn])
            .apply(([bucketArn, keyArn]) => JSON.stringify(backupWriterPolicy({ bucketArn, prefix, keyArn, region }))),
    });

    const cluster = new Wso2Kubernetes(name, {
        input,
        adminUsername: settings.adminUsername,
        backup: { bucket: store.bucketName, kmsKeyArn: store.keyArn, region, prefix, schedule },
        artifactDir: `${stack}/${name}`,
    });
    new PodIdentityAssociation(
        `${name}-backup`,
        { clusterName: settings.eksClusterName, namespace: settings.namespace, serviceAccount: backupServiceAccount, roleArn: role.arn, tags },
        { dependsOn: [cluster] },
    );

    return {
        platform: pulumi.output("kubernetes"),
        namespace: cluster.namespace,
        serviceName: cluster.serviceName,
        httpRouteName: cluster.httpRouteName,
        adminSecretName: cluster.adminSecretName,
        activeColor: pulumi.output(settings.activeColor),
        canaryWeight: pulumi.output(settings.canaryWeight),
        backupBucket: store.bucketName,
        backupPrefix: pulumi.output(prefix),
        backupRoleArn: role.arn,
    };
}
