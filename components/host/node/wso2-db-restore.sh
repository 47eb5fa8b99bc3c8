#!/bin/bash
# Restores one archive written by wso2-db-backup.sh into a database with PostgreSQL's own pg_restore
# (PROD-BACKUP). Usage: wso2-db-restore.sh <archive.dump> <database>
# The objects in the archive are dropped and recreated in one transaction (all or nothing), owned by
# DB_OWNER_ROLE again, with their grants to the runtime user. A missing database is created first, owned by
# DB_OWNER_ROLE, so an archive can also be restored beside the live one to be checked.
# Settings: those of wso2-db-bootstrap.sh for the connection and roles.
# Exit status: 0 restored, 1 a failure, 2 bad usage or settings.
set -euo pipefail
umask 077

# Beside this file in the repository; under /usr/local/lib/wso2 on a node.
db_lib="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/db-lib.sh"
[[ -r "$db_lib" ]] || db_lib=/usr/local/lib/wso2/db-lib.sh
# shellcheck source-path=SCRIPTDIR source=db-lib.sh
. "$db_lib"

if [[ $# -ne 2 ]]; then
  echo "usage: wso2-db-restore <archive.dump> <database>" >&2
  exit 2
fi
archive="$1"
database="$2"
db_load_settings || exit 2
db_check_settings || exit 2
db_check_identifier database "$database" || exit 2
if [[ ! -r "$archive" ]]; then
  echo "db-restore: $archive is not a readable archive" >&2
  exit 2
fi
# Refuse anything that is not a pg_dump archive before touching the database.
if ! pg_restore --list "$archive" >/dev/null 2>&1; then
  echo "db-restore: $archive is not a pg_dump custom-format archive" >&2
  exit 2
fi
db_password_from_secret MASTER || exit $?

db_psql_master "$DB_MAINTENANCE_DATABASE" -v db="$database" -v owner="$DB_OWNER_ROLE" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'db', :'owner', 'UTF8')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
PGPASSWORD="$DB_MASTER_PASSWORD" pg_restore --no-password -U "$DB_MASTER_USER" -d "$database" \
  --role="$DB_OWNER_ROLE" --clean --if-exists --single-transaction --exit-on-error "$archive"
echo "db-restore: $archive restored into $database" >&2
