#!/usr/bin/env bash
# Prints the path of a headless-capable Chromium for the Web UI check, installing
# Debian's `chromium` package first when it is missing (as root or with passwordless sudo).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

for candidate in "${WC_CHROMIUM:-}" chromium chromium-browser; do
  if [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null 2>&1; then
    command -v "$candidate"; exit 0
  fi
done

if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Chromium is missing and this user cannot install it: apt-get install chromium (or set WC_CHROMIUM)" >&2
  exit 1
fi
echo ">> Installing Chromium from Debian's packages for the Web UI check (once, about a minute)" >&2
install() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2; }
install || { "${sudo[@]}" apt-get update >&2 && install; }
command -v chromium
