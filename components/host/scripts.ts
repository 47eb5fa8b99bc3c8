/**
 * The boot and maintenance steps of a node as bash scripts. Each starts with its settings as
 * `: "${NAME:=value}"` lines (rendered from typed input, overridable from the environment, which is how
 * the tests point them at a throwaway root or a local S3), then a fixed body. All are idempotent.
 */
import type { ProductSpec } from "../../products";
import { productHome } from "../../products";
import { ADMIN_ENV_FILE, CONFIG_DIR, HOST_SCRIPTS } from "./paths";
import { LOG4J2_MARKERS } from "./log4j2";
import { NFT_TABLE } from "./nftables";
import { ADMIN_USERNAME_ENV, SECURE_VAULT_ALIASES } from "./product-config";

/** Single-quotes a value for bash. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Escapes a value for the word of a double-quoted `${NAME:=word}`. */
function doubleQuoteEscape(value: string): string {
    if (/[\n\r]/.test(value)) throw new Error(`script setting ${JSON.stringify(value)} spans lines`);
    return value.replace(/[\\"$`}]/g, (c) => `\\${c}`);
}

function header(purpose: string[], settings: Record<string, string | number>): string {
    const lines = ["#!/bin/bash", ...purpose.map((l) => `# ${l}`), "set -euo pipefail", "umask 027"];
    for (const [name, value] of Object.entries(settings)) {
        if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`bad script setting name ${name}`);
        lines.push(`: "\${${name}:=${doubleQuoteEscape(String(value))}}"`);
    }
    return lines.join("\n") + "\n";
}

function dirname(path: string): string {
    return path.slice(0, path.lastIndexOf("/"));
}

function words(list: readonly string[]): string {
    for (const w of list) if (!/^[A-Za-z0-9_./-]+$/.test(w)) throw new Error(`path ${JSON.stringify(w)} has characters scripts do not accept`);
    return list.join(" ");
}

/** Shell function reading one IMDSv2 value (instance id, region); tests set the variable instead. */
const IMDS_FUNCTION = `imds() {
  local token
  token="$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)"
  curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}
`;

// ---------------------------------------------------------------------------------------------------------
export interface UserSetupInput {
    product: ProductSpec;
    productVersion: string;
    /** UID and GID of `wso2`. @default 802 */
    wso2Uid?: number;
}

/**
 * Creates the `wso2` system user (no login shell, locked password, in no other group, no sudoers entry)
 * and sets owners and modes: the product home root:wso2 and read-only for wso2 (configuration and
 * keystores 0640), the directories the product writes owned by wso2 (0750). `ROOT=<dir>` applies it all
 * inside `<dir>`; ids are numeric so the host's own user database is never consulted.
 */
export function renderUserSetupScript(input: UserSetupInput): string {
    const uid = input.wso2Uid ?? 802;
    if (!Number.isInteger(uid) || uid < 100 || uid > 60000) throw new Error(`wso2Uid: ${uid} must be an integer between 100 and 60000`);
    return (
        header(["Dedicated wso2 user and product-home permissions (OS-DEDICATED-USER). ROOT=<dir>: act inside <dir>."], {
            ROOT: "",
            WSO2_UID: uid,
            WSO2_HOME: productHome(input.product, input.productVersion),
        }) +
        `WRITABLE_DIRS=(${words(input.product.layout.writableDirs)})
NOLOGIN=/usr/sbin/nologin
prefix=()
if [[ -n "$ROOT" ]]; then prefix=(--prefix "$ROOT"); fi

if ! grep -q '^wso2:' "$ROOT/etc/group"; then
  groupadd "\${prefix[@]}" --system --gid "$WSO2_UID" wso2
fi
if ! grep -q '^wso2:' "$ROOT/etc/passwd"; then
  useradd "\${prefix[@]}" --system --uid "$WSO2_UID" --gid "$WSO2_UID" --no-create-home \\
    --home-dir /nonexistent --shell "$NOLOGIN" --comment 'WSO2 service' wso2
fi
# Enforce, even on an image that had the user already: no shell, no supplementary groups, locked
# password. Only when needed, so a second run changes nothing (usermod rewrites the files it touches).
shell="$(awk -F: '$1 == "wso2" {print $7}' "$ROOT/etc/passwd")"
if [[ "$shell" != "$NOLOGIN" ]] || awk -F: '{n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == "wso2") found = 1} END {exit !found}' "$ROOT/etc/group"; then
  usermod "\${prefix[@]}" --shell "$NOLOGIN" --groups '' wso2
fi
if [[ "$(awk -F: '$1 == "wso2" {print substr($2, 1, 1)}' "$ROOT/etc/shadow")" != '!' ]]; then
  usermod "\${prefix[@]}" --lock wso2
fi
# No sudo: remove any sudoers drop-in that names the user.
if [[ -d "$ROOT/etc/sudoers.d" ]]; then
  while IFS= read -r granted; do
    echo "wso2-setup-user: removing sudo grant $granted" >&2
    rm -f -- "$granted"
  done < <(grep -lE '^[[:space:]]*(wso2|%wso2)[[:space:]]' "$ROOT"/etc/sudoers.d/* 2>/dev/null || true)
fi
if [[ -f "$ROOT/etc/sudoers" ]] && grep -qE '^[[:space:]]*(wso2|%wso2)[[:space:]]' "$ROOT/etc/sudoers"; then
  echo "wso2-setup-user: /etc/sudoers grants wso2 rights; remove them" >&2
  exit 1
fi

home="$ROOT$WSO2_HOME"
if [[ ! -d "$home" ]]; then
  echo "wso2-setup-user: product home $WSO2_HOME is missing" >&2
  exit 1
fi
install -d -m 0750 -o 0 -g "$WSO2_UID" "$(dirname "$home")"
# Everything root-owned and read-only for the group: configuration and keystores end up 0640 root:wso2,
# scripts 0750, directories 0750; others get nothing.
chown -R "0:$WSO2_UID" "$home"
chmod -R u=rwX,g=rX,o= "$home"
for dir in "\${WRITABLE_DIRS[@]}"; do
  install -d -m 0750 -o "$WSO2_UID" -g "$WSO2_UID" "$home/$dir"
  chown -R "$WSO2_UID:$WSO2_UID" "$home/$dir"
  chmod -R u=rwX,g=rX,o= "$home/$dir"
done
`
    );
}

// ---------------------------------------------------------------------------------------------------------
export interface InstallInput {
    product: ProductSpec;
    productVersion: string;
    region: string;
    /** Whether sshd stays enabled; otherwise it is stopped and masked (access through SSM). */
    sshEnabled: boolean;
    /** S3 URI of the product zip, fetched when the home is missing. Absent: the image provides it. */
    distributionS3Uri?: string;
}

/** Packages a node needs; nothing else is installed (OS-MINIMAL-SOFTWARE). */
export const NODE_PACKAGES = ["default-jre-headless", "nftables", "awscli", "auditd", "unattended-upgrades", "curl", "unzip", "python3"] as const;

/** Services a Debian image may carry that a WSO2 node does not need. */
export const UNNEEDED_SERVICES = ["rpcbind.service", "rpcbind.socket", "avahi-daemon.service", "cups.service", "exim4.service", "postfix.service", "bluetooth.service"] as const;

export function renderInstallScript(input: InstallInput): string {
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(input.region)) throw new Error(`region: ${JSON.stringify(input.region)} is not an AWS region`);
    if (input.distributionS3Uri !== undefined && !/^s3:\/\/[a-z0-9.-]{3,63}\/[A-Za-z0-9._\/-]+\.zip$/.test(input.distributionS3Uri)) {
        throw new Error(`distributionS3Uri: ${JSON.stringify(input.distributionS3Uri)} must be an s3://bucket/key.zip URI`);
    }
    return (
        header(["Installs what a WSO2 node needs and disables what it does not (OS-MINIMAL-SOFTWARE)."], {
            REGION: input.region,
            WSO2_HOME: productHome(input.product, input.productVersion),
            SSH_ENABLED: input.sshEnabled ? "yes" : "no",
            DIST_S3_URI: input.distributionS3Uri ?? "",
        }) +
        `PACKAGES=(${NODE_PACKAGES.join(" ")})
UNNEEDED=(${UNNEEDED_SERVICES.join(" ")})
export DEBIAN_FRONTEND=noninteractive
arch="$(dpkg --print-architecture)"

missing=()
for pkg in "\${PACKAGES[@]}"; do
  dpkg-query -W -f='\${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if (( \${#missing[@]} > 0 )); then
  apt-get update
  apt-get install -y --no-install-recommends "\${missing[@]}"
fi

# AWS agents come as .deb files from their regional buckets.
install_deb() {
  local name="$1" url="$2" tmp
  dpkg-query -W -f='\${Status}' "$name" 2>/dev/null | grep -q 'install ok installed' && return 0
  tmp="$(mktemp -d)"
  curl -sfL --retry 5 -o "$tmp/$name.deb" "$url"
  dpkg -i "$tmp/$name.deb"
  rm -rf -- "$tmp"
}
install_deb amazon-cloudwatch-agent "https://amazoncloudwatch-agent-$REGION.s3.$REGION.amazonaws.com/debian/$arch/latest/amazon-cloudwatch-agent.deb"
install_deb amazon-ssm-agent "https://s3.$REGION.amazonaws.com/amazon-ssm-$REGION/latest/debian_$arch/amazon-ssm-agent.deb"
systemctl enable --now amazon-ssm-agent.service

for unit in "\${UNNEEDED[@]}"; do
  if systemctl list-unit-files "$unit" >/dev/null 2>&1; then
    systemctl disable --now "$unit" >/dev/null 2>&1 || true
    systemctl mask "$unit" >/dev/null 2>&1 || true
  fi
done
if [[ "$SSH_ENABLED" != yes ]]; then
  systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
  systemctl mask ssh.service ssh.socket
fi

if [[ ! -d "$WSO2_HOME" && -n "$DIST_S3_URI" ]]; then
  tmp="$(mktemp -d)"
  aws s3 cp --region "$REGION" "$DIST_S3_URI" "$tmp/dist.zip"
  install -d -m 0750 "$(dirname "$WSO2_HOME")"
  unzip -q "$tmp/dist.zip" -d "$(dirname "$WSO2_HOME")"
  rm -rf -- "$tmp"
fi
`
    );
}

