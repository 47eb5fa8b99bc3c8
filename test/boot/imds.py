"""The EC2 instance metadata service (IMDSv2) for one test VM, one guest connection per run.

QEMU's user-mode network starts this program for each guest connection to 169.254.169.254:80 and wires
the connection to stdin/stdout. It answers the token request and GETs of the paths in the JSON file given
as argument ({"/latest/meta-data/instance-id": "i-...", ...}; a dict value is served as JSON), and only
with a token it issued, as IMDSv2 does with HttpTokens=required.
"""
import json
import sys

TOKEN = "boot-test-imds-token"


def respond(out, status, body, reason):
    data = body.encode()
    out.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)
    out.flush()


def main():
    with open(sys.argv[1]) as f:
        paths = json.load(f)
    stream, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        line = stream.readline()
        if not line:
            return
        if not line.strip():
            continue
        method, target = line.decode().split()[:2]
        headers = {}
        while True:
            h = stream.readline()
            if not h or h in (b"\r\n", b"\n"):
                break
            name, _, value = h.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        if int(headers.get("content-length", "0") or 0):
            stream.read(int(headers["content-length"]))
        if method == "PUT" and target == "/latest/api/token":
            respond(out, 200, TOKEN, "OK")
        elif headers.get("x-aws-ec2-metadata-token") != TOKEN:
            respond(out, 401, "", "Unauthorized")
        elif method == "GET" and target in paths:
            value = paths[target]
            respond(out, 200, value if isinstance(value, str) else json.dumps(value), "OK")
        else:
            respond(out, 404, "", "Not Found")


main()
