#!/bin/bash
# Backs up the product's configuration, keystores and truststores, deployed artifacts and scripts, the
# rendered configuration and boot scripts, and database exports when present, with owners and modes, to
# s3://BACKUP_BUCKET/BACKUP_PREFIX/<node id>/ with its SHA-256 (OS-BACKUPS). The bucket encrypts,
# versions and replicates; the node may put there but never read another cluster's objects or delete.
# Settings: REGION, BACKUP_BUCKET, BACKUP_PREFIX, BACKUP_PATHS (space-separated, relative to /),
# DB_EXPORT_DIR; BACKUP_ROOT (source root, default /), NODE_ID (default: the instance id).
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings REGION BACKUP_BUCKET BACKUP_PREFIX BACKUP_PATHS
: "${BACKUP_ROOT:=/}" "${DB_EXPORT_DIR:=}"
read -r -a paths <<<"$BACKUP_PATHS"
node="$(node_id)"
if [[ -n "$DB_EXPORT_DIR" && -d "$BACKUP_ROOT/${DB_EXPORT_DIR#/}" ]]; then paths+=("${DB_EXPORT_DIR#/}"); fi
present=()
for path in "${paths[@]}"; do
  if [[ -e "$BACKUP_ROOT/$path" ]]; then present+=("$path"); fi
done
(( ${#present[@]} > 0 )) || fail "nothing to back up under $BACKUP_ROOT"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
name="wso2-backup-$stamp.tar.gz"
tar --create --gzip --numeric-owner --acls --xattrs --file "$work/$name" --directory "$BACKUP_ROOT" -- "${present[@]}"
(cd "$work" && sha256sum "$name" >"$name.sha256")
dest="s3://$BACKUP_BUCKET/$BACKUP_PREFIX/$node"
aws s3 cp --region "$REGION" --only-show-errors "$work/$name.sha256" "$dest/$name.sha256" || fail "cannot upload to $dest/"
aws s3 cp --region "$REGION" --only-show-errors "$work/$name" "$dest/$name" || fail "cannot upload to $dest/"
echo "$WSO2_STEP: $dest/$name"
