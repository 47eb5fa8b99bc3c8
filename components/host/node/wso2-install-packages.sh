#!/bin/bash
# Installs what a WSO2 node needs and disables what it does not (OS-MINIMAL-SOFTWARE).
# Settings: REGION, SSH_ENABLED (yes|no), EXTRA_PACKAGES (optional, space-separated: e.g. the database client
# and JDBC driver when the node uses a shared database).
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings REGION SSH_ENABLED

# Packages a node needs; nothing else is installed (openssl: the secrets step encrypts SI's vault entries).
PACKAGES=(default-jre-headless nftables awscli auditd unattended-upgrades curl unzip python3 python3-yaml openssl)
read -r -a extra_packages <<<"${EXTRA_PACKAGES:-}"
PACKAGES+=("${extra_packages[@]}")
# Services a Debian image may carry that a WSO2 node does not need.
UNNEEDED=(rpcbind.service rpcbind.socket avahi-daemon.service cups.service exim4.service postfix.service bluetooth.service)
export DEBIAN_FRONTEND=noninteractive
arch="$(dpkg --print-architecture)"

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if (( ${#missing[@]} > 0 )); then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

# AWS agents come as .deb files from their regional buckets.
install_deb() {
  local name="$1" url="$2" tmp
  dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'install ok installed' && return 0
  tmp="$(mktemp -d)"
  curl -sfL --retry 5 -o "$tmp/$name.deb" "$url" || fail "cannot download $name from $url"
  dpkg -i "$tmp/$name.deb"
  rm -rf -- "$tmp"
}
if [[ -z "${WSO2_TEST_AWS_ENDPOINT_URL:-}" ]]; then
  install_deb amazon-cloudwatch-agent "https://amazoncloudwatch-agent-$REGION.s3.$REGION.amazonaws.com/debian/$arch/latest/amazon-cloudwatch-agent.deb"
  install_deb amazon-ssm-agent "https://s3.$REGION.amazonaws.com/amazon-ssm-$REGION/latest/debian_$arch/amazon-ssm-agent.deb"
  systemctl enable --now amazon-ssm-agent.service
else
  echo "$WSO2_STEP: WSO2_TEST_AWS_ENDPOINT_URL is set (an emulator, not AWS): AWS agents not installed"
fi

for unit in "${UNNEEDED[@]}"; do
  if systemctl list-unit-files "$unit" >/dev/null 2>&1; then
    systemctl disable --now "$unit" >/dev/null 2>&1 || true
    systemctl mask "$unit" >/dev/null 2>&1 || true
  fi
done
if [[ "$SSH_ENABLED" != yes ]]; then
  systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
  systemctl mask ssh.service ssh.socket
fi
