#!/bin/bash
# Installs the rendered configuration into the product and the system and (re)starts what reads it: the
# log4j2 block, the firewall, sshd, auditd and the CloudWatch agent, and enables the timers (the boot
# driver starts them once the product runs: a peer refresh or backup during the boot would only compete
# with it, and the boot refreshes the peer set itself).
# Settings: WSO2_HOME, CONFIG_DIR, LOG4J2_FILE (relative to the home; empty when the product has none),
# LOG4J2_BEGIN and LOG4J2_END (the managed block's marker lines), SSH_ENABLED, TIMERS (space-separated);
# ROOT (optional: only the product files are touched, inside it).
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings WSO2_HOME CONFIG_DIR SSH_ENABLED TIMERS
: "${ROOT:=}" "${LOG4J2_FILE:=}"
read -r -a timer_units <<<"$TIMERS"

# log4j2: replace the managed block at the end of the product's file; the last definition wins.
if [[ -n "$LOG4J2_FILE" ]]; then
  require_settings LOG4J2_BEGIN LOG4J2_END
  target="$ROOT$WSO2_HOME/$LOG4J2_FILE"
  tmp="$(mktemp)"
  if [[ -f "$target" ]]; then
    awk -v b="$LOG4J2_BEGIN" -v e="$LOG4J2_END" '$0 == b {skip = 1} !skip {print} $0 == e {skip = 0}' "$target" >"$tmp"
  fi
  cat "$ROOT$CONFIG_DIR/log4j2.properties" >>"$tmp"
  cat "$tmp" >"$target"
  rm -f -- "$tmp"
fi

if [[ -n "$ROOT" ]]; then exit 0; fi
systemctl daemon-reload
systemctl enable nftables.service
systemctl restart nftables.service
if [[ "$SSH_ENABLED" == yes ]]; then
  sshd -t
  systemctl reload-or-restart ssh.service
fi
augenrules --load
systemctl enable --now auditd.service
agent_ctl=/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl
if [[ -x "$agent_ctl" ]]; then
  "$agent_ctl" -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json
elif [[ -z "${WSO2_TEST_AWS_ENDPOINT_URL:-}" ]]; then
  fail "the CloudWatch agent is not installed ($agent_ctl)"
fi
systemctl enable "${timer_units[@]}"
