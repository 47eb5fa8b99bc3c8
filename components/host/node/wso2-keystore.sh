#!/bin/bash
# Replaces the shipped keystore and cleans the client truststore (PROD-KEYSTORE): a new RSA 3072 key
# signed SHA256withRSA, protected by the password from Secrets Manager. The first node of a cluster
# generates it and stores it at s3://BACKUP_BUCKET/KEYSTORE_S3_PREFIX/<file> (create-only; outside the
# backups' prefix, whose objects expire after the retention period); the
# others fetch it, so tokens one node signs verify on all. In the client truststore every entry carrying
# the default wso2carbon certificate (whatever its alias) is deleted, the node's certificate is trusted,
# and the password changes from the default.
# Settings: REGION, WSO2_HOME, WSO2_UID, KEYSTORE, KEYSTORE_TYPE, TRUSTSTORE, TRUSTSTORE_TYPE (paths
# relative to the home; JKS or PKCS12), KEY_ALIAS, KEY_HOSTNAME, KEYSTORE_SECRET_ARN, BACKUP_BUCKET,
# KEYSTORE_S3_PREFIX; ROOT (optional, act inside it).
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings REGION WSO2_HOME WSO2_UID KEYSTORE KEYSTORE_TYPE TRUSTSTORE TRUSTSTORE_TYPE KEY_ALIAS KEY_HOSTNAME \
  KEYSTORE_SECRET_ARN BACKUP_BUCKET KEYSTORE_S3_PREFIX
: "${ROOT:=}"
DEFAULT_ALIAS=wso2carbon
# The password of the keystores WSO2 ships.
export DEFAULT_PASSWORD=wso2carbon

KEYSTORE_PASSWORD="$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$KEYSTORE_SECRET_ARN" --query SecretString --output text)" \
  || fail "cannot read the keystore password from $KEYSTORE_SECRET_ARN"
if [[ "$KEYSTORE_PASSWORD" == '{'* ]]; then
  KEYSTORE_PASSWORD="$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["password"])' <<<"$KEYSTORE_PASSWORD")"
