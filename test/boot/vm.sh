#!/usr/bin/env bash
# One test VM: a throwaway overlay on the cached image, a NoCloud seed with the node's user data, QEMU in
# TCG mode with user-mode networking (guest ports forwarded to 127.0.0.1 only), the instance metadata
# service answered by a program on the host, and the QEMU guest agent on a unix socket for inspection.
#
# usage: vm.sh start RUN_DIR IMAGE_DIR USER_DATA META_DATA IMDS_JSON [link/]GUEST_PORT=HOST_PORT...
#          link n0 (default): the instance's network, where forwarded connections arrive from 10.0.2.2;
#          link n1: the metadata link, where they arrive from 169.254.169.1 (a source nothing allows)
#        vm.sh wait  RUN_DIR COUNT TIMEOUT_SECONDS   (until the COUNT-th boot-test marker on the serial log)
#        vm.sh stop  RUN_DIR                          (QEMU by its pid; bounded)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
marker=BOOT-TEST-DONE

start() {
  local run="$1" image="$2" user_data="$3" meta_data="$4" imds="$5"
  shift 5
  mkdir -p "$run/seed"
  cp "$user_data" "$run/seed/user-data"
  cp "$meta_data" "$run/seed/meta-data"
  # eth0: the instance's network. eth1: a link to the metadata service only (no routes, no DNS from it),
  # since QEMU answers guest connections only inside a user-mode network's own range.
  # (net.ifnames=0 and device order make the names.)
  cat >"$run/seed/network-config" <<NET
version: 2
ethernets:
  eth0:
    dhcp4: true
  eth1:
    dhcp4: true
    dhcp4-overrides: {use-routes: false, use-dns: false}
NET
  genisoimage -quiet -output "$run/seed.iso" -volid cidata -joliet -rock \
    "$run/seed/user-data" "$run/seed/meta-data" "$run/seed/network-config"
  qemu-img create -q -f qcow2 -b "$image/root.img" -F raw "$run/disk.qcow2"
  local net="user,id=n0,restrict=off"
  # The metadata service: each guest connection to 169.254.169.254:80 runs the answering program.
  local imds_net="user,id=n1,net=169.254.169.0/24,host=169.254.169.1,dns=169.254.169.3,dhcpstart=169.254.169.15"
  imds_net="$imds_net,guestfwd=tcp:169.254.169.254:80-cmd:python3 $here/imds.py $imds"
  local spec fwd
  for spec in "$@"; do
    fwd="hostfwd=tcp:127.0.0.1:${spec#*=}-:${spec%%=*}"
    fwd="${fwd/:n[01]\//:}"
    case "$spec" in
      n1/*) imds_net="$imds_net,${fwd}" ;;
      *) net="$net,${fwd}" ;;
    esac
  done
  : >"$run/serial.log"
  # One vCPU: with two, multi-threaded TCG races the guest kernel's live code patching (an int3 Oops in
  # nf_conntrack's hash_conntrack_raw, a jump label being patched while the other vCPU runs it, panicked a
  # node's first boot here). The test's VMs run side by side on the host's cores anyway.
  qemu-system-x86_64 -accel tcg -m 2048 -smp 1 \
    -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 net.ifnames=0 panic=-1" \
    -drive "file=$run/disk.qcow2,if=virtio,format=qcow2" \
    -drive "file=$run/seed.iso,if=virtio,format=raw,readonly=on" \
    -netdev "$net" -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56 \
    -netdev "$imds_net" -device virtio-net-pci,netdev=n1,mac=52:54:00:12:34:57 \
    -chardev "socket,id=qga0,path=$run/qga.sock,server=on,wait=off" \
    -device virtio-serial -device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0 \
    -serial "file:$run/serial.log" -monitor none -display none \
    -pidfile "$run/qemu.pid" -daemonize
}

wait_marker() {
  local run="$1" count="$2" timeout="$3" started pid seen
  started=$(date +%s)
  pid="$(cat "$run/qemu.pid")"
  while :; do
    seen="$(grep -a -c "^$marker" "$run/serial.log" || true)"
    if ((seen >= count)); then
      grep -a "^$marker" "$run/serial.log" | sed -n "${count}p" | tr -d '\r'
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "vm: QEMU (pid $pid) exited before boot marker $count" >&2
      return 1
    fi
    if (($(date +%s) - started > timeout)); then
      echo "vm: no boot marker $count within ${timeout}s" >&2
      return 1
    fi
    sleep 2
  done
}

stop() {
  local run="$1" pid i
  [[ -s "$run/qemu.pid" ]] || return 0
  pid="$(cat "$run/qemu.pid")"
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 30); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  echo "vm: QEMU (pid $pid) still running after ${i}s; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
}

cmd="${1:-}"
shift || true
case "$cmd" in
  start) start "$@" ;;
  wait) wait_marker "$@" ;;
  stop) stop "$@" ;;
  *) echo "usage: vm.sh start|wait|stop RUN_DIR ..." >&2; exit 2 ;;
esac