// ---------------------------------------------------------------------------------------------------------
export interface ConfigureInput {
    product: ProductSpec;
    productVersion: string;
    sshEnabled: boolean;
    clustering: boolean;
}

/**
 * Installs the rendered configuration into the product and the system and (re)starts what reads it:
 * the log4j2 block, the firewall, sshd, auditd, the CloudWatch agent and the timers.
 */
export function renderConfigureScript(input: ConfigureInput): string {
    const spec = input.product;
    const timers = ["wso2-backup.timer", "apt-daily-upgrade.timer", ...(input.clustering ? ["wso2-cluster-peers.timer"] : [])];
    const log4j2 = spec.layout.configFormat === "toml" ? `${dirname(spec.layout.configFile)}/log4j2.properties` : "";
    return (
        header(["Installs the rendered configuration and enables the services that use it."], {
            ROOT: "",
            WSO2_HOME: productHome(spec, input.productVersion),
            CONFIG_DIR,
            LOG4J2_FILE: log4j2,
            SSH_ENABLED: input.sshEnabled ? "yes" : "no",
        }) +
        `TIMERS=(${timers.join(" ")})
BEGIN_MARK='${LOG4J2_MARKERS.begin}'
END_MARK='${LOG4J2_MARKERS.end}'

# log4j2: replace the managed block at the end of the product's file; the last definition wins.
if [[ -n "$LOG4J2_FILE" ]]; then
  target="$ROOT$WSO2_HOME/$LOG4J2_FILE"
  tmp="$(mktemp)"
  if [[ -f "$target" ]]; then
    awk -v b="$BEGIN_MARK" -v e="$END_MARK" '$0 == b {skip = 1} !skip {print} $0 == e {skip = 0}' "$target" >"$tmp"
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
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \\
  -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json
systemctl enable --now "\${TIMERS[@]}"
`
    );
}

