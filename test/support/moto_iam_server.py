"""
moto_server with IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT), corrected where moto 5.x does not behave
as AWS does for the calls a WSO2 node makes. Usage: python3 moto_iam_server.py [moto_server arguments].

1. Secrets Manager: moto authorizes every request against the resource "*", so a statement naming a
   secret's ARN never matches (a node would be refused its own secret, and reading another cluster's
   secret could never be refused for the right reason). Here the request's SecretId (name, partial or full
   ARN) resolves to the secret's full ARN, as AWS does.
2. SigV4: moto rebuilds the canonical request from a URL whose query the web server has already
   percent-decoded, so any signed query value with a '/' (an S3 list prefix such as nodes/wso2-prod/)
   fails with SignatureDoesNotMatch. Here the query is re-encoded as SigV4 prescribes before checking.

What this emulation still cannot show: moto evaluates no Condition values (s3:prefix, kms:ViaService are
taken as satisfied), and no KMS permission is checked on S3 or Secrets Manager calls.
"""
import json
import sys
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from moto.iam import access_control
from moto.secretsmanager.exceptions import SecretNotFoundException
from moto.secretsmanager.responses import SecretsManagerResponse
from moto.server import main

_create_aws_request = access_control.IAMRequestBase._create_aws_request


def _sigv4_query(query: str) -> str:
    pairs = []
    for part in query.split("&"):
        key, _, value = part.partition("=")
        pairs.append(f"{quote(unquote(key), safe='-_.~')}={quote(unquote(value), safe='-_.~')}")
    return "&".join(pairs)


def _create_aws_request_reencoded(self):  # type: ignore[no-untyped-def]
    request = _create_aws_request(self)
    parts = urlsplit(request.url)
    if parts.query:
        request.url = urlunsplit(parts._replace(query=_sigv4_query(parts.query)))
    return request


def _secret_resource(self):  # type: ignore[no-untyped-def]
    try:
        secret_id = json.loads(self.body or "{}").get("SecretId")
    except ValueError:
        secret_id = None
    if not secret_id:
        return "*"
    try:
        return self.backend.describe_secret(secret_id).arn
    except SecretNotFoundException:
        # An unknown secret: authorize against the id as given (a full ARN matches a statement naming it).
        return secret_id


access_control.IAMRequestBase._create_aws_request = _create_aws_request_reencoded
SecretsManagerResponse._determine_resource = _secret_resource

if __name__ == "__main__":
    main(sys.argv[1:])
