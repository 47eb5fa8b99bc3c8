#!/bin/bash
# What the product needs to reach its database over verified TLS (PROD-TLS-EXTERNAL): the PostgreSQL JDBC
# driver from Debian's libpostgresql-jdbc-java copied into the product's library directory, and the CA
# bundle that signs the server's certificate (Amazon RDS's, fetched over HTTPS) at DB_SSLROOTCERT, which the
# JDBC URL (sslmode=verify-full&sslrootcert=...) and the bootstrap step both use.
# Settings (environment, else DB_SETTINGS_FILE, default /etc/wso2/node.env): WSO2_HOME, WSO2_UID,
# DB_DRIVER_JAR (/usr/share/java/postgresql.jar), DB_DRIVER_DIR (relative to WSO2_HOME), DB_SSLROOTCERT,
# DB_CA_BUNDLE_URL (https://...; empty: DB_SSLROOTCERT must already be in place).
# Exit status: 0 done, 1 a failure, 2 bad settings.
set -euo pipefail
umask 022

db_lib="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/db-lib.sh"
[[ -r "$db_lib" ]] || db_lib=/usr/local/lib/wso2/db-lib.sh
# shellcheck source-path=SCRIPTDIR source=db-lib.sh
. "$db_lib"

db_load_settings || exit 2
: "${DB_DRIVER_JAR:=/usr/share/java/postgresql.jar}"
: "${DB_CA_BUNDLE_URL:=}" "${DB_DRIVER_DIR:=}"
db_require WSO2_HOME WSO2_UID DB_DRIVER_DIR DB_SSLROOTCERT || exit 2
if [[ "$DB_DRIVER_DIR" == /* || "$DB_DRIVER_DIR" == *..* ]]; then
  echo "db-client: DB_DRIVER_DIR=$DB_DRIVER_DIR must be a path inside WSO2_HOME" >&2
  exit 2
fi
if [[ -n "$DB_CA_BUNDLE_URL" && "$DB_CA_BUNDLE_URL" != https://* ]]; then
  echo "db-client: DB_CA_BUNDLE_URL=$DB_CA_BUNDLE_URL must be an https:// URL" >&2
  exit 2
fi

# The driver: Debian's jar (a symlink to the versioned file), copied as a plain file the product can read.
jar="$(readlink -f "$DB_DRIVER_JAR")" || true
if [[ -z "$jar" || ! -f "$jar" ]]; then
  echo "db-client: no JDBC driver at $DB_DRIVER_JAR (install libpostgresql-jdbc-java)" >&2
  exit 1
fi
# Every directory it creates on the way is like the rest of the product home: root's, the product's group, nothing for others.
dir="$WSO2_HOME"
IFS=/ read -r -a parts <<<"$DB_DRIVER_DIR"
for part in "${parts[@]}"; do
  [[ -n "$part" ]] || continue
  dir="$dir/$part"
  [[ -d "$dir" ]] || install -d -m 0750 -o 0 -g "$WSO2_UID" "$dir"
done
install -m 0640 -o 0 -g "$WSO2_UID" "$jar" "$WSO2_HOME/$DB_DRIVER_DIR/postgresql-jdbc.jar"

# The CA bundle: fetched once over HTTPS (verified against the system's CAs), kept only if it holds certificates.
if [[ ! -s "$DB_SSLROOTCERT" ]]; then
  if [[ -z "$DB_CA_BUNDLE_URL" ]]; then
    echo "db-client: $DB_SSLROOTCERT is missing and no DB_CA_BUNDLE_URL is set" >&2
    exit 1
  fi
  staged="$(mktemp)"
  trap 'rm -f -- "$staged"' EXIT
  curl --fail --silent --show-error --proto '=https' --tlsv1.2 --max-time 60 --retry 3 -o "$staged" "$DB_CA_BUNDLE_URL" || {
    echo "db-client: cannot fetch the CA bundle from $DB_CA_BUNDLE_URL" >&2
    exit 1
  }
  if ! openssl x509 -in "$staged" -noout 2>/dev/null; then
    echo "db-client: $DB_CA_BUNDLE_URL is not a PEM certificate bundle" >&2
    exit 1
  fi
  install -d -m 0755 "$(dirname "$DB_SSLROOTCERT")"
  install -m 0644 "$staged" "$DB_SSLROOTCERT"
fi
echo "db-client: driver in $WSO2_HOME/$DB_DRIVER_DIR, CA bundle at $DB_SSLROOTCERT" >&2