// ---------------------------------------------------------------------------------------------------------
export interface KeystoreInput {
    product: ProductSpec;
    productVersion: string;
    region: string;
    wso2Uid: number;
    hostname: string;
    keyAlias: string;
    keystoreSecretArn: string;
    /** Bucket and prefix where the cluster's shared keystore is kept, so every node serves the same key. */
    bucket: string;
    prefix: string;
}

/** Default password of the keystores WSO2 ships. */
export const WSO2_DEFAULT_STORE_PASSWORD = "wso2carbon";

/**
 * Replaces the shipped keystore (PROD-KEYSTORE): a new RSA 3072 key signed SHA256withRSA, protected by the
 * password from Secrets Manager. The first node of a cluster generates it and stores it under
 * `<prefix>/keystore/` (create-only); the others fetch it, so tokens one node signs verify on all. In the
 * client truststore every entry carrying the default `wso2carbon` certificate (whatever its alias) is
 * deleted, the node's certificate is trusted, and the password changes from the default.
 */
export function renderKeystoreScript(input: KeystoreInput): string {
    const spec = input.product;
    const type = (f: string) => (/\.(p12|pfx)$/i.test(f) ? "PKCS12" : "JKS");
    return (
        header(["Replaces the default keystore and cleans the client truststore (PROD-KEYSTORE)."], {
            ROOT: "",
            REGION: input.region,
            WSO2_HOME: productHome(spec, input.productVersion),
            WSO2_UID: input.wso2Uid,
            KEYSTORE: spec.layout.keystore,
            KEYSTORE_TYPE: type(spec.layout.keystore),
            TRUSTSTORE: spec.layout.truststore,
            TRUSTSTORE_TYPE: type(spec.layout.truststore),
            KEY_ALIAS: input.keyAlias,
            KEY_HOSTNAME: input.hostname,
            KEYSTORE_SECRET_ARN: input.keystoreSecretArn,
            BUCKET: input.bucket,
            PREFIX: input.prefix,
        }) +
        `DEFAULT_ALIAS=wso2carbon
export DEFAULT_PASSWORD='${WSO2_DEFAULT_STORE_PASSWORD}'
KEYSTORE_PASSWORD="$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$KEYSTORE_SECRET_ARN" --query SecretString --output text)"
if [[ "$KEYSTORE_PASSWORD" == '{'* ]]; then
  KEYSTORE_PASSWORD="$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["password"])' <<<"$KEYSTORE_PASSWORD")"
fi
if (( \${#KEYSTORE_PASSWORD} < 12 )); then
  echo "wso2-keystore: the keystore password from $KEYSTORE_SECRET_ARN is shorter than 12 characters" >&2
  exit 1
fi
export KEYSTORE_PASSWORD
ks="$ROOT$WSO2_HOME/$KEYSTORE"
ts="$ROOT$WSO2_HOME/$TRUSTSTORE"
shared="s3://$BUCKET/$PREFIX/keystore/$(basename "$KEYSTORE")"
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT

opens() { # store type password-variable
  keytool -list -keystore "$1" -storetype "$2" -storepass:env "$3" >/dev/null 2>&1
}
has_alias() { # store type password-variable alias
  keytool -list -keystore "$1" -storetype "$2" -storepass:env "$3" -alias "$4" >/dev/null 2>&1
}
fingerprint() { # store type password-variable alias
  keytool -list -v -keystore "$1" -storetype "$2" -storepass:env "$3" -alias "$4" | awk '/SHA256:/ {print $2; exit}'
}

# The default certificate's fingerprint, read from the shipped keystore before it is replaced.
default_fp=""
if [[ -f "$ks" ]] && opens "$ks" "$KEYSTORE_TYPE" DEFAULT_PASSWORD && has_alias "$ks" "$KEYSTORE_TYPE" DEFAULT_PASSWORD "$DEFAULT_ALIAS"; then
  default_fp="$(fingerprint "$ks" "$KEYSTORE_TYPE" DEFAULT_PASSWORD "$DEFAULT_ALIAS")"
fi

if [[ -f "$ks" ]] && opens "$ks" "$KEYSTORE_TYPE" KEYSTORE_PASSWORD && has_alias "$ks" "$KEYSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS"; then
  echo "wso2-keystore: keystore already holds $KEY_ALIAS"
else
  if aws s3 cp --region "$REGION" --only-show-errors "$shared" "$work/keystore" 2>/dev/null; then
    echo "wso2-keystore: using the cluster keystore from $shared"
  else
    keytool -genkeypair -alias "$KEY_ALIAS" -keyalg RSA -keysize 3072 -sigalg SHA256withRSA -validity 825 \\
      -dname "CN=$KEY_HOSTNAME" -ext "SAN=dns:$KEY_HOSTNAME" -keystore "$work/keystore" \\
      -storetype "$KEYSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD -keypass:env KEYSTORE_PASSWORD
    # Create-only: when another node won the race, its keystore is the cluster's.
    if ! aws s3api put-object --region "$REGION" --bucket "$BUCKET" --key "$PREFIX/keystore/$(basename "$KEYSTORE")" \\
      --body "$work/keystore" --if-none-match '*' >/dev/null 2>"$work/put.err"; then
      if grep -q PreconditionFailed "$work/put.err"; then
        aws s3 cp --region "$REGION" --only-show-errors "$shared" "$work/keystore"
      else
        cat "$work/put.err" >&2
        exit 1
      fi
    fi
  fi
  if ! has_alias "$work/keystore" "$KEYSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS"; then
    echo "wso2-keystore: $shared does not hold $KEY_ALIAS under the current password" >&2
    exit 1
  fi
  install -D -m 0640 -o 0 -g "$WSO2_UID" "$work/keystore" "$ks"
fi
keytool -exportcert -rfc -alias "$KEY_ALIAS" -keystore "$ks" -storetype "$KEYSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD >"$work/node.pem"

if [[ -f "$ts" ]]; then
  if ! opens "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD; then
    if ! opens "$ts" "$TRUSTSTORE_TYPE" DEFAULT_PASSWORD; then
      echo "wso2-keystore: $ts opens with neither the default nor the current password" >&2
      exit 1
    fi
    keytool -storepasswd -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env DEFAULT_PASSWORD -new:env KEYSTORE_PASSWORD
  fi
  if [[ -z "$default_fp" ]] && has_alias "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD "$DEFAULT_ALIAS"; then
    default_fp="$(fingerprint "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD "$DEFAULT_ALIAS")"
  fi
  # Delete the default certificate under every alias it was imported with.
  keytool -list -v -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD \\
    | awk '/^Alias name:/ {alias = substr($0, 13)} /SHA256:/ {print $2 "\\t" alias}' >"$work/entries"
  while IFS=$'\\t' read -r fp alias; do
    if [[ "$alias" == "$DEFAULT_ALIAS" || ( -n "$default_fp" && "$fp" == "$default_fp" ) ]]; then
      keytool -delete -alias "$alias" -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD
    fi
  done <"$work/entries"
  # Trust the node's certificate; rewrite the entry only when it is not that certificate already.
  node_fp="$(fingerprint "$ks" "$KEYSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS")"
  if ! has_alias "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS" \\
    || [[ "$(fingerprint "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS")" != "$node_fp" ]]; then
    if has_alias "$ts" "$TRUSTSTORE_TYPE" KEYSTORE_PASSWORD "$KEY_ALIAS"; then
      keytool -delete -alias "$KEY_ALIAS" -keystore "$ts" -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD
    fi
    keytool -importcert -noprompt -alias "$KEY_ALIAS" -file "$work/node.pem" -keystore "$ts" \\
      -storetype "$TRUSTSTORE_TYPE" -storepass:env KEYSTORE_PASSWORD >/dev/null
  fi
  chown "0:$WSO2_UID" "$ts"
  chmod 0640 "$ts"
fi
`
    );
}

