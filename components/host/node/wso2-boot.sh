#!/bin/bash
# The boot of a WSO2 node, run once by cloud-init: each step of BOOT_STEPS in order, each as its own
# transient unit wso2-boot-<step>.service, then the product's unit, then the timers (enabled by the
# configure step; started last so that their runs do not compete with the boot). The first step that
# fails stops the boot: its unit stays failed (systemctl --failed, journalctl -u), this script prints a line naming it
# and exits non-zero, so cloud-init reports the error. Every step is idempotent: rerunning this script
# after a fix resumes the boot.
# Settings: BOOT_STEPS (space-separated names of /usr/local/sbin/ scripts), PRODUCT_UNIT, TIMERS
# (space-separated).
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings BOOT_STEPS PRODUCT_UNIT TIMERS
read -r -a steps <<<"$BOOT_STEPS"
read -r -a timer_units <<<"$TIMERS"
for step in "${steps[@]}"; do
  unit="wso2-boot-$step.service"
  # A failed unit of an earlier run would block the name.
  systemctl reset-failed "$unit" >/dev/null 2>&1 || true
  echo "$WSO2_STEP: running $step"
  if ! systemd-run --quiet --wait --unit="$unit" --description="WSO2 boot step $step" \
    --property=Type=oneshot "/usr/local/sbin/$step"; then
    journalctl --no-pager --quiet --output=cat --lines=20 --unit="$unit" >&2 || true
    fail "step $step failed; see systemctl status $unit and journalctl -u $unit"
  fi
done
systemctl enable --now "$PRODUCT_UNIT" || fail "cannot start $PRODUCT_UNIT; see journalctl -u $PRODUCT_UNIT"
systemctl start "${timer_units[@]}" || fail "cannot start ${timer_units[*]}"
echo "$WSO2_STEP: done"