fi
if (( ${#KEYSTORE_PASSWORD} < 12 )); then
  fail "the keystore password from $KEYSTORE_SECRET_ARN is shorter than 12 characters"
fi
export KEYSTORE_PASSWORD
ks="$ROOT$WSO2_HOME/$KEYSTORE"
ts="$ROOT$WSO2_HOME/$TRUSTSTORE"
shared_key="$KEYSTORE_S3_PREFIX/$(basename "$KEYSTORE")"
shared="s3://$BACKUP_BUCKET/$shared_key"
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT

opens() { # store type password-variable
  keytool -list -keystore "$1" -storetype "$2" -storepass:env "$3" >/dev/null 2>&1
}
has_alias() { # store type password-variable alias
  keytool -list -keystore "$1" -storetype "$2" -storepass:env "$3" -alias "$4" >/dev/null 2>&1
}
fingerprint() { # store type password-variable alias
  keytool -list -v -keystore "$1" -storetype "$2" -storepass:env "$3" -alias "$4" | awk '/SHA256:/ {print $2; exit}'
}

# The default certificate's fingerprint, read from the shipped keystore before it is replaced.
default_fp=""
if [[ -f "$ks" ]] && opens "$ks" "$KEYSTORE_TYPE" DEFAULT_PASSWORD && has_alias "$ks" "$KEYSTORE_TYPE" DEFAULT_PASSWORD "$DEFAULT_ALIAS"; then
  default_fp="$(fingerprint "$ks" "$KEYSTORE_TYPE" DEFAULT_PASSWORD "$DEFAULT_ALIAS")"
fi

if [[ -f "$ks" ]] && opens "$ks" "$KEYSTORE_TYPE" KEYSTORE_PASSWORD && has_alias "$ks" "$KEYSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS"; then
  echo "$WSO2_STEP: keystore already holds $KEY_ALIAS"
else
  # Listed first: only a listing that succeeds and lacks the object makes this node the cluster's first.
  # A failed read (a denied permission) is fatal: generating a second key would split the cluster.
  listed="$(aws s3api list-objects-v2 --region "$REGION" --bucket "$BACKUP_BUCKET" --prefix "$shared_key" \
    --query 'Contents[].Key' --output text)" || fail "cannot list the cluster keystore $shared"
  if grep -qxF "$shared_key" <<<"${listed//$'\t'/$'\n'}"; then
    aws s3 cp --region "$REGION" --only-show-errors "$shared" "$work/keystore" || fail "cannot read the cluster keystore $shared"
    echo "$WSO2_STEP: using the cluster keystore from $shared"
  else
    keytool -genkeypair -alias "$KEY_ALIAS" -keyalg RSA -keysize 3072 -sigalg SHA256withRSA -validity 825 \
      -dname "CN=$KEY_HOSTNAME" -ext "SAN=dns:$KEY_HOSTNAME" -keystore "$work/keystore" \
      -storetype "$KEYSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD -keypass:env KEYSTORE_PASSWORD
    # Create-only: when another node won the race, its keystore is the cluster's.
    if aws s3api put-object --region "$REGION" --bucket "$BACKUP_BUCKET" --key "$shared_key" \
      --body "$work/keystore" --if-none-match '*' >/dev/null 2>"$work/put.err"; then
      echo "$WSO2_STEP: generated the cluster keystore and stored it at $shared"
    elif grep -q PreconditionFailed "$work/put.err"; then
      aws s3 cp --region "$REGION" --only-show-errors "$shared" "$work/keystore" || fail "cannot read the cluster keystore $shared"
      echo "$WSO2_STEP: another node stored the cluster keystore first; using $shared"
    else
      cat "$work/put.err" >&2
      fail "cannot store the cluster keystore at $shared"
    fi
  fi
  if ! has_alias "$work/keystore" "$KEYSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS"; then
    fail "$shared does not hold $KEY_ALIAS under the current password"
  fi
  install -D -m 0640 -o 0 -g "$WSO2_UID" "$work/keystore" "$ks"
fi
keytool -exportcert -rfc -alias "$KEY_ALIAS" -keystore "$ks" -storetype "$KEYSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD >"$work/node.pem"

if [[ -f "$ts" ]]; then
  if ! opens "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD; then
    opens "$ts" "$TRUSTSTORE_TYPE" DEFAULT_PASSWORD || fail "$ts opens with neither the default nor the current password"
    keytool -storepasswd -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env DEFAULT_PASSWORD -new:env KEYSTORE_PASSWORD
  fi
  if [[ -z "$default_fp" ]] && has_alias "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD "$DEFAULT_ALIAS"; then
    default_fp="$(fingerprint "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD "$DEFAULT_ALIAS")"
  fi
  # Delete the default certificate under every alias it was imported with.
  keytool -list -v -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD \
    | awk '/^Alias name:/ {alias = substr($0, 13)} /SHA256:/ {print $2 "\t" alias}' >"$work/entries"
  while IFS=$'\t' read -r fp alias; do
    if [[ "$alias" == "$DEFAULT_ALIAS" || ( -n "$default_fp" && "$fp" == "$default_fp" ) ]]; then
      keytool -delete -alias "$alias" -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD
    fi
  done <"$work/entries"
  # Trust the node's certificate; rewrite the entry only when it is not that certificate already.
  node_fp="$(fingerprint "$ks" "$KEYSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS")"
  if ! has_alias "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS" \
    || [[ "$(fingerprint "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS")" != "$node_fp" ]]; then
    if has_alias "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS"; then
      keytool -delete -alias "$KEY_ALIAS" -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD
    fi
    keytool -importcert -noprompt -alias "$KEY_ALIAS" -file "$work/node.pem" -keystore "$ts" \
      -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD >/dev/null
  fi
  chown "0:$WSO2_UID" "$ts"
  chmod 0640 "$ts"
fi