// ---------------------------------------------------------------------------------------------------------
export interface SecretsInput {
    product: ProductSpec;
    productVersion: string;
    region: string;
    wso2Uid: number;
    adminSecretArn: string;
    keystoreSecretArn: string;
}

/**
 * Runs before every start of the product (as root): reads the admin and keystore secrets, writes the
 * admin name for the unit, and gives the product its configuration with a `[secrets]` table the cipher
 * tool encrypts (PROD-SECURE-VAULT), plus the keystore password for Secure Vault in `password-tmp`.
 */
export function renderSecretsScript(input: SecretsInput): string {
    const spec = input.product;
    const toml = spec.layout.configFormat === "toml";
    return (
        header(["Puts the super admin and keystore secrets into Secure Vault before the product starts."], {
            REGION: input.region,
            WSO2_HOME: productHome(spec, input.productVersion),
            WSO2_UID: input.wso2Uid,
            CONFIG_FILE: spec.layout.configFile,
            RENDERED: `${CONFIG_DIR}/${spec.layout.configFile.slice(spec.layout.configFile.lastIndexOf("/") + 1)}`,
            ADMIN_SECRET_ARN: input.adminSecretArn,
            KEYSTORE_SECRET_ARN: input.keystoreSecretArn,
            ADMIN_ENV_FILE,
        }) +
        `secret() {
  aws secretsmanager get-secret-value --region "$REGION" --secret-id "$1" --query SecretString --output text
}
field() { # json-text field
  python3 -c 'import json,sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$2" <<<"$1"
}
admin_json="$(secret "$ADMIN_SECRET_ARN")"
admin_user="$(field "$admin_json" username)"
keystore_password="$(secret "$KEYSTORE_SECRET_ARN")"
if [[ "$keystore_password" == '{'* ]]; then keystore_password="$(field "$keystore_password" password)"; fi
if [[ ! "$admin_user" =~ ^[A-Za-z][A-Za-z0-9._-]{3,62}$ ]]; then
  echo "wso2-secrets: the username in $ADMIN_SECRET_ARN is not a valid user name" >&2
  exit 1
fi
install -m 0600 /dev/null "$ADMIN_ENV_FILE"
printf '${ADMIN_USERNAME_ENV}=%s\\n' "$admin_user" >"$ADMIN_ENV_FILE"
${
    toml
        ? `# Plain values between brackets are what the cipher tool encrypts in place.
admin_password="$(field "$admin_json" password)"
toml_string() { python3 -c 'import json,sys; print(json.dumps("[" + sys.argv[1] + "]"))' "$1"; }
target="$WSO2_HOME/$CONFIG_FILE"
staged="$(mktemp)"
trap 'rm -f -- "$staged"' EXIT
{
  cat "$RENDERED"
  printf '\\n[secrets]\\n'
  printf '${SECURE_VAULT_ALIASES.adminPassword} = %s\\n' "$(toml_string "$admin_password")"
  printf '${SECURE_VAULT_ALIASES.keystorePassword} = %s\\n' "$(toml_string "$keystore_password")"
} >"$staged"
install -m 0640 -o 0 -g "$WSO2_UID" "$staged" "$target"
printf '%s\\n' "$keystore_password" | "$WSO2_HOME/bin/ciphertool.sh" -Dconfigure >/dev/null
chown "0:$WSO2_UID" "$target"
chmod 0640 "$target"
`
        : `# SI reads keystore passwords through its own secure vault: the master key file it consumes at start.
install -m 0600 /dev/null "$WSO2_HOME/conf/server/master-keys.yaml"
printf 'permanent: false\\nmasterKeys:\\n  keyStorePassword: !!binary %s\\n  privateKeyPassword: !!binary %s\\n' \\
  "$(printf '%s' "$keystore_password" | base64 -w0)" "$(printf '%s' "$keystore_password" | base64 -w0)" \\
  >"$WSO2_HOME/conf/server/master-keys.yaml"
chown "$WSO2_UID:$WSO2_UID" "$WSO2_HOME/conf/server/master-keys.yaml"
`
}# Secure Vault reads the keystore password from password-tmp at start.
install -m 0400 -o "$WSO2_UID" -g "$WSO2_UID" /dev/null "$WSO2_HOME/password-tmp"
printf '%s' "$keystore_password" >"$WSO2_HOME/password-tmp"
`
    );
}

