"""One AWS API call against the emulator with the credentials in the environment: the test's administrator
inspecting what a node did, or a node's own credentials (AWS_SESSION_TOKEN too) asking for what its role
must be refused.

usage: AWS_ENDPOINT_URL=... AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_DEFAULT_REGION=...
       python3 aws_call.py SERVICE OPERATION '{"Param": ...}'
Prints the response as JSON; a streaming Body is read and given base64-encoded as "BodyBase64". A refused
call prints {"Error": {"Code", "Message"}, "HTTPStatusCode"} and exits 3.
"""
import base64
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

service, operation, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3] if len(sys.argv) > 3 else "{}")
client = boto3.client(service, endpoint_url=os.environ["AWS_ENDPOINT_URL"])
try:
    response = getattr(client, operation)(**params)
except ClientError as e:
    json.dump({"Error": e.response.get("Error", {}), "HTTPStatusCode": e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")}, sys.stdout)
    sys.exit(3)
response.pop("ResponseMetadata", None)
if "Body" in response:
    response["BodyBase64"] = base64.b64encode(response.pop("Body").read()).decode()
json.dump(response, sys.stdout, default=str)
