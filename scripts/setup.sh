#!/usr/bin/env bash
# Set up a clean Debian or Ubuntu machine (as root, or through sudo) to run every test of this project:
# the system tools the tests drive for real, from Debian's packages; the AWS emulator (moto_server) and,
# where Debian's AWS CLI is missing, the AWS CLI from PyPI (pinned); then the npm packages from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node.js and npm are the prerequisites; package.json's engines say which Node the pinned SDK declares.
if ! node -e 'const want = require("./package.json").engines.node.replace(/^>=\s*/, "").split(".").map(Number);
  const have = process.versions.node.split(".").map(Number);
  const older = have[0] < want[0] || (have[0] === want[0] && have[1] < (want[1] || 0));
  process.exit(older ? 1 : 0);'; then
  echo "setup: Node.js $(node --version) is older than package.json's engines ($(node -p 'require("./package.json").engines.node')," \
    "what @pulumi/pulumi 3.270.0 declares); npm only warns, but that SDK is not supported there" >&2
fi

# Pinned versions of what Debian does not package.
MOTO_VERSION=5.2.1

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  # nftables, iproute2: the firewall in network namespaces. openssh-server, ssh-audit: sshd -t/-T and the
  # audit. shellcheck: node scripts. cloud-init: the cloud-config schema. tomcat10, nginx: the edge corpus.
  # systemd: systemd-analyze security. default-jdk-headless: keytool. postgresql, libpostgresql-jdbc-java:
  # the database bootstrap and backup tests. openssl: the test CAs. unzip: the product-install step unpacks a
  # distribution archive. qemu-system-x86, qemu-utils, mmdebstrap, e2fsprogs,
  # openssh-client: the boot test's Debian VM. python3-venv, python3-pip: the emulator below.
  $SUDO apt-get install -y --no-install-recommends \
    nftables iproute2 openssh-server openssh-client ssh-audit shellcheck cloud-init tomcat10 nginx systemd \
    default-jdk-headless python3 python3-venv python3-pip curl ca-certificates \
    postgresql libpostgresql-jdbc-java openssl unzip \
    qemu-system-x86 qemu-utils mmdebstrap e2fsprogs genisoimage
else
  echo "setup: apt-get not found; install the packages listed in scripts/setup.sh by hand" >&2
  exit 2
fi

# moto_server (with its server extra) and the AWS CLI: Debian packages neither moto nor a current AWS CLI
# on every release; install them into one virtual environment and link the commands onto the PATH.
if ! command -v moto_server >/dev/null 2>&1 || ! command -v aws >/dev/null 2>&1; then
  venv=/opt/wso2-hardening-tools
  $SUDO python3 -m venv "$venv"
  $SUDO "$venv/bin/pip" install --disable-pip-version-check "moto[server]==${MOTO_VERSION}" awscli
  for tool in moto_server aws; do
    command -v "$tool" >/dev/null 2>&1 || $SUDO ln -sf "$venv/bin/$tool" "/usr/local/bin/$tool"
  done
fi

npm ci --no-audit --no-fund