// ---------------------------------------------------------------------------------------------------------
export interface ClusterPeersInput {
    region: string;
    clusterTag: { key: string; value: string };
}

/**
 * Replaces the `cluster_peers` set with the private addresses of the running instances carrying the
 * cluster's tag, in one nft transaction (flush and add together: no window without peers).
 */
export function renderClusterPeersScript(input: ClusterPeersInput): string {
    if (!/^[A-Za-z0-9 +\-=._:/@]{1,128}$/.test(input.clusterTag.key) || !/^[A-Za-z0-9 +\-=._:/@]{0,256}$/.test(input.clusterTag.value)) {
        throw new Error(`clusterTag: ${JSON.stringify(input.clusterTag)} is not a valid EC2 tag`);
    }
    return (
        header(["Refreshes the cluster_peers firewall set from the EC2 API (OS-CLUSTER-PORTS)."], {
            REGION: input.region,
            TAG_KEY: input.clusterTag.key,
            TAG_VALUE: input.clusterTag.value,
            NFT_TABLE,
        }) +
        `addresses="$(aws ec2 describe-instances --region "$REGION" \\
  --filters "Name=tag:$TAG_KEY,Values=$TAG_VALUE" Name=instance-state-name,Values=pending,running \\
  --query 'Reservations[].Instances[].PrivateIpAddress' --output text)"
batch="$(mktemp)"
trap 'rm -f -- "$batch"' EXIT
echo "flush set inet $NFT_TABLE cluster_peers" >"$batch"
count=0
for ip in $addresses; do
  if [[ "$ip" =~ ^([0-9]{1,3}\\.){3}[0-9]{1,3}$ ]]; then
    echo "add element inet $NFT_TABLE cluster_peers { $ip }" >>"$batch"
    count=$((count + 1))
  fi
done
nft -f "$batch"
echo "wso2-cluster-peers: $count peers"
`
    );
}

