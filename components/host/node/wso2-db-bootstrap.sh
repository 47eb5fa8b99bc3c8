#!/bin/bash
# First-boot schema and users of WSO2's databases (PROD-LEAST-PRIV-DATASTORE, PROD-TLS-EXTERNAL).
#
# Run by every node at boot; exactly one does the work at a time: the run holds a PostgreSQL advisory lock
# (on DB_MAINTENANCE_DATABASE) for its whole length, so concurrent nodes wait, then find everything done.
# As the master user it creates:
#   - DB_OWNER_ROLE (NOLOGIN): owns the databases and every object of the product's scripts; the
#     migration role. Nobody logs in as it; the master switches to it (SET ROLE) to run the scripts.
#   - DB_RUNTIME_USER (LOGIN): what the product connects as. SELECT/INSERT/UPDATE/DELETE on tables,
#     USAGE/SELECT on sequences, CONNECT on its databases; owns nothing, creates nothing.
#   - each database of DB_SCHEMAS, then runs the distribution's scripts (WSO2_HOME/<path>) into it once,
#     each in one transaction, recorded with its SHA-256 in wso2_bootstrap.applied_scripts.
#
# Settings (environment, else DB_SETTINGS_FILE, default /etc/wso2/node.env, NAME='value' lines):
#   DB_HOST, DB_PORT (5432), DB_SSLROOTCERT (CA bundle), DB_SSLMODE (verify-full | verify-ca)
#   DB_MASTER_PASSWORD or DB_MASTER_SECRET_ID (Secrets Manager, {"username","password"}); DB_MASTER_USER
#     (default: the secret's username)
#   DB_RUNTIME_USER (wso2_runtime); DB_RUNTIME_PASSWORD or DB_RUNTIME_SECRET_ID (same format)
#   DB_OWNER_ROLE (wso2_owner), DB_MAINTENANCE_DATABASE (postgres), DB_LOCK_TIMEOUT seconds (600)
#   DB_SCHEMAS: space-separated "<database>=<script>[,<script>...]", scripts relative to WSO2_HOME,
#     e.g. "wso2shared_db=dbscripts/postgresql.sql wso2am_db=dbscripts/apimgt/postgresql.sql"
#   WSO2_HOME: the product home holding dbscripts/
# Exit status: 0 done (or nothing to do), 1 a failure, 2 bad settings.
set -euo pipefail
umask 077

# Beside this file in the repository; under /usr/local/lib/wso2 on a node.
db_lib="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/db-lib.sh"
[[ -r "$db_lib" ]] || db_lib=/usr/local/lib/wso2/db-lib.sh
# shellcheck source-path=SCRIPTDIR source=db-lib.sh
. "$db_lib"

db_load_settings || exit 2
: "${DB_LOCK_TIMEOUT:=600}"
: "${DB_LOCK_KEY:=7403219}" # arbitrary; the same on every node
db_check_settings || exit 2
db_require DB_SCHEMAS WSO2_HOME || exit 2
if [[ ! "$DB_LOCK_TIMEOUT" =~ ^[0-9]+$ || ! "$DB_LOCK_KEY" =~ ^[0-9]+$ ]]; then
  echo "db-bootstrap: DB_LOCK_TIMEOUT and DB_LOCK_KEY must be whole numbers" >&2
  exit 2
fi

