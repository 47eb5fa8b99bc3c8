/**
 * Pulumi type tokens the rules judge. `aws.alb.*` are aliases of `aws.lb.*` and the `...V2` S3 tokens
 * aliases of the plain ones, so every token is mapped to one canonical name before matching.
 */

export const T = {
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    instance: "aws:ec2/instance:Instance",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    launchConfiguration: "aws:ec2/launchConfiguration:LaunchConfiguration",
    volume: "aws:ebs/volume:Volume",
    eip: "aws:ec2/eip:Eip",
    autoScalingGroup: "aws:autoscaling/group:Group",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    targetGroupAttachment: "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    asgAttachment: "aws:autoscaling/attachment:Attachment",
    webAclAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
    bucket: "aws:s3/bucket:Bucket",
    bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketAcl: "aws:s3/bucketAcl:BucketAcl",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
    bucketObject: "aws:s3/bucketObject:BucketObject",
    kmsKey: "aws:kms/key:Key",
    kmsAlias: "aws:kms/alias:Alias",
    efsFileSystem: "aws:efs/fileSystem:FileSystem",
    certificate: "aws:acm/certificate:Certificate",
    bucketReplication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    secret: "aws:secretsmanager/secret:Secret",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    ssmParameter: "aws:ssm/parameter:Parameter",
    configMap: "kubernetes:core/v1:ConfigMap",
    dbInstance: "aws:rds/instance:Instance",
    dbCluster: "aws:rds/cluster:Cluster",
    dbParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    dbClusterParameterGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
} as const;

const ALIASES: Record<string, string> = {
    "aws:alb/loadBalancer:LoadBalancer": T.loadBalancer,
    "aws:alb/listener:Listener": T.listener,
    "aws:alb/listenerRule:ListenerRule": T.listenerRule,
    "aws:alb/targetGroup:TargetGroup": T.targetGroup,
    "aws:alb/targetGroupAttachment:TargetGroupAttachment": T.targetGroupAttachment,
    "aws:s3/bucketV2:BucketV2": T.bucket,
    "aws:s3/bucketVersioningV2:BucketVersioningV2": T.bucketVersioning,
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": T.bucketEncryption,
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": T.bucketLifecycle,
    "aws:s3/bucketAclV2:BucketAclV2": T.bucketAcl,
    "aws:s3/bucketLoggingV2:BucketLoggingV2": T.bucketLogging,
    "aws:s3/bucketObjectv2:BucketObjectv2": T.bucketObject,
};

/** The canonical token of a type (itself when it has no alias). */
export function canonicalType(type: string): string {
    return ALIASES[type] ?? type;
}
