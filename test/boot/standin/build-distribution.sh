#!/usr/bin/env bash
# Builds the boot test's stand-in product distribution: a zip with the product's layout (HOME_NAME/ with the
# start script, the cipher tool, shipped-style configuration, the default wso2carbon keystore and client
# truststore under the shipped password, the database scripts of test/fixtures/dbscripts) whose programs are the StandIn class beside this script.
#
# usage: build-distribution.sh OUT_ZIP HOME_NAME LAYOUT_PROPERTIES
#   LAYOUT_PROPERTIES (java properties, written by the test from the product spec): startScript, configFile,
#   keystore, truststore, writableDirs (space separated), ports, healthPaths, tls.<transport>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$1" home_name="$2" layout="$3"
prop() { awk -F= -v k="$1" '$1 == k {sub(/^[^=]*=/, ""); print; exit}' "$layout"; }

work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
home="$work/$home_name"
mkdir -p "$home/bin" "$home/lib/standin" "$home/repository/conf" "$(dirname "$home/$(prop keystore)")"
for dir in $(prop writableDirs); do mkdir -p "$home/$dir"; done
javac --release 17 -d "$home/lib/standin" "$here/StandIn.java"
cp "$layout" "$home/bin/standin.properties"
# The distribution's database scripts, which the node's schema bootstrap applies (our WSO2-shaped stand-ins).
cp -R "$here/../../fixtures/dbscripts/dbscripts" "$home/dbscripts"

# The product's scripts: java from JAVA_HOME, only the system properties of JAVA_OPTS (the heap the unit
# sizes for the instance type does not fit the test VM).
launcher() { # command
  cat <<SCRIPT
#!/bin/sh
set -eu
home="\$(cd "\$(dirname "\$0")/.." && pwd)"
props=""
for opt in \${JAVA_OPTS:-}; do case "\$opt" in -D*) props="\$props \$opt" ;; esac; done
# shellcheck disable=SC2086
exec "\${JAVA_HOME:-/usr}/bin/java" \$props -cp "\$home/lib/standin" StandIn $1 "\$home"
SCRIPT
}
launcher serve >"$home/$(prop startScript)"
launcher cipher >"$home/bin/ciphertool.sh"
chmod 0755 "$home/$(prop startScript)" "$home/bin/ciphertool.sh"

# Shipped defaults: the wso2carbon key under the password wso2carbon, its certificate in the truststore.
ks="$home/$(prop keystore)"
ts="$home/$(prop truststore)"
keytool -genkeypair -alias wso2carbon -keyalg RSA -keysize 2048 -sigalg SHA256withRSA -validity 3650 \
  -dname "CN=localhost, O=WSO2, L=Mountain View, ST=CA, C=US" -keystore "$ks" -storetype JKS \
  -storepass wso2carbon -keypass wso2carbon 2>/dev/null
keytool -exportcert -alias wso2carbon -keystore "$ks" -storetype JKS -storepass wso2carbon -file "$work/default.crt" 2>/dev/null
keytool -importcert -noprompt -alias wso2carbon -file "$work/default.crt" -keystore "$ts" -storetype JKS -storepass wso2carbon >/dev/null 2>&1
cat >"$home/$(prop configFile)" <<TOML
# Shipped-style configuration: the defaults a fresh distribution starts with.
[server]
hostname = "localhost"

[super_admin]
username = "admin"
password = "admin"
create_admin_account = true

[keystore.primary]
file_name = "$(basename "$ks")"
type = "JKS"
password = "wso2carbon"
alias = "wso2carbon"
key_password = "wso2carbon"

[keystore.tls]
# API-M (the boot test's product) ships its TLS keystore as a section of its own, naming the default key.
file_name = "$(basename "$ks")"
type = "JKS"
password = "wso2carbon"
alias = "wso2carbon"
key_password = "wso2carbon"

[truststore]
file_name = "$(basename "$ts")"
type = "JKS"
password = "wso2carbon"
TOML
printf '# shipped log4j2 configuration\nrootLogger.level = INFO\n' >"$(dirname "$home/$(prop configFile)")/log4j2.properties"
rm -f -- "$out"
(cd "$work" && python3 -m zipfile -c "$out" "$home_name")
