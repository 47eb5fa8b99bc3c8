#!/bin/bash
# Logical backup of WSO2's databases with PostgreSQL's own pg_dump (PROD-BACKUP): one custom-format
# archive per database in DB_BACKUP_DIR, named <database>-<UTC time>.dump, mode 0600. Prints the paths.
# Connects like wso2-db-bootstrap.sh (same settings, TLS with certificate verification) as the master user.
#
# Settings: those of wso2-db-bootstrap.sh for the connection and DB_SCHEMAS (which databases), plus
#   DB_BACKUP_DIR (/var/backups/wso2-db)
# Exit status: 0 every database dumped, 1 a failure, 2 bad settings.
set -euo pipefail
umask 077

# Beside this file in the repository; under /usr/local/lib/wso2 on a node.
db_lib="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/db-lib.sh"
[[ -r "$db_lib" ]] || db_lib=/usr/local/lib/wso2/db-lib.sh
# shellcheck source-path=SCRIPTDIR source=db-lib.sh
. "$db_lib"

db_load_settings || exit 2
: "${DB_BACKUP_DIR:=/var/backups/wso2-db}"
db_check_settings || exit 2
db_require DB_SCHEMAS || exit 2
db_password_from_secret MASTER || exit $?

install -d -m 0700 "$DB_BACKUP_DIR"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
for entry in $DB_SCHEMAS; do
  database="${entry%%=*}"
  db_check_identifier "DB_SCHEMAS database" "$database" || exit 2
  target="$DB_BACKUP_DIR/$database-$stamp.dump"
  # Written beside the target, renamed when complete: a partial dump never carries the final name.
  PGPASSWORD="$DB_MASTER_PASSWORD" pg_dump --format=custom --no-password -U "$DB_MASTER_USER" -d "$database" --file "$target.partial"
  mv -- "$target.partial" "$target"
  printf '%s\n' "$target"
done
