#!/bin/bash
# Installs the product distribution into WSO2_HOME (PROD-DISTRIBUTION): downloads DIST_S3_URI, refuses it
# unless its SHA-256 is DIST_SHA256, unpacks it and checks the start script is where the unit runs it.
# With DIST_S3_URI empty the image must already hold the product. Every failure exits non-zero with a
# line saying what is wrong; nothing is half-installed (the archive is unpacked aside, then moved).
# Settings: REGION, WSO2_HOME, START_SCRIPT, DIST_S3_URI, DIST_SHA256; ROOT (optional, act inside it).
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings REGION WSO2_HOME START_SCRIPT
: "${ROOT:=}" "${DIST_S3_URI:=}" "${DIST_SHA256:=}"
home="$ROOT$WSO2_HOME"

if [[ -f "$home/$START_SCRIPT" ]]; then
  echo "$WSO2_STEP: $WSO2_HOME already holds the product"
  exit 0
fi
if [[ -z "$DIST_S3_URI" ]]; then
  fail "the product is not installed ($WSO2_HOME/$START_SCRIPT is missing) and no distribution is configured: set distributionS3Uri and distributionSha256, or productAmiId to an image that holds the product"
fi
[[ "$DIST_SHA256" =~ ^[0-9a-f]{64}$ ]] || fail "DIST_SHA256 must be the 64 hex digits of the distribution's SHA-256, not '$DIST_SHA256'"

parent="$(dirname "$home")"
install -d -m 0750 "$parent"
work="$(mktemp -d "$parent/.wso2-install.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
aws s3 cp --region "$REGION" --only-show-errors "$DIST_S3_URI" "$work/dist.zip" \
  || fail "cannot download the distribution $DIST_S3_URI"
actual="$(sha256sum "$work/dist.zip" | awk '{print $1}')"
if [[ "$actual" != "$DIST_SHA256" ]]; then
  fail "the distribution $DIST_S3_URI has SHA-256 $actual, expected $DIST_SHA256: refusing to install it"
fi
unzip -q "$work/dist.zip" -d "$work/unpacked" || fail "cannot unpack $DIST_S3_URI"
unpacked="$work/unpacked/$(basename "$WSO2_HOME")"
[[ -f "$unpacked/$START_SCRIPT" ]] \
  || fail "the distribution $DIST_S3_URI has no $(basename "$WSO2_HOME")/$START_SCRIPT"
# Zip files do not always carry modes; the unit executes the start script.
chmod 0750 "$unpacked/$START_SCRIPT"
rm -rf -- "$home"
mv -- "$unpacked" "$home"
echo "$WSO2_STEP: installed $DIST_S3_URI (SHA-256 $actual) into $WSO2_HOME"
