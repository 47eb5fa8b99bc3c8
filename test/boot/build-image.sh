#!/usr/bin/env bash
# Builds the Debian 13 (trixie) disk image the boot test runs nodes on, from Debian's packages with
# mmdebstrap, and caches it outside the repository keyed by a hash of everything that decides its content.
# Prints the image directory (root.img, vmlinuz, initrd.img) on stdout; progress goes to stderr.
#
# usage: build-image.sh [EXTRA_PACKAGE...]
# env:   BOOT_CACHE (default /var/cache/wso2-hardening/boot-images)  MIRROR (default: the host's apt mirror)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${BOOT_CACHE:-/var/cache/wso2-hardening/boot-images}"
suite=trixie
mirror="${MIRROR:-$(awk '/^(URIs:|deb) / && !/security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"

# The base system of a Debian 13 cloud image (systemd-networkd and resolved, as cloud-init 25 on trixie needs),
# the guest agent the test inspects the node through (no SSH or network path is needed for that), and the
# tools the boot steps use, so a boot does not spend minutes on apt under emulation.
base=(linux-image-cloud-amd64 initramfs-tools systemd-sysv systemd-resolved udev dbus cloud-init openssh-server
  nftables python3 iproute2 curl ca-certificates netbase procps e2fsprogs locales qemu-guest-agent openssl
  postgresql-client unzip)
packages=("${base[@]}" "$@")
list="$(printf '%s\n' "${packages[@]}" | sort -u | paste -sd, -)"

# The key: suite, mirror, packages and every file that goes into or shapes the image (not this driver).
key="$( { printf '%s|%s|%s\n' "$suite" "$mirror" "$list"; cat "$here"/image/*; } | sha256sum | cut -c1-16)"
image="$cache/$suite-$key"
if [[ -s "$image/root.img" ]]; then
  echo "build-image: cached $image" >&2
  echo "$image"
  exit 0
fi

started=$(date +%s)
mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT

# Stand-ins for the two AWS agents the install step fetches from AWS's regional buckets (not reachable here).
"$here/image/agent-debs.sh" "$work/debs"

AGENT_DEBS="$work/debs" mmdebstrap --mode=root --variant=apt --include="$list" \
  --customize-hook="$here/image/customize.sh" \
  --skip=cleanup/apt/lists \
  "$suite" "$work/rootfs" \
  "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb ${mirror%/debian}/debian-security $suite-security main" >&2

cp "$work"/rootfs/boot/vmlinuz-* "$work/vmlinuz"
cp "$work"/rootfs/boot/initrd.img-* "$work/initrd.img"
mkfs.ext4 -q -F -L rootfs -d "$work/rootfs" "$work/root.img" 4G >&2
rm -rf -- "$work/rootfs"
rm -rf -- "$image"
mkdir -p "$image"
mv "$work/root.img" "$work/vmlinuz" "$work/initrd.img" "$image/"
echo "build-image: built $image in $(($(date +%s) - started))s" >&2
echo "$image"