// ---------------------------------------------------------------------------------------------------------
export interface BackupInput {
    product: ProductSpec;
    productVersion: string;
    region: string;
    bucket: string;
    prefix: string;
    /** Directory of database exports to include when it exists. @default "/var/backups/wso2-db" */
    databaseExportDir?: string;
}

/** What a backup holds, relative to the product home (config, keystores, artifacts, scripts). */
export function backupPaths(product: ProductSpec): string[] {
    const l = product.layout;
    return [...new Set([dirname(l.configFile), dirname(l.keystore), dirname(l.truststore), ...l.artifactDirs, "bin"])];
}

function validateBucket(bucket: string, prefix: string): void {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`backupBucket: ${JSON.stringify(bucket)} is not an S3 bucket name`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._\-/]*[A-Za-z0-9]$/.test(prefix) || prefix.includes("//") || prefix.includes("..")) {
        throw new Error(`backupPrefix: ${JSON.stringify(prefix)} must be a key prefix without leading or trailing '/', '//' or '..'`);
    }
}

/**
 * Archives the product's configuration, keystores and truststores, deployed artifacts and scripts, the
 * rendered configuration and boot scripts, and database exports when present, with owners and modes, and
 * uploads the archive and its SHA-256 to `s3://<bucket>/<prefix>/<instance-id>/` (OS-BACKUPS). The bucket
 * encrypts, versions and replicates.
 */
