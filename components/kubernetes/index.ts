/**
 * WSO2 on Kubernetes: the `Wso2Kubernetes` component, its renderers, and the IAM documents of its backup
 * job's workload identity (an IAM role bound to the job's ServiceAccount by an EKS Pod Identity association).
 */
import { policyDocument, type PolicyDocument } from "../aws/common";

export * from "./types";
export * from "./security";
export * from "./workload";
export * from "./complete-config";
export * from "./network";
export * from "./backup";
export * from "./manifests";
export * from "./component";

/** Trust of the backup role: EKS Pod Identity, for one ServiceAccount of one namespace of one cluster. */
export function podIdentityTrustPolicy(p: { account: string; cluster: string; namespace: string; serviceAccount: string }): PolicyDocument {
    return policyDocument([
        {
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: {
                StringEquals: {
                    "aws:SourceAccount": p.account,
                    "aws:RequestTag/eks-cluster-name": p.cluster,
                    "aws:RequestTag/kubernetes-namespace": p.namespace,
                    "aws:RequestTag/kubernetes-service-account": p.serviceAccount,
                },
            },
        },
    ]);
}

/** What the backup job may do: write objects under its prefix, encrypting them with the bucket's key. */
export function backupWriterPolicy(p: { bucketArn: string; prefix: string; keyArn: string; region: string }): PolicyDocument {
    return policyDocument([
        { Sid: "WriteArchives", Effect: "Allow", Action: "s3:PutObject", Resource: `${p.bucketArn}/${p.prefix}/*` },
        {
            Sid: "EncryptArchives",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Encrypt"],
            Resource: p.keyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${p.region}.amazonaws.com` } },
        },
    ]);
}
