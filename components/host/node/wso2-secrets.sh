#!/bin/bash
# Before every start (root): env for the unit, the overlay merged into the shipped config (kept as
# <file>.shipped), Secure Vault entries. Doc: merge-config.md. Optional NODE_IP (default: route source).
# Optional DB_RUNTIME_SECRET_ID + VAULT_ALIAS_DATABASE: the database runtime user's password as that alias.
# SI (CONFIG_FORMAT yaml) also needs VAULT_KEYSTORE, VAULT_KEY_ALIAS, VAULT_SECRETS_FILE, VAULT_MASTER_KEYS_FILE.
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
lib="${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
: "${MERGE_CONFIG:=${lib%/*}/merge-config.py}"
require_settings REGION WSO2_HOME WSO2_UID CONFIG_FORMAT CONFIG_FILE RENDERED_CONFIG ADMIN_SECRET_ARN \
  KEYSTORE_SECRET_ARN ADMIN_ENV_FILE ADMIN_USERNAME_ENV NODE_IP_ENV APP_PASSWORD_HASH_ENV VAULT_ALIAS_ADMIN VAULT_ALIAS_KEYSTORE

secret() {
  aws secretsmanager get-secret-value --region "$REGION" --secret-id "$1" --query SecretString --output text \
    || fail "cannot read the secret $1"
}
field() { # json-text field
  python3 -c 'import json,sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$2" <<<"$1"
}
# A per-purpose value derived from the keystore secret (same on every start and member).
derive() {
  python3 -c 'import hashlib,hmac,sys; print(hmac.new(sys.stdin.buffer.read(), sys.argv[1].encode(), hashlib.sha256).hexdigest()[:32])' \
    "$1" < <(printf '%s' "$keystore_password")
}
admin_json="$(secret "$ADMIN_SECRET_ARN")"
admin_user="$(field "$admin_json" username)"
admin_password="$(field "$admin_json" password)"
keystore_password="$(secret "$KEYSTORE_SECRET_ARN")"
if [[ "$keystore_password" == '{'* ]]; then keystore_password="$(field "$keystore_password" password)"; fi
database_password=""
if [[ -n "${DB_RUNTIME_SECRET_ID:-}" ]]; then
  require_settings VAULT_ALIAS_DATABASE
  database_password="$(field "$(secret "$DB_RUNTIME_SECRET_ID")" password)"
fi
if [[ ! "$admin_user" =~ ^[A-Za-z][A-Za-z0-9._-]{3,62}$ ]]; then
  fail "the username in $ADMIN_SECRET_ARN is not a valid user name"
fi

node_ip="${NODE_IP:-}"
if [[ -z "$node_ip" ]]; then
  node_ip="$(ip -4 -o route get 192.0.2.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')"
fi
if [[ ! "$node_ip" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ || "$node_ip" == 127.* ]]; then
  fail "this node's own IPv4 address is unknown (got '$node_ip'); set NODE_IP"
fi
app_password="$(derive app-password)"
app_password_hash="$(printf '%s' "$app_password" | sha256sum | cut -d' ' -f1)"
install -m 0600 /dev/null "$ADMIN_ENV_FILE"
{
  printf '%s=%s\n' "$ADMIN_USERNAME_ENV" "$admin_user"
  printf '%s=%s\n' "$NODE_IP_ENV" "$node_ip"
  printf '%s=%s\n' "$APP_PASSWORD_HASH_ENV" "$app_password_hash"
} >"$ADMIN_ENV_FILE"

target="$WSO2_HOME/$CONFIG_FILE"
if [[ ! -f "$target.shipped" ]]; then
  [[ -f "$target" ]] || fail "the distribution's $CONFIG_FILE is missing"
  cp -p -- "$target" "$target.shipped"
fi
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
staged="$work/config"

