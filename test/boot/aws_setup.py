"""Creates in moto_server what the plan says exists, for the boot test.

Reads a JSON spec on stdin (written by run.ts from plan.json), writes JSON on stdout. The first three
requests are unauthenticated (the server's INITIAL_NO_AUTH_ACTION_COUNT): an administrator user, its
policy and its access key; everything after is signed and judged by IAM, as the node's requests are.

spec: { endpoint, region, roles: [{name, policies: [{name, document}]}], kmsKeys: [id],
        buckets: [{name, kmsKeyArn}], secrets: [{name, value}], objects: [{bucket, key, body | file | base64}],
        instances: [{name, privateIp, tags: {k: v}, role}] }
out:  { admin: {accessKeyId, secretAccessKey}, instances: {name: {instanceId, credentials}} }
"""
import base64
import json
import sys

import boto3

spec = json.load(sys.stdin)
endpoint, region = spec["endpoint"], spec["region"]
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

setup = boto3.client("iam", endpoint_url=endpoint, region_name=region, aws_access_key_id="setup", aws_secret_access_key="setup")
setup.create_user(UserName="boot-test-admin")
setup.put_user_policy(UserName="boot-test-admin", PolicyName="admin", PolicyDocument=json.dumps(ADMIN_POLICY))
key = setup.create_access_key(UserName="boot-test-admin")["AccessKey"]
admin = {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}


def client(service):
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=admin["accessKeyId"], aws_secret_access_key=admin["secretAccessKey"])


iam, kms, s3, sm, ec2, sts = (client(s) for s in ("iam", "kms", "s3", "secretsmanager", "ec2", "sts"))

# EC2 assumes the role for an instance; the test stands in for EC2, so the trust names the test's user
# (the planned trust names the EC2 service, which cannot sign a request here).
admin_arn = iam.get_user(UserName="boot-test-admin")["User"]["Arn"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": admin_arn}, "Action": "sts:AssumeRole"}]}
role_arns = {}
for role in spec["roles"]:
    role_arns[role["name"]] = iam.create_role(RoleName=role["name"], AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    for policy in role["policies"]:
        iam.put_role_policy(RoleName=role["name"], PolicyName=policy["name"], PolicyDocument=json.dumps(policy["document"]))

for key_id in spec["kmsKeys"]:
    kms.create_key(Description=key_id, Tags=[{"TagKey": "_custom_key_id_", "TagValue": key_id}])

for bucket in spec["buckets"]:
    args = {"Bucket": bucket["name"]}
    if region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**args)
    if bucket.get("kmsKeyArn"):
        s3.put_bucket_encryption(Bucket=bucket["name"], ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": bucket["kmsKeyArn"]},
            "BucketKeyEnabled": True}]})

for secret in spec["secrets"]:
    sm.create_secret(Name=secret["name"], SecretString=secret["value"])

for obj in spec["objects"]:
    if "file" in obj:
        body = open(obj["file"], "rb").read()
    elif "base64" in obj:
        body = base64.b64decode(obj["base64"])
    else:
        body = obj["body"].encode()
    s3.put_object(Bucket=obj["bucket"], Key=obj["key"], Body=body)

vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
instances = {}
for inst in spec["instances"]:
    tags = [{"Key": k, "Value": v} for k, v in inst["tags"].items()]
    created = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.large", SubnetId=subnet,
                                PrivateIpAddress=inst["privateIp"],
                                TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])["Instances"][0]
    # The instance profile's credentials: a session of the node role, as EC2 hands them out through IMDS.
    creds = sts.assume_role(RoleArn=role_arns[inst["role"]], RoleSessionName=created["InstanceId"], DurationSeconds=3600)["Credentials"]
    instances[inst["name"]] = {"instanceId": created["InstanceId"], "credentials": {
        "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": creds["AccessKeyId"],
        "SecretAccessKey": creds["SecretAccessKey"], "Token": creds["SessionToken"],
        "Expiration": creds["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"), "LastUpdated": "2026-01-01T00:00:00Z"}}

json.dump({"admin": admin, "instances": instances}, sys.stdout)
