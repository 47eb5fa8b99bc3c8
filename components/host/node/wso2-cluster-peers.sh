#!/bin/bash
# Refreshes the cluster_peers firewall set from the EC2 API (OS-CLUSTER-PORTS): the private addresses of
# the pending and running instances carrying the cluster's tag replace the set in one nft transaction
# (flush and add together: no window without peers).
# Settings: REGION, CLUSTER_TAG_KEY, CLUSTER_TAG_VALUE, NFT_TABLE.
# shellcheck source-path=SCRIPTDIR source=node-lib.sh
. "${WSO2_NODE_LIB:-/usr/local/lib/wso2/node-lib.sh}"
load_settings
require_settings REGION CLUSTER_TAG_KEY CLUSTER_TAG_VALUE NFT_TABLE

addresses="$(aws ec2 describe-instances --region "$REGION" \
  --filters "Name=tag:$CLUSTER_TAG_KEY,Values=$CLUSTER_TAG_VALUE" Name=instance-state-name,Values=pending,running \
  --query 'Reservations[].Instances[].PrivateIpAddress' --output text)" \
  || fail "cannot list the instances tagged $CLUSTER_TAG_KEY=$CLUSTER_TAG_VALUE"
batch="$(mktemp)"
trap 'rm -f -- "$batch"' EXIT
echo "flush set inet $NFT_TABLE cluster_peers" >"$batch"
count=0
for ip in $addresses; do
  if [[ "$ip" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ ]]; then
    echo "add element inet $NFT_TABLE cluster_peers { $ip }" >>"$batch"
    count=$((count + 1))
  fi
done
nft -f "$batch" || fail "cannot update the cluster_peers set of table inet $NFT_TABLE"
echo "$WSO2_STEP: $count peers"
