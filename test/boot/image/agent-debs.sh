#!/usr/bin/env bash
# Builds stand-in packages named like the AWS agents the install step downloads from AWS's regional buckets,
# which a test VM cannot reach. They carry what the boot steps call (the CloudWatch agent's control command,
# the SSM agent's unit) and do nothing else: the boot test cannot show that the real agents ship logs or
# accept sessions.
# usage: agent-debs.sh OUT_DIR
set -euo pipefail
out="$1"
mkdir -p "$out"
build() {
  local name="$1" root
  root="$(mktemp -d)"
  mkdir -p "$root/DEBIAN"
  printf 'Package: %s\nVersion: 0.0-boot-test\nArchitecture: all\nMaintainer: boot test <boot-test@localhost>\nDescription: boot test stand-in for %s\n' \
    "$name" "$name" >"$root/DEBIAN/control"
  case "$name" in
    amazon-cloudwatch-agent)
      mkdir -p "$root/opt/aws/amazon-cloudwatch-agent/bin" "$root/opt/aws/amazon-cloudwatch-agent/etc"
      # The real ctl reads the config given by -c file:PATH; the stand-in only insists that it parses.
      cat >"$root/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl" <<'CTL'
#!/bin/sh
for arg in "$@"; do
  case "$arg" in file:*) python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "${arg#file:}" || exit 1 ;; esac
done
echo "amazon-cloudwatch-agent-ctl (boot test stand-in): $*"
CTL
      chmod 0755 "$root/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl"
      ;;
    amazon-ssm-agent)
      mkdir -p "$root/lib/systemd/system"
      printf '[Unit]\nDescription=SSM agent (boot test stand-in)\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' \
        >"$root/lib/systemd/system/amazon-ssm-agent.service"
      ;;
  esac
  dpkg-deb --root-owner-group -Zgzip --build "$root" "$out/$name.deb" >/dev/null
  rm -rf -- "$root"
}
build amazon-cloudwatch-agent
build amazon-ssm-agent
