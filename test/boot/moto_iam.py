"""moto_server with IAM enforcement that also judges Secrets Manager calls by the secret they name.

moto checks the caller's IAM policies on every signed request after INITIAL_NO_AUTH_ACTION_COUNT set-up
requests, but for Secrets Manager it judges the action against Resource "*" only, so a policy that names
its secrets' ARNs (least privilege) would be refused everything and one that grants "*" would pass every
read. This wrapper names the requested secret as the resource: the ARN as the caller gave it, or the
stored secret's ARN for a name. Conditions on kms:ViaService cannot be shown: moto does not call KMS when
Secrets Manager or S3 decrypt.

usage: python3 moto_iam.py [moto_server arguments]
"""
import json
import sys

from moto.secretsmanager.responses import SecretsManagerResponse
from moto.server import main


def _secret_resource(self):
    try:
        secret_id = json.loads(self.body or "{}").get("SecretId")
    except ValueError:
        return "*"
    if not secret_id:
        return "*"
    if secret_id.startswith("arn:"):
        return secret_id
    try:
        return self.backend.describe_secret(secret_id).arn
    except Exception:
        return f"arn:aws:secretsmanager:{self.region}:{self.current_account}:secret:{secret_id}"


SecretsManagerResponse._determine_resource = _secret_resource

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
