#!/usr/bin/env bash
# Every test (`npm run test:all`): the type check first, then `npm test` and the VM boot test
# (`npm run test:boot`) side by side. The boot test's critical path (node 1's boot, node 2's boot, the
# reboot) keeps one QEMU vCPU busy at a time, and `npm test` mostly waits on the real tools it drives, so
# running them together shortens the whole by about the length of `npm test`. The boot test's lines are
# prefixed with [test:boot]; its report is out/boot/report.json. Exits non-zero when either fails.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

npm run typecheck || exit 1

# Stopped together: the boot test stops its VMs, emulator and database on SIGTERM.
trap 'trap - TERM INT; kill -TERM 0 2>/dev/null; wait; exit 143' TERM INT

(
  npm run test:boot 2>&1 | sed -u 's/^/[test:boot] /'
  exit "${PIPESTATUS[0]}"
) &
boot_pid=$!

npm test
tests=$?
wait "$boot_pid"
boot=$?

echo "test:all: npm test exited $tests, npm run test:boot exited $boot"
((tests == 0 && boot == 0))
