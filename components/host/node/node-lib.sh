# shellcheck shell=bash
# Sourced by every step of a WSO2 node (/usr/local/lib/wso2/node-lib.sh on the node).
#
# Settings: each step reads the values it needs from the environment first, then from the settings file
# cloud-init writes (WSO2_NODE_ENV, default /etc/wso2/node.env: one KEY='value' line per setting, no
# quotes inside values). A test runs a step on its own by pointing WSO2_NODE_ENV at its own file and
# overriding single values in the environment.

set -euo pipefail
umask 027

WSO2_STEP="$(basename "$0" .sh)"

# Logs a line naming the step and exits non-zero (status $2, default 1).
fail() {
  echo "$WSO2_STEP: $1" >&2
  exit "${2:-1}"
}

load_settings() {
  local file="${WSO2_NODE_ENV:-/etc/wso2/node.env}" line name
  [[ -r "$file" ]] || fail "settings file $file is missing or unreadable"
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -z "$line" || "$line" == '#'* ]] && continue
    if [[ ! "$line" =~ ^([A-Z][A-Z0-9_]*)=\'([^\']*)\'$ ]]; then
      fail "settings file $file: malformed line: $line"
    fi
    name="${BASH_REMATCH[1]}"
    # The environment wins over the file.
    if [[ -z "${!name+set}" ]]; then
      printf -v "$name" '%s' "${BASH_REMATCH[2]}"
    fi
  done <"$file"
  # Test-only knobs (empty on a real node): an AWS emulator's endpoint and a credentials file for it.
  if [[ -n "${WSO2_TEST_AWS_CREDENTIALS_FILE:-}" ]]; then
    export AWS_SHARED_CREDENTIALS_FILE="$WSO2_TEST_AWS_CREDENTIALS_FILE" AWS_EC2_METADATA_DISABLED=true
  fi
}

# Fails naming every listed setting that is empty.
require_settings() {
  local name missing=()
  for name in "$@"; do
    [[ -n "${!name:-}" ]] || missing+=("$name")
  done
  if (( ${#missing[@]} > 0 )); then
    fail "settings not set: ${missing[*]} (in ${WSO2_NODE_ENV:-/etc/wso2/node.env} or the environment)"
  fi
}

# The AWS CLI, pointed at WSO2_TEST_AWS_ENDPOINT_URL when that test-only knob is set. --endpoint-url is
# honoured by every AWS CLI version (Debian 12's 2.9 ignores AWS_ENDPOINT_URL). The CLI gives the instance
# metadata service 1 s and one attempt for the role's credentials by default; a busy instance misses that
# ("Unable to locate credentials") and the step fails, so it gets 5 s and 3 attempts (the environment may say otherwise).
aws() {
  export AWS_METADATA_SERVICE_TIMEOUT="${AWS_METADATA_SERVICE_TIMEOUT:-5}" AWS_METADATA_SERVICE_NUM_ATTEMPTS="${AWS_METADATA_SERVICE_NUM_ATTEMPTS:-3}"
  if [[ -n "${WSO2_TEST_AWS_ENDPOINT_URL:-}" ]]; then
    command aws --endpoint-url "$WSO2_TEST_AWS_ENDPOINT_URL" "$@"
  else
    command aws "$@"
  fi
}

# keytool for a short call (list, export, import, delete, password change). Each keytool call starts a JVM,
# which costs 10-20 s on a node without hardware virtualisation; the C1 compiler alone cuts such a call's
# CPU time by about a third. Key generation runs plain keytool: C2 makes its big-integer arithmetic about
# twice as fast. SerialGC and -Xshare:auto measured no gain.
keytool_quick() {
  keytool -J-XX:TieredStopAtLevel=1 "$@"
}

# This node's id: NODE_ID when set, else the instance id cloud-init recorded (the EC2 instance id on EC2).
node_id() {
  if [[ -n "${NODE_ID:-}" ]]; then
    printf '%s\n' "$NODE_ID"
  elif [[ -r /var/lib/cloud/data/instance-id ]]; then
    cat /var/lib/cloud/data/instance-id
  else
    fail "no node id: NODE_ID is unset and /var/lib/cloud/data/instance-id is missing"
  fi
}