export function renderBackupScript(input: BackupInput): string {
    validateBucket(input.bucket, input.prefix);
    const home = productHome(input.product, input.productVersion).slice(1);
    const paths = backupPaths(input.product).map((p) => `${home}/${p}`);
    return (
        header(["Backs up configuration, keystores, artifacts and scripts to S3 (OS-BACKUPS). BACKUP_ROOT: source root."], {
            REGION: input.region,
            BUCKET: input.bucket,
            PREFIX: input.prefix,
            BACKUP_ROOT: "/",
            DB_EXPORT_DIR: input.databaseExportDir ?? "/var/backups/wso2-db",
            NODE_ID: "",
        }) +
        IMDS_FUNCTION +
        `PATHS=(${words(paths)} ${CONFIG_DIR.slice(1)} ${Object.values(HOST_SCRIPTS).map((p) => p.slice(1)).join(" ")})
if [[ -z "$NODE_ID" ]]; then NODE_ID="$(imds instance-id)"; fi
if [[ -d "$BACKUP_ROOT\${DB_EXPORT_DIR#/}" || -d "$BACKUP_ROOT/\${DB_EXPORT_DIR#/}" ]]; then PATHS+=("\${DB_EXPORT_DIR#/}"); fi
present=()
for path in "\${PATHS[@]}"; do
  if [[ -e "$BACKUP_ROOT/$path" ]]; then present+=("$path"); fi
done
if (( \${#present[@]} == 0 )); then
  echo "wso2-backup: nothing to back up under $BACKUP_ROOT" >&2
  exit 1
fi
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
archive="$work/wso2-backup-$stamp.tar.gz"
tar --create --gzip --numeric-owner --acls --xattrs --file "$archive" --directory "$BACKUP_ROOT" -- "\${present[@]}"
(cd "$work" && sha256sum "$(basename "$archive")" >"$(basename "$archive").sha256")
dest="s3://$BUCKET/$PREFIX/$NODE_ID"
aws s3 cp --region "$REGION" --only-show-errors "$archive.sha256" "$dest/$(basename "$archive").sha256"
aws s3 cp --region "$REGION" --only-show-errors "$archive" "$dest/$(basename "$archive")"
echo "wso2-backup: $dest/$(basename "$archive")"
`
    );
}

