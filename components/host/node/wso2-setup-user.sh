#!/bin/bash
# Dedicated wso2 user and product-home permissions (OS-DEDICATED-USER).
# Creates the wso2 system user (no login shell, locked password, in no other group, no sudoers entry) and
# sets owners and modes: the product home root:wso2 and read-only for wso2 (configuration and keystores
# 0640), the directories the product writes owned by wso2 (0750). ROOT=<dir> applies it all inside <dir>;
# ids are numeric so the host's own user database is never consulted.
# Settings: WSO2_HOME, WSO2_UID, WRITABLE_DIRS (space-separated, relative to the home); ROOT (optional).
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings WSO2_HOME WSO2_UID WRITABLE_DIRS
: "${ROOT:=}"
read -r -a writable <<<"$WRITABLE_DIRS"
NOLOGIN=/usr/sbin/nologin
prefix=()
if [[ -n "$ROOT" ]]; then prefix=(--prefix "$ROOT"); fi

if ! grep -q '^wso2:' "$ROOT/etc/group"; then
  groupadd "${prefix[@]}" --system --gid "$WSO2_UID" wso2
fi
if ! grep -q '^wso2:' "$ROOT/etc/passwd"; then
  useradd "${prefix[@]}" --system --uid "$WSO2_UID" --gid "$WSO2_UID" --no-create-home \
    --home-dir /nonexistent --shell "$NOLOGIN" --comment 'WSO2 service' wso2
fi
# Enforce, even on an image that had the user already: no shell, no supplementary groups, locked
# password. Only when needed, so a second run changes nothing (usermod rewrites the files it touches).
shell="$(awk -F: '$1 == "wso2" {print $7}' "$ROOT/etc/passwd")"
if [[ "$shell" != "$NOLOGIN" ]] || awk -F: '{n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == "wso2") found = 1} END {exit !found}' "$ROOT/etc/group"; then
  usermod "${prefix[@]}" --shell "$NOLOGIN" --groups '' wso2
fi
if [[ "$(awk -F: '$1 == "wso2" {print substr($2, 1, 1)}' "$ROOT/etc/shadow")" != '!' ]]; then
  usermod "${prefix[@]}" --lock wso2
fi
# No sudo: remove any sudoers drop-in that names the user.
if [[ -d "$ROOT/etc/sudoers.d" ]]; then
  while IFS= read -r granted; do
    echo "$WSO2_STEP: removing sudo grant $granted" >&2
    rm -f -- "$granted"
  done < <(grep -lE '^[[:space:]]*(wso2|%wso2)[[:space:]]' "$ROOT"/etc/sudoers.d/* 2>/dev/null || true)
fi
if [[ -f "$ROOT/etc/sudoers" ]] && grep -qE '^[[:space:]]*(wso2|%wso2)[[:space:]]' "$ROOT/etc/sudoers"; then
  fail "/etc/sudoers grants wso2 rights; remove them"
fi

home="$ROOT$WSO2_HOME"
[[ -d "$home" ]] || fail "product home $WSO2_HOME is missing"
install -d -m 0750 -o 0 -g "$WSO2_UID" "$(dirname "$home")"
# Everything root-owned and read-only for the group: configuration and keystores end up 0640 root:wso2,
# scripts 0750, directories 0750; others get nothing.
chown -R "0:$WSO2_UID" "$home"
chmod -R u=rwX,g=rX,o= "$home"
for dir in "${writable[@]}"; do
  install -d -m 0750 -o "$WSO2_UID" -g "$WSO2_UID" "$home/$dir"
  chown -R "$WSO2_UID:$WSO2_UID" "$home/$dir"
  chmod -R u=rwX,g=rX,o= "$home/$dir"
done
