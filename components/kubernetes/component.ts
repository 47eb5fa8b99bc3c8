/**
 * `Wso2Kubernetes`: the manifests of `manifests.ts` as Kubernetes resources, plus the generated super
 * admin password in a Secret. Every manifest is recorded as a `k8s-manifest` artifact (Secrets without
 * their data).
 */
import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as policyv1 from "@pulumi/kubernetes/policy/v1";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { recordArtifacts } from "../artifacts";
import { manifestArtifacts, renderBackupManifest, renderClusterManifests } from "./manifests";
import type { BackupTarget, KubernetesInput, Manifest } from "./types";

/** Characters of the generated password: none that TOML strings or the `[secrets]` brackets must escape. */
export const ADMIN_PASSWORD_SPECIALS = "!#%*+,-.:=?@^_~";

export interface Wso2KubernetesArgs {
    /** The deployment, as the renderers take it. */
    input: KubernetesInput;
    /** Super admin user name, stored next to the generated password. */
    adminUsername: string;
    /** Where the backup job uploads; bucket and key may be Outputs of the stack's backup store. */
    backup: Omit<BackupTarget, "bucket" | "kmsKeyArn"> & { bucket: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string> };
    /**
     * Directory under `artifacts/` the manifests are written to.
     * @default the component's name
     */
    artifactDir?: string;
}

/** A hardened WSO2 deployment on a Kubernetes cluster. */
export class Wso2Kubernetes extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    /** Service of the active color. */
    readonly serviceName: pulumi.Output<string>;
    readonly httpRouteName: pulumi.Output<string>;
    readonly adminSecretName: pulumi.Output<string>;
    readonly backupServiceAccountName: string;
    /** Every resource by `<kind>/<name>`. */
    readonly resources: Record<string, pulumi.CustomResource> = {};

    constructor(name: string, args: Wso2KubernetesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wso2-hardening:kubernetes:Wso2Kubernetes", name, {}, opts);
        const input = args.input;
        const dir = args.artifactDir ?? name;
        const manifests = renderClusterManifests(input);
        recordArtifacts(name, manifestArtifacts(dir, manifests));

        const password = new RandomPassword(
            `${name}-admin-password`,
            { length: 32, special: true, overrideSpecial: ADMIN_PASSWORD_SPECIALS, minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2 },
            { parent: this },
        );

        let namespace: pulumi.CustomResource | undefined;
        const configuration: pulumi.CustomResource[] = [];
        for (const m of manifests) {
            const isWorkload = m.kind === "StatefulSet" || m.kind === "Deployment";
            const dependsOn = isWorkload ? configuration : namespace ? [namespace] : [];
            const r = this.create(name, m, { parent: this, dependsOn }, m.kind === "Secret" ? { username: args.adminUsername, password: password.result } : undefined);
            this.resources[`${m.kind}/${m.metadata.name}`] = r;
            if (m.kind === "Namespace") namespace = r;
            if (["ConfigMap", "Secret", "ServiceAccount", "Service"].includes(m.kind)) configuration.push(r);
        }

        const backup = pulumi.all([args.backup.bucket, args.backup.kmsKeyArn]).apply(([bucket, kmsKeyArn]) => {
            const cronJob = renderBackupManifest(input, { ...args.backup, bucket, kmsKeyArn });
            recordArtifacts(name, manifestArtifacts(dir, [cronJob]));
            return cronJob;
        });
        const cronJobName = `${input.name}-backup`;
        this.resources[`CronJob/${cronJobName}`] = new batchv1.CronJob(
            `${name}-cronjob-${cronJobName}`,
            { metadata: backup.apply((m) => m.metadata), spec: backup.apply((m) => m.spec as never) },
            { parent: this, dependsOn: configuration },
        );

        this.namespace = pulumi.output(input.namespace);
        this.serviceName = pulumi.output(input.name);
        this.httpRouteName = pulumi.output(input.name);
        this.adminSecretName = pulumi.output(input.adminSecretName);
        this.backupServiceAccountName = cronJobName;
        this.registerOutputs({ namespace: this.namespace, serviceName: this.serviceName, httpRouteName: this.httpRouteName });
    }

    /** The Pulumi resource of one manifest. `secretData` is the only data a Secret gets. */
    private create(
        prefix: string,
        m: Manifest,
        opts: pulumi.CustomResourceOptions,
        secretData?: Record<string, pulumi.Input<string>>,
    ): pulumi.CustomResource {
        const name = `${prefix}-${m.kind.toLowerCase()}-${m.metadata.name}`;
        const body = m as Record<string, any>;
        switch (m.kind) {
            case "Namespace":
                return new corev1.Namespace(name, { metadata: m.metadata }, opts);
            case "ServiceAccount":
                return new corev1.ServiceAccount(name, { metadata: m.metadata, automountServiceAccountToken: body.automountServiceAccountToken }, opts);
            case "Secret":
                return new corev1.Secret(
                    name,
                    { metadata: m.metadata, type: body.type, stringData: pulumi.secret(secretData ?? {}) },
                    { ...opts, additionalSecretOutputs: ["data", "stringData"] },
                );
            case "ConfigMap":
                return new corev1.ConfigMap(name, { metadata: m.metadata, data: body.data }, opts);
            case "Service":
                return new corev1.Service(name, { metadata: m.metadata, spec: body.spec }, opts);
            case "StatefulSet":
                return new appsv1.StatefulSet(name, { metadata: m.metadata, spec: body.spec }, opts);
            case "Deployment":
                return new appsv1.Deployment(name, { metadata: m.metadata, spec: body.spec }, opts);
            case "PodDisruptionBudget":
                return new policyv1.PodDisruptionBudget(name, { metadata: m.metadata, spec: body.spec }, opts);
            case "NetworkPolicy":
                return new networkingv1.NetworkPolicy(name, { metadata: m.metadata, spec: body.spec }, opts);
            case "HTTPRoute":
            case "BackendTLSPolicy":
                return new CustomResource(name, { apiVersion: m.apiVersion, kind: m.kind, metadata: m.metadata, spec: body.spec }, opts);
            default:
                throw new Error(`${m.kind} ${m.metadata.name}: no resource mapping for this kind`);
        }
    }
}
