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

# Every keytool call starts a JVM (see keytool_quick): each store is read once per password, the likelier
# password first, and fingerprints come from openssl.
# Lists a store as "alias<TAB>" for each entry and "alias<TAB>SHA-256 fingerprint" for each of its
# certificates; fails when the store does not open under the password.
entries() { # store type password-variable
  local listing
  listing="$(keytool_quick -list -v -keystore "$1" -storetype "$2" -storepass:env "$3" 2>/dev/null)" || return 1
  awk '/^Alias name:/ {alias = substr($0, 13); print alias "\t"} /SHA256:/ {print alias "\t" $2}' <<<"$listing"
}
# keytool matches aliases without regard to case.
has_entry() { # entries-file alias
  awk -F '\t' -v a="$2" 'tolower($1) == tolower(a) {found = 1} END {exit !found}' "$1"
}
# The first fingerprint listed for an alias: its own certificate.
fingerprint_of() { # entries-file alias
  awk -F '\t' -v a="$2" 'tolower($1) == tolower(a) && $2 != "" {print $2; exit}' "$1"
}
pem_fingerprint() { # pem-file
  openssl x509 -noout -fingerprint -sha256 -in "$1" | sed 's/^[^=]*=//' | tr '[:lower:]' '[:upper:]'
}
# Proves the store opens under the current password and holds KEY_ALIAS, and writes its certificate.
export_node_cert() { # store
  keytool_quick -exportcert -rfc -alias "$KEY_ALIAS" -keystore "$1" -storetype "$KEYSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD \
    >"$work/node.pem" 2>/dev/null
}
# A store this step wrote last time (root-owned, group wso2, 0640) is tried with the current password first.
written_here() { # file
  [[ "$(stat -c '%u:%g:%a' "$1")" == "0:$WSO2_UID:640" ]]
}

# The default certificate's fingerprint, read from the shipped keystore before it is replaced. A store that
# opens with the default password cannot open with the current one (at least 12 characters).
default_fp=""
have_key=false
if [[ -f "$ks" ]]; then
  if written_here "$ks" && export_node_cert "$ks"; then
    have_key=true
  elif entries "$ks" "$KEYSTORE_TYPE" DEFAULT_PASSWORD >"$work/ks-entries"; then
    default_fp="$(fingerprint_of "$work/ks-entries" "$DEFAULT_ALIAS")"
  elif ! written_here "$ks" && export_node_cert "$ks"; then
    have_key=true
  fi
fi

if "$have_key"; then
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
  export_node_cert "$work/keystore" || fail "$shared does not hold $KEY_ALIAS under the current password"
  install -D -m 0640 -o 0 -g "$WSO2_UID" "$work/keystore" "$ks"
fi

if [[ -f "$ts" ]]; then
  # Read once; after a password change the listing still holds (the entries are the same).
  if written_here "$ts"; then order=(KEYSTORE_PASSWORD DEFAULT_PASSWORD); else order=(DEFAULT_PASSWORD KEYSTORE_PASSWORD); fi
  opened=""
  for password in "${order[@]}"; do
    if entries "$ts" "$TRUSTSTORE_TYPE" "$password" >"$work/entries"; then opened="$password"; break; fi
  done
  [[ -n "$opened" ]] || fail "$ts opens with neither the default nor the current password"
  if [[ "$opened" == DEFAULT_PASSWORD ]]; then
    keytool_quick -storepasswd -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env DEFAULT_PASSWORD -new:env KEYSTORE_PASSWORD
  fi
  if [[ -z "$default_fp" ]]; then
    default_fp="$(fingerprint_of "$work/entries" "$DEFAULT_ALIAS")"
  fi
  # Delete the default certificate under every alias it was imported with.
  declare -A deleted=()
  while IFS=$'\t' read -r alias fp; do
    if [[ -z "${deleted["${alias,,}"]:-}" ]] \
      && [[ "${alias,,}" == "${DEFAULT_ALIAS,,}" || ( -n "$default_fp" && "$fp" == "$default_fp" ) ]]; then
      keytool_quick -delete -alias "$alias" -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD
      deleted["${alias,,}"]=1
    fi
  done <"$work/entries"
  # Trust the node's certificate; rewrite the entry only when it is not that certificate already.
  trusted=false
  if [[ -z "${deleted["${KEY_ALIAS,,}"]:-}" ]] && has_entry "$work/entries" "$KEY_ALIAS"; then trusted=true; fi
  if ! "$trusted" || [[ "$(fingerprint_of "$work/entries" "$KEY_ALIAS")" != "$(pem_fingerprint "$work/node.pem")" ]]; then
    if "$trusted"; then
      keytool_quick -delete -alias "$KEY_ALIAS" -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD
    fi
    keytool_quick -importcert -noprompt -alias "$KEY_ALIAS" -file "$work/node.pem" -keystore "$ts" \
      -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD >/dev/null
  fi
  chown "0:$WSO2_UID" "$ts"
  chmod 0640 "$ts"
fi