case "$CONFIG_FORMAT" in
  toml)
    require_settings VAULT_ALIAS_ENCRYPTION VAULT_ALIAS_APP
    # The cipher tool encrypts the bracketed values in place.
    toml_string() { python3 -c 'import json,sys; print(json.dumps("[" + sys.argv[1] + "]"))' "$1"; }
    encryption_key="$(derive encryption-key)"
    {
      python3 "$MERGE_CONFIG" toml "$target.shipped" "$RENDERED_CONFIG" --drop secrets \
        || fail "cannot merge $RENDERED_CONFIG into the shipped $CONFIG_FILE"
      printf '\n[secrets]\n'
      printf '%s = %s\n' "$VAULT_ALIAS_ADMIN" "$(toml_string "$admin_password")"
      printf '%s = %s\n' "$VAULT_ALIAS_KEYSTORE" "$(toml_string "$keystore_password")"
      printf '%s = %s\n' "$VAULT_ALIAS_ENCRYPTION" "$(toml_string "$encryption_key")"
      printf '%s = %s\n' "$VAULT_ALIAS_APP" "$(toml_string "$app_password")"
      if [[ -n "$database_password" ]]; then printf '%s = %s\n' "$VAULT_ALIAS_DATABASE" "$(toml_string "$database_password")"; fi
    } >"$staged"
    install -m 0640 -o 0 -g "$WSO2_UID" "$staged" "$target"
    printf '%s\n' "$keystore_password" | "$WSO2_HOME/bin/ciphertool.sh" -Dconfigure >/dev/null \
      || fail "the cipher tool could not encrypt the [secrets] of $target"
    chown "0:$WSO2_UID" "$target"
    chmod 0640 "$target"
    ;;
  yaml)
    require_settings VAULT_KEYSTORE VAULT_KEY_ALIAS VAULT_SECRETS_FILE VAULT_MASTER_KEYS_FILE
    python3 "$MERGE_CONFIG" yaml "$target.shipped" "$RENDERED_CONFIG" >"$staged" \
      || fail "cannot merge $RENDERED_CONFIG into the shipped $CONFIG_FILE"
    install -m 0640 -o 0 -g "$WSO2_UID" "$staged" "$target"
    # SI resolves ${sec:alias} through Carbon 5's Secure Vault (carbon-secvault 5.0.20), set up by the
    # merged wso2.securevault section. At start, before it reads any entry (plainText ones too), it opens
    # the JKS keystore VAULT_KEYSTORE with keyStorePassword and the key VAULT_KEY_ALIAS with
    # privateKeyPassword, both from the master key file. WSO2 ships that store under wso2carbon with its
    # published key: it is replaced by a key of this node's own under the node's keystore password, kept
    # while it opens with that password (after a new password, a new key: every entry is written anew below).
    # The vault decodes master keys and decrypted entries as UTF-8 into a buffer sized in bytes, so a
    # non-ASCII character would come out padded.
    if [[ -n "$(printf '%s' "$keystore_password" | LC_ALL=C tr -d '[:print:]')" ]]; then
      fail "the keystore password from $KEYSTORE_SECRET_ARN must be printable ASCII for SI's Secure Vault"
    fi
    export KEYSTORE_PASSWORD="$keystore_password"
    vault_ks="$WSO2_HOME/$VAULT_KEYSTORE"
    # One JVM start on a later start: the listing gives the entry's type and its certificate.
    vault_entry() {
      keytool_quick -list -rfc -keystore "$vault_ks" -storetype JKS -storepass:env KEYSTORE_PASSWORD -alias "$VAULT_KEY_ALIAS" 2>/dev/null
    }
    entry="$(vault_entry || true)"
    if [[ "$entry" != *PrivateKeyEntry* ]]; then
      keytool -genkeypair -alias "$VAULT_KEY_ALIAS" -keyalg RSA -keysize 3072 -sigalg SHA256withRSA -validity 3650 \
        -dname "CN=$VAULT_KEY_ALIAS" -keystore "$work/vault.jks" -storetype JKS \
        -storepass:env KEYSTORE_PASSWORD -keypass:env KEYSTORE_PASSWORD 2>"$work/keytool.err" \
        || { cat "$work/keytool.err" >&2; fail "cannot generate the Secure Vault key"; }
      install -D -m 0640 -o 0 -g "$WSO2_UID" "$work/vault.jks" "$vault_ks"
      echo "$WSO2_STEP: new Secure Vault key $VAULT_KEY_ALIAS in $VAULT_KEYSTORE"
      entry="$(vault_entry)" || fail "cannot read the public key of $VAULT_KEYSTORE"
    fi
    # openssl reads the first certificate of the chain, the key's own.
    openssl x509 -pubkey -noout <<<"$entry" >"$work/vault.pub" || fail "cannot read the public key of $VAULT_KEYSTORE"
    # A cipherText entry: base64 of RSA with PKCS#1 v1.5 padding under that public key (the vault asks the JCE
    # for plain "RSA", whose default is RSA/ECB/PKCS1Padding); RSA 3072 takes at most 373 bytes.
    vault_encrypt() { # name value
      printf '%s' "$2" | openssl pkeyutl -encrypt -pubin -inkey "$work/vault.pub" -pkeyopt rsa_padding_mode:pkcs1 \
        | base64 -w0 || fail "cannot encrypt $1 for the Secure Vault (at most 373 bytes)"
    }
    # SI's user store takes the admin password base64-encoded.
    admin_b64="$(printf '%s' "$admin_password" | base64 -w0)"
    keystore_ct="$(vault_encrypt "$VAULT_ALIAS_KEYSTORE" "$keystore_password")"
    admin_ct="$(vault_encrypt "$VAULT_ALIAS_ADMIN" "$admin_b64")"
    printf '%s=cipherText %s\n' "$VAULT_ALIAS_KEYSTORE" "$keystore_ct" "$VAULT_ALIAS_ADMIN" "$admin_ct" >"$work/secrets"
    install -m 0600 -o "$WSO2_UID" -g "$WSO2_UID" "$work/secrets" "$WSO2_HOME/$VAULT_SECRETS_FILE"
    # The master key file: both passwords (the key was made under the store's password). `permanent: false`
    # asks the vault to delete it once read, which the wso2 user cannot do in the root-owned conf directory:
    # it stays, readable by wso2 only, and is written anew before every start.
    encoded="!!binary $(printf '%s' "$keystore_password" | base64 -w0)"
    printf 'permanent: false\nmasterKeys:\n  keyStorePassword: %s\n  privateKeyPassword: %s\n' "$encoded" "$encoded" >"$work/master"
    install -m 0600 -o "$WSO2_UID" -g "$WSO2_UID" "$work/master" "$WSO2_HOME/$VAULT_MASTER_KEYS_FILE"
    ;;
  *) fail "CONFIG_FORMAT must be toml or yaml, not $CONFIG_FORMAT" ;;
esac
# Secure Vault reads the keystore password from password-tmp at start.
install -m 0400 -o "$WSO2_UID" -g "$WSO2_UID" /dev/null "$WSO2_HOME/password-tmp"
printf '%s' "$keystore_password" >"$WSO2_HOME/password-tmp"
