#!/bin/bash
# Runs before every start of the product (as root, ExecStartPre=+): reads the admin and keystore secrets,
# writes the admin name for the unit, and gives the product its configuration with a [secrets] table the
# cipher tool encrypts (PROD-SECURE-VAULT), plus the keystore password for Secure Vault in password-tmp.
# Settings: REGION, WSO2_HOME, WSO2_UID, CONFIG_FORMAT (toml|yaml), CONFIG_FILE (relative to the home),
# RENDERED_CONFIG (the rendered file), ADMIN_SECRET_ARN, KEYSTORE_SECRET_ARN, ADMIN_ENV_FILE,
# ADMIN_USERNAME_ENV (variable name the unit reads), VAULT_ALIAS_ADMIN, VAULT_ALIAS_KEYSTORE.
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings REGION WSO2_HOME WSO2_UID CONFIG_FORMAT CONFIG_FILE RENDERED_CONFIG ADMIN_SECRET_ARN KEYSTORE_SECRET_ARN \
  ADMIN_ENV_FILE ADMIN_USERNAME_ENV

secret() {
  aws secretsmanager get-secret-value --region "$REGION" --secret-id "$1" --query SecretString --output text \
    || fail "cannot read the secret $1"
}
field() { # json-text field
  python3 -c 'import json,sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$2" <<<"$1"
}
admin_json="$(secret "$ADMIN_SECRET_ARN")"
admin_user="$(field "$admin_json" username)"
keystore_password="$(secret "$KEYSTORE_SECRET_ARN")"
if [[ "$keystore_password" == '{'* ]]; then keystore_password="$(field "$keystore_password" password)"; fi
if [[ ! "$admin_user" =~ ^[A-Za-z][A-Za-z0-9._-]{3,62}$ ]]; then
  fail "the username in $ADMIN_SECRET_ARN is not a valid user name"
fi
install -m 0600 /dev/null "$ADMIN_ENV_FILE"
printf '%s=%s\n' "$ADMIN_USERNAME_ENV" "$admin_user" >"$ADMIN_ENV_FILE"

case "$CONFIG_FORMAT" in
  toml)
    require_settings VAULT_ALIAS_ADMIN VAULT_ALIAS_KEYSTORE
    # Plain values between brackets are what the cipher tool encrypts in place.
    admin_password="$(field "$admin_json" password)"
    toml_string() { python3 -c 'import json,sys; print(json.dumps("[" + sys.argv[1] + "]"))' "$1"; }
    target="$WSO2_HOME/$CONFIG_FILE"
    staged="$(mktemp)"
    trap 'rm -f -- "$staged"' EXIT
    {
      cat "$RENDERED_CONFIG"
      printf '\n[secrets]\n'
      printf '%s = %s\n' "$VAULT_ALIAS_ADMIN" "$(toml_string "$admin_password")"
      printf '%s = %s\n' "$VAULT_ALIAS_KEYSTORE" "$(toml_string "$keystore_password")"
    } >"$staged"
    install -m 0640 -o 0 -g "$WSO2_UID" "$staged" "$target"
    printf '%s\n' "$keystore_password" | "$WSO2_HOME/bin/ciphertool.sh" -Dconfigure >/dev/null \
      || fail "the cipher tool could not encrypt the [secrets] of $target"
    chown "0:$WSO2_UID" "$target"
    chmod 0640 "$target"
    ;;
  yaml)
    # SI reads keystore passwords through its own secure vault: the master key file it consumes at start.
    master="$WSO2_HOME/conf/server/master-keys.yaml"
    install -m 0600 /dev/null "$master"
    encoded="!!binary $(printf '%s' "$keystore_password" | base64 -w0)"
    printf 'permanent: false\nmasterKeys:\n  keyStorePassword: %s\n  privateKeyPassword: %s\n' "$encoded" "$encoded" >"$master"
    chown "$WSO2_UID:$WSO2_UID" "$master"
    ;;
  *) fail "CONFIG_FORMAT must be toml or yaml, not $CONFIG_FORMAT" ;;
esac
# Secure Vault reads the keystore password from password-tmp at start.
install -m 0400 -o "$WSO2_UID" -g "$WSO2_UID" /dev/null "$WSO2_HOME/password-tmp"
printf '%s' "$keystore_password" >"$WSO2_HOME/password-tmp"