/**
 * Restores a backup (`latest` or an archive name) of this node, or of `--node <id>`: verifies the SHA-256,
 * and refuses to overwrite any existing file unless `--force` is given. RESTORE_ROOT: target root.
 */
export function renderRestoreScript(input: BackupInput): string {
    validateBucket(input.bucket, input.prefix);
    return (
        header(["Restores a backup made by wso2-backup. Usage: wso2-restore [--force] [--node <id>] [latest|<archive>]"], {
            REGION: input.region,
            BUCKET: input.bucket,
            PREFIX: input.prefix,
            RESTORE_ROOT: "/",
            NODE_ID: "",
        }) +
        IMDS_FUNCTION +
        `force=no
which=latest
while (( $# > 0 )); do
  case "$1" in
    --force) force=yes ;;
    --node) NODE_ID="$2"; shift ;;
    -*) echo "wso2-restore: unknown option $1" >&2; exit 2 ;;
    *) which="$1" ;;
  esac
  shift
done
if [[ -z "$NODE_ID" ]]; then NODE_ID="$(imds instance-id)"; fi
src="s3://$BUCKET/$PREFIX/$NODE_ID"
if [[ "$which" == latest ]]; then
  which="$(aws s3 ls --region "$REGION" "$src/" | awk '{print $4}' | grep -E '^wso2-backup-[0-9TZ]+\\.tar\\.gz$' | sort | tail -n 1 || true)"
  if [[ -z "$which" ]]; then
    echo "wso2-restore: no backup under $src/" >&2
    exit 1
  fi
fi
if [[ ! "$which" =~ ^wso2-backup-[0-9TZ]+\\.tar\\.gz$ ]]; then
  echo "wso2-restore: $which is not a backup archive name" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
aws s3 cp --region "$REGION" --only-show-errors "$src/$which" "$work/$which"
aws s3 cp --region "$REGION" --only-show-errors "$src/$which.sha256" "$work/$which.sha256"
(cd "$work" && sha256sum --check --quiet "$which.sha256")
if [[ "$force" != yes ]]; then
  existing=0
  while IFS= read -r member; do
    if [[ -e "$RESTORE_ROOT/$member" && ! -d "$RESTORE_ROOT/$member" ]]; then
      echo "wso2-restore: would overwrite $RESTORE_ROOT/$member" >&2
      existing=$((existing + 1))
    fi
  done < <(tar --list --gzip --file "$work/$which")
  if (( existing > 0 )); then
    echo "wso2-restore: $existing existing files; rerun with --force to overwrite them" >&2
    exit 3
  fi
fi
tar --extract --gzip --numeric-owner --acls --xattrs --same-permissions --file "$work/$which" --directory "$RESTORE_ROOT"
echo "wso2-restore: restored $src/$which into $RESTORE_ROOT"
`
    );
}
