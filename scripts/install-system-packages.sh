#!/usr/bin/env bash
# Installs the Debian packages tunform's tests need beyond the README's
# requirements: openssh-server, whose sshd the SSH tests start themselves
# inside throwaway namespaces (no system service is used or enabled), and
# qemu-system-x86, which test/integration/qemu-framing.test.ts runs without
# KVM or a guest (30 packages, about 17 MB to download, 16 s to install here).
# Run as root; does nothing when everything is already installed.
set -euo pipefail
PACKAGES=(openssh-server qemu-system-x86)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-packages: missing ${missing[*]}; run this script as root (it uses apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
