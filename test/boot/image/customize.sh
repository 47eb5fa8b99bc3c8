#!/usr/bin/env bash
# mmdebstrap customize hook of the boot test image. usage: customize.sh ROOTFS (as mmdebstrap calls it)
# env: AGENT_DEBS (directory of the stand-in agent packages, from agent-debs.sh)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$1"
echo "/dev/vda / ext4 defaults,errors=remount-ro 0 1" >"$root/etc/fstab"
echo node >"$root/etc/hostname"
# Host keys are made per instance by cloud-init.
rm -f "$root"/etc/ssh/ssh_host_*
echo "en_US.UTF-8 UTF-8" >"$root/etc/locale.gen"
chroot "$root" locale-gen
echo LANG=en_US.UTF-8 >"$root/etc/default/locale"
# Timers that would compete with the boot for the emulated CPU.
chroot "$root" systemctl mask apt-daily.timer man-db.timer e2scrub_all.timer fstrim.timer
# cloud-init 25 on trixie renders networkd configuration, as Debian 13's cloud images use.
chroot "$root" systemctl enable systemd-networkd.service systemd-resolved.service
mkdir -p "$root/etc/cloud/cloud.cfg.d"
cp "$here/90-boot-test.cfg" "$root/etc/cloud/cloud.cfg.d/"
cp "$here/boot-test-report.service" "$root/etc/systemd/system/"
chroot "$root" systemctl enable boot-test-report.service
mkdir -p "$root/tmp/debs"
cp "$AGENT_DEBS"/*.deb "$root/tmp/debs/"
chroot "$root" sh -c 'dpkg -i /tmp/debs/*.deb'
rm -rf -- "$root/tmp/debs"
echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/99nolang"
