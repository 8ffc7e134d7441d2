#!/usr/bin/env bash
# Prints a directory holding Keycloak, the identity provider bin/cluster starts for the office
# when none is configured (WC_OIDC_ISSUER), downloading it once: Keycloak's own distribution
# from Maven Central (org.keycloak:keycloak-quarkus-dist), checked against Maven's SHA-1,
# cached beside the Temporal binaries. It needs Java 17 or newer: Debian's
# openjdk-17-jre-headless is installed when missing (as root or with passwordless sudo).
# Progress goes to stderr; only the directory goes to stdout.
set -euo pipefail

KEYCLOAK_VERSION="${KEYCLOAK_VERSION:-26.7.3}"
CACHE_ROOT="${WC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/welcome-center}"
DIR="$CACHE_ROOT/keycloak-$KEYCLOAK_VERSION"
say() { echo ">> $*" >&2; }

if ! command -v java >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else
    echo "Java is missing and this user cannot install it: apt-get install openjdk-17-jre-headless" >&2; exit 1
  fi
  say "Installing Java 17 from Debian's packages for Keycloak (once)"
  install() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless >&2; }
  install || { "${sudo[@]}" apt-get update >&2 && install; }
fi

if [[ -x "$DIR/bin/kc.sh" ]]; then
  echo "$DIR"; exit 0
fi

base="https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION"
file="keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
say "Downloading Keycloak $KEYCLOAK_VERSION from Maven Central (once, about 180 MB)"
curl -fsSL --retry 3 -o "$tmp/$file" "$base/$file"
expected="$(curl -fsSL --retry 3 "$base/$file.sha1" | cut -c1-40)"
actual="$(sha1sum "$tmp/$file" | cut -c1-40)"
[[ "$expected" == "$actual" ]] || { echo "Keycloak download does not match Maven's SHA-1" >&2; exit 1; }
mkdir -p "$CACHE_ROOT"
tar -xzf "$tmp/$file" -C "$tmp"
rm -rf "$DIR"
mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$DIR"
say "Keycloak $KEYCLOAK_VERSION ready: $DIR"
echo "$DIR"
