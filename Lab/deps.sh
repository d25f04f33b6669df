#!/usr/bin/env bash
# Installs the Debian packages the scenario lab needs, only those that are missing.
# usage: Lab/deps.sh   (as root, or with sudo available)
set -euo pipefail

PACKAGES=(openssh-server openssh-client putty-tools rsyslog fail2ban netcat-openbsd
    nftables iproute2 procps util-linux coreutils openssl python3)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "lab deps: all installed"
    exit 0
fi
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
echo "lab deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
