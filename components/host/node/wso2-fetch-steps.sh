#!/bin/bash
# Fetches the rest of the node's steps: one gzip-compressed tar in the cluster's bucket (STEPS_S3_URI),
# checked against the SHA-256 the user data carries (STEPS_SHA256) before anything in it is unpacked, then
# unpacked over / as root-owned files with the modes the bundle records. The steps do not fit in EC2's
# 16 KiB of user data; the checksum means write access to the bucket is not enough to change what a node
# runs. A bundle that cannot be downloaded, does not match or holds anything but the steps' own files fails
# this step, and with it the boot.
# Settings: REGION, STEPS_S3_URI, STEPS_SHA256.
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings REGION STEPS_S3_URI STEPS_SHA256
[[ "$STEPS_SHA256" =~ ^[0-9a-f]{64}$ ]] || fail "STEPS_SHA256 is not a lower-case hex SHA-256: $STEPS_SHA256"
# Where the bundle unpacks to; a test points it at a throwaway root.
root="${WSO2_STEPS_ROOT:-/}"

work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
aws s3 cp --region "$REGION" --only-show-errors "$STEPS_S3_URI" "$work/steps.tar.gz" \
  || fail "cannot download the node's steps $STEPS_S3_URI"
actual="$(sha256sum "$work/steps.tar.gz" | cut -d' ' -f1)"
[[ "$actual" == "$STEPS_SHA256" ]] \
  || fail "the node's steps $STEPS_S3_URI have SHA-256 $actual, expected $STEPS_SHA256: nothing unpacked"

mapfile -t entries < <(tar -tzf "$work/steps.tar.gz")
(( ${#entries[@]} > 0 )) || fail "the node's steps $STEPS_S3_URI are empty"
for entry in "${entries[@]}"; do
  case "$entry" in
    usr/local/sbin/wso2-* | usr/local/lib/wso2/*) ;;
    *) fail "the node's steps $STEPS_S3_URI hold $entry, outside the steps' directories: nothing unpacked" ;;
  esac
done
mkdir -p "$root/usr/local/sbin" "$root/usr/local/lib/wso2"
tar -xzf "$work/steps.tar.gz" -C "$root" --no-same-owner --no-overwrite-dir
echo "$WSO2_STEP: unpacked ${#entries[@]} files from $STEPS_S3_URI"
