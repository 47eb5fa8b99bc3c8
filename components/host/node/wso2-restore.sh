#!/bin/bash
# Restores a backup made by wso2-backup. Usage: wso2-restore [--force] [--node <id>] [latest|<archive>]
# Restores this node's latest backup, or the named archive, or those of --node <id> (a node of the same
# cluster, e.g. the one this node replaces): verifies the SHA-256, and refuses to overwrite any existing
# file unless --force is given (exit 3).
# Settings: REGION, BACKUP_BUCKET, BACKUP_PREFIX; RESTORE_ROOT (target root, default /), NODE_ID.
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings REGION BACKUP_BUCKET BACKUP_PREFIX
: "${RESTORE_ROOT:=/}"
force=no
which=latest
while (( $# > 0 )); do
  case "$1" in
    --force) force=yes ;;
    --node) NODE_ID="${2:-}"; shift ;;
    -*) fail "unknown option $1" 2 ;;
    *) which="$1" ;;
  esac
  shift
done
node="$(node_id)"
[[ "$node" =~ ^[A-Za-z0-9._-]+$ ]] || fail "$node is not a node id" 2
src="s3://$BACKUP_BUCKET/$BACKUP_PREFIX/$node"
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
if [[ "$which" == latest ]]; then
  # `aws s3 ls` exits 1 for an empty listing as for a failure; only the error output tells them apart.
  if ! listing="$(aws s3 ls --region "$REGION" "$src/" 2>"$work/ls.err")" && [[ -s "$work/ls.err" ]]; then
    cat "$work/ls.err" >&2
    fail "cannot list $src/"
  fi
  which="$(awk '{print $4}' <<<"$listing" | grep -E '^wso2-backup-[0-9TZ]+\.tar\.gz$' | sort | tail -n 1 || true)"
  [[ -n "$which" ]] || fail "no backup under $src/"
fi
[[ "$which" =~ ^wso2-backup-[0-9TZ]+\.tar\.gz$ ]] || fail "$which is not a backup archive name" 2
aws s3 cp --region "$REGION" --only-show-errors "$src/$which" "$work/$which" || fail "cannot download $src/$which"
aws s3 cp --region "$REGION" --only-show-errors "$src/$which.sha256" "$work/$which.sha256" || fail "cannot download $src/$which.sha256"
(cd "$work" && sha256sum --check --quiet "$which.sha256") || fail "$src/$which does not match its SHA-256: not restored"
if [[ "$force" != yes ]]; then
  existing=0
  while IFS= read -r member; do
    if [[ -e "$RESTORE_ROOT/$member" && ! -d "$RESTORE_ROOT/$member" ]]; then
      echo "$WSO2_STEP: would overwrite $RESTORE_ROOT/$member" >&2
      existing=$((existing + 1))
    fi
  done < <(tar --list --gzip --file "$work/$which")
  (( existing == 0 )) || fail "$existing existing files; rerun with --force to overwrite them" 3
fi
tar --extract --gzip --numeric-owner --same-owner --acls --xattrs --same-permissions --file "$work/$which" --directory "$RESTORE_ROOT"
echo "$WSO2_STEP: restored $src/$which into $RESTORE_ROOT"
