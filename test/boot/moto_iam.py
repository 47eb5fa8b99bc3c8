"""moto_server with IAM enforcement that also judges Secrets Manager calls by the secret they name.

moto checks the caller's IAM policies on every signed request after INITIAL_NO_AUTH_ACTION_COUNT set-up
requests, but for Secrets Manager it judges the action against Resource "*" only, so a policy that names
its secrets' ARNs (least privilege) would be refused everything and one that grants "*" would pass every
read. This wrapper names the requested secret as the resource: the ARN as the caller gave it, or the
stored secret's ARN for a name. S3 signatures moto miscomputes (list requests with "/" in the prefix)
are not compared; see below. Conditions on kms:ViaService cannot be shown: moto does not call KMS when
Secrets Manager or S3 decrypt.

usage: python3 moto_iam.py [moto_server arguments]
"""
import json
import sys

from moto.iam.access_control import S3IAMRequest
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

_check_s3_signature = S3IAMRequest.check_signature


def _check_s3_signature_tolerant(self):
    # moto recomputes S3 SigV4 signatures from a re-encoded query and gets list requests whose prefix holds
    # "/" wrong (SignatureDoesNotMatch for a correct signature). The caller is still identified by its access
    # key (an unknown key is refused) and judged by its policies; only the signature comparison is waived.
    try:
        _check_s3_signature(self)
    except Exception as e:
        if "SignatureDoesNotMatch" not in type(e).__name__:
            raise


S3IAMRequest.check_signature = _check_s3_signature_tolerant

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
