#!/bin/bash
# Shared by wso2-db-bootstrap.sh, wso2-db-backup.sh and wso2-db-restore.sh: settings, TLS-verified connections, secrets.
# Sourced, never run. Every connection verifies the server's certificate against DB_SSLROOTCERT and its
# host name (sslmode=verify-full); passwords travel in PGPASSWORD of one child process, never in argv.

# Settings come from the environment; DB_SETTINGS_FILE (default: the node's /etc/wso2/node.env, NAME='value'
# lines) fills what the environment leaves unset. Only DB_*, WSO2_HOME, WSO2_UID and REGION are taken from the
# file; its other settings belong to other steps.
db_load_settings() {
  local file="${DB_SETTINGS_FILE:-/etc/wso2/node.env}" line key value
  if [[ -f "$file" ]]; then
    while IFS= read -r line || [[ -n "$line" ]]; do
      [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
      if [[ ! "$line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]]; then
        echo "db: $file: line '$line' is not NAME=value" >&2
        return 2
      fi
      key="${BASH_REMATCH[1]}"
      value="${BASH_REMATCH[2]}"
      [[ "$key" =~ ^(DB_[A-Z0-9_]+|WSO2_HOME|WSO2_UID|REGION)$ ]] || continue
      # Values may be single- or double-quoted as a whole; nothing in them is expanded.
      if [[ "$value" =~ ^\'(.*)\'$ || "$value" =~ ^\"(.*)\"$ ]]; then value="${BASH_REMATCH[1]}"; fi
      if [[ -z "${!key+set}" ]]; then printf -v "$key" '%s' "$value"; fi
    done <"$file"
  elif [[ -n "${DB_SETTINGS_FILE:-}" ]]; then
    echo "db: DB_SETTINGS_FILE=$file does not exist" >&2
    return 2
  fi
  : "${DB_PORT:=5432}"
  : "${DB_SSLMODE:=verify-full}"
  : "${DB_MAINTENANCE_DATABASE:=postgres}"
  : "${DB_OWNER_ROLE:=wso2_owner}"
  : "${DB_RUNTIME_USER:=wso2_runtime}"
  : "${DB_CONNECT_TIMEOUT:=10}"
}

db_require() {
  local name
  for name in "$@"; do
    if [[ -z "${!name:-}" ]]; then
      echo "db: $name is not set" >&2
      return 2
    fi
  done
}

db_check_identifier() {
  # Role and database names go into SQL as identifiers: plain lower-case names only.
  if [[ ! "$2" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
    echo "db: $1='$2' must be a lower-case SQL identifier (a-z, 0-9, _; at most 63 characters)" >&2
    return 2
  fi
}

db_check_settings() {
  db_require DB_HOST DB_PORT DB_SSLROOTCERT || return 2
  if [[ "$DB_SSLMODE" != verify-full && "$DB_SSLMODE" != verify-ca ]]; then
    echo "db: DB_SSLMODE=$DB_SSLMODE: only verify-full or verify-ca are accepted (the server's certificate is always checked)" >&2
    return 2
  fi
  if [[ ! "$DB_PORT" =~ ^[0-9]{1,5}$ ]]; then
    echo "db: DB_PORT=$DB_PORT is not a port number" >&2
    return 2
  fi
  if [[ ! -r "$DB_SSLROOTCERT" ]]; then
    echo "db: DB_SSLROOTCERT=$DB_SSLROOTCERT is not a readable CA bundle" >&2
    return 2
  fi
  db_check_identifier DB_OWNER_ROLE "$DB_OWNER_ROLE" || return 2
  db_check_identifier DB_RUNTIME_USER "$DB_RUNTIME_USER" || return 2
  db_check_identifier DB_MAINTENANCE_DATABASE "$DB_MAINTENANCE_DATABASE" || return 2
  export PGHOST="$DB_HOST" PGPORT="$DB_PORT" PGSSLMODE="$DB_SSLMODE" PGSSLROOTCERT="$DB_SSLROOTCERT"
  export PGCONNECT_TIMEOUT="$DB_CONNECT_TIMEOUT" PGAPPNAME=wso2-db-bootstrap PGOPTIONS="-c client_min_messages=warning"
  # Never fall back to a password file or service file of whoever runs this.
  export PGPASSFILE=/dev/null PGSERVICEFILE=/dev/null
  unset PGUSER PGDATABASE PGPASSWORD PGSSLCERT PGSSLKEY
}

# The AWS CLI as every other step of the node calls it: through node-lib.sh's wrapper (its test endpoint
# knob, its patience with the instance metadata service). node-lib.sh sits beside this file, in the
# repository as on a node; it is loaded in a subshell, so its shell options and umask stay out of the caller.
db_node_lib="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/node-lib.sh"
db_aws() {
  (
    # shellcheck source-path=SCRIPTDIR source=node-lib.sh
    . "$db_node_lib"
    aws "$@"
  )
}

# A Secrets Manager secret holding {"username": ..., "password": ...} (RDS's own format), printed as two
# lines: the user name, then the password.
db_secret_credentials() {
  local secret_id="$1"
  local region="${AWS_REGION:-${REGION:-}}"
  db_aws secretsmanager get-secret-value ${region:+--region "$region"} --secret-id "$secret_id" \
    --query SecretString --output text |
    python3 -c 'import json,sys; s=json.loads(sys.stdin.read()); print(s["username"]); print(s["password"])'
}

# Fills DB_<WHO>_PASSWORD (and DB_<WHO>_USER when unset) from DB_<WHO>_SECRET_ID when the password
# itself is not given; the secret is read once.
db_password_from_secret() {
  local who="$1" pw_var="DB_${1}_PASSWORD" id_var="DB_${1}_SECRET_ID" user_var="DB_${1}_USER"
  if [[ -z "${!pw_var:-}" ]]; then
    if [[ -z "${!id_var:-}" ]]; then
      echo "db: neither $pw_var nor $id_var is set" >&2
      return 2
    fi
    local credentials user password
    credentials="$(db_secret_credentials "${!id_var}")" || { echo "db: cannot read the password of $who from ${!id_var}" >&2; return 1; }
    { IFS= read -r user; IFS= read -r password; } <<<"$credentials"
    printf -v "$pw_var" '%s' "$password"
    if [[ -z "${!user_var:-}" ]]; then printf -v "$user_var" '%s' "$user"; fi
  fi
  if [[ -z "${!user_var:-}" ]]; then
    echo "db: $user_var is not set" >&2
    return 2
  fi
  db_check_identifier "$user_var" "${!user_var}"
}

# psql as the master user on database $1, remaining arguments passed on; stops at the first error.
db_psql_master() {
  local database="$1"
  shift
  PGPASSWORD="$DB_MASTER_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -U "$DB_MASTER_USER" -d "$database" "$@"
}