# Parse and check DB_SCHEMAS before connecting anywhere.
declare -a DATABASES=()
declare -A SCRIPTS=()
for entry in $DB_SCHEMAS; do
  if [[ ! "$entry" =~ ^([^=]+)=(.+)$ ]]; then
    echo "db-bootstrap: DB_SCHEMAS entry '$entry' is not <database>=<script>[,<script>...]" >&2
    exit 2
  fi
  database="${BASH_REMATCH[1]}"
  scripts="${BASH_REMATCH[2]}"
  db_check_identifier "DB_SCHEMAS database" "$database" || exit 2
  if [[ -n "${SCRIPTS[$database]+set}" ]]; then
    echo "db-bootstrap: DB_SCHEMAS names database $database twice" >&2
    exit 2
  fi
  IFS=, read -r -a list <<<"$scripts"
  for script in "${list[@]}"; do
    if [[ "$script" == /* || "$script" == *..* || ! -r "$WSO2_HOME/$script" ]]; then
      echo "db-bootstrap: DB_SCHEMAS script '$script' of $database is not a readable file under WSO2_HOME=$WSO2_HOME" >&2
      exit 2
    fi
  done
  DATABASES+=("$database")
  SCRIPTS[$database]="$scripts"
done

db_password_from_secret MASTER || exit $?
db_password_from_secret RUNTIME || exit $?
export DB_RUNTIME_PASSWORD
if [[ "$DB_RUNTIME_USER" == "$DB_MASTER_USER" || "$DB_RUNTIME_USER" == "$DB_OWNER_ROLE" || "$DB_OWNER_ROLE" == "$DB_MASTER_USER" ]]; then
  echo "db-bootstrap: DB_MASTER_USER, DB_OWNER_ROLE and DB_RUNTIME_USER must be three different roles" >&2
  exit 2
fi

log() { echo "db-bootstrap: $*" >&2; }

# --- the lock: one session holds it for the whole run; it goes away with the session --------------------
coproc LOCK_SESSION { PGPASSWORD="$DB_MASTER_PASSWORD" exec psql -X -q -t -A -v ON_ERROR_STOP=1 -U "$DB_MASTER_USER" -d "$DB_MAINTENANCE_DATABASE" 2>&1; }
lock_in="${LOCK_SESSION[1]}"
lock_out="${LOCK_SESSION[0]}"
lock_pid="$LOCK_SESSION_PID"
release_lock() {
  exec {lock_in}>&- 2>/dev/null || true
  wait "$lock_pid" 2>/dev/null || true
}
trap release_lock EXIT
printf 'SELECT %s FROM (SELECT pg_advisory_lock(%s)) AS l;\n' "'locked'" "$DB_LOCK_KEY" >&"$lock_in"
started=$SECONDS
if ! IFS= read -r -t "$DB_LOCK_TIMEOUT" reply <&"$lock_out" || [[ "$reply" != locked ]]; then
  log "could not take the bootstrap lock within ${DB_LOCK_TIMEOUT}s: ${reply:-no answer}"
  kill "$lock_pid" 2>/dev/null || true
  exit 1
fi
log "holding the bootstrap lock (waited $((SECONDS - started))s)"

# --- roles ----------------------------------------------------------------------------------------------
db_psql_master "$DB_MAINTENANCE_DATABASE" \
  -v owner="$DB_OWNER_ROLE" -v runtime="$DB_RUNTIME_USER" -v master="$DB_MASTER_USER" <<'SQL'
SELECT format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', :'owner')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
-- The master must be able to act as the owner (SET ROLE) to create its databases and objects.
SELECT format('GRANT %I TO %I', :'owner', :'master')
  WHERE NOT pg_has_role(:'master', :'owner', 'MEMBER') \gexec
\getenv runtime_password DB_RUNTIME_PASSWORD
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOINHERIT PASSWORD %L', :'runtime', :'runtime_password')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'runtime') \gexec
SQL

# An existing runtime user keeps its password unless the secret changed (a rotation): try it first.
if ! PGPASSWORD="$DB_RUNTIME_PASSWORD" psql -X -q -t -A -U "$DB_RUNTIME_USER" -d "$DB_MAINTENANCE_DATABASE" -c 'SELECT 1' >/dev/null 2>&1; then
  log "setting the password of $DB_RUNTIME_USER from its secret"
  db_psql_master "$DB_MAINTENANCE_DATABASE" -v runtime="$DB_RUNTIME_USER" <<'SQL'
\getenv runtime_password DB_RUNTIME_PASSWORD
SELECT format('ALTER ROLE %I PASSWORD %L', :'runtime', :'runtime_password') \gexec
SQL
fi

# --- databases, schema, grants --------------------------------------------------------------------------
for database in "${DATABASES[@]}"; do
  db_psql_master "$DB_MAINTENANCE_DATABASE" -v db="$database" -v owner="$DB_OWNER_ROLE" -v runtime="$DB_RUNTIME_USER" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'db', :'owner', 'UTF8')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
-- Only named roles connect; nobody but the owner makes temporary tables.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db')
  WHERE EXISTS (SELECT 1 FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
                WHERE d.datname = :'db' AND a.grantee = 0) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db', :'runtime')
  WHERE NOT has_database_privilege(:'runtime', :'db', 'CONNECT') \gexec
SQL

  db_psql_master "$database" -v owner="$DB_OWNER_ROLE" -v runtime="$DB_RUNTIME_USER" <<'SQL'
SET ROLE :"owner";
CREATE SCHEMA IF NOT EXISTS wso2_bootstrap;
CREATE TABLE IF NOT EXISTS wso2_bootstrap.applied_scripts (
  script text PRIMARY KEY,
  sha256 text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
-- PostgreSQL before 15 let everyone create in public; the runtime user must not.
SELECT 'REVOKE CREATE ON SCHEMA public FROM PUBLIC'
  WHERE has_schema_privilege('public', 'public', 'CREATE') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'runtime')
  WHERE NOT has_schema_privilege(:'runtime', 'public', 'USAGE') \gexec
SQL

  IFS=, read -r -a list <<<"${SCRIPTS[$database]}"
  for script in "${list[@]}"; do
    sum="$(sha256sum "$WSO2_HOME/$script" | cut -d' ' -f1)"
    applied="$(db_psql_master "$database" -t -A -v script="$script" <<'SQL'
SELECT sha256 FROM wso2_bootstrap.applied_scripts WHERE script = :'script';
SQL
)"
    if [[ "$applied" == "$sum" ]]; then
      continue
    elif [[ -n "$applied" ]]; then
      log "$database: $script differs from the version applied (sha256 $applied); schema upgrades are a separate migration"
      exit 1
    fi
    log "$database: applying $script"
    # One transaction: the owner runs the script and records it, or nothing happens.
    db_psql_master "$database" -1 -v owner="$DB_OWNER_ROLE" -v script="$script" -v sha256="$sum" \
      -c "SET ROLE \"$DB_OWNER_ROLE\"" \
      -f "$WSO2_HOME/$script" \
      -c "INSERT INTO wso2_bootstrap.applied_scripts (script, sha256) VALUES ('${script//\'/\'\'}', '$sum')"
  done

  # Data rights on what exists, and on what the owner creates later. GRANT of a held right changes nothing.
  db_psql_master "$database" -v owner="$DB_OWNER_ROLE" -v runtime="$DB_RUNTIME_USER" <<'SQL'
SET ROLE :"owner";
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', :'runtime')
  WHERE EXISTS (SELECT 1 FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'f')
                  AND NOT (has_table_privilege(:'runtime', c.oid, 'SELECT') AND has_table_privilege(:'runtime', c.oid, 'INSERT')
                       AND has_table_privilege(:'runtime', c.oid, 'UPDATE') AND has_table_privilege(:'runtime', c.oid, 'DELETE'))) \gexec
SELECT format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', :'runtime')
  WHERE EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'S'
                  AND NOT (has_sequence_privilege(:'runtime', c.oid, 'USAGE') AND has_sequence_privilege(:'runtime', c.oid, 'SELECT'))) \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', :'owner', :'runtime'),
       format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', :'owner', :'runtime')
  WHERE NOT EXISTS (SELECT 1 FROM pg_default_acl a JOIN pg_namespace n ON n.oid = a.defaclnamespace
                    WHERE n.nspname = 'public' AND a.defaclrole = :'owner'::regrole AND a.defaclobjtype = 'S') \gexec
SQL
  log "$database: schema and grants in place"
done
log "done"
