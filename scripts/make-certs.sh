#!/usr/bin/env bash
# A local CA and the certificates of the production topology's mTLS (#15):
#
#   scripts/make-certs.sh DIR [HOSTNAME...]
#
#   DIR/ca.pem, ca.key          the CA every party trusts (the key never leaves DIR)
#   DIR/server.pem, server.key  the Temporal server: frontend and internode, for localhost,
#                               127.0.0.1, "temporal" (the compose service) and HOSTNAMEs
#   DIR/worker.pem, .key        client certificates: the workers,
#   DIR/starter.pem, .key       the advisors' starter,
#   DIR/ui.pem, .key            the Web UI server,
#   DIR/system-worker.pem, .key the server's own system worker (it calls the frontend too)
#
# Existing files are kept (a second run changes nothing); delete DIR to issue new ones.
# Keys are EC P-256, mode 0600; certificates are valid for 825 days. Uses openssl.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 DIR [HOSTNAME...]" >&2; exit 2; }
DIR=$1; shift
EXTRA_NAMES=("$@")
mkdir -p "$DIR"
chmod 700 "$DIR"
cd "$DIR"
umask 077
DAYS=825

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [[ ! -f ca.pem ]]; then
  key ca.key
  openssl req -x509 -new -key ca.key -sha256 -days "$DAYS" -subj "/O=Welcome Center Region Hannover/CN=Welcome Center local CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
  chmod 644 ca.pem
  echo ">> CA created in $DIR" >&2
fi

issue() {  # issue NAME EXTENDED_USAGE [SAN]
  local name=$1 usage=$2 san=${3:-}
  [[ -f $name.pem ]] && return 0
  key "$name.key"
  local ext
  ext="$(mktemp)"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -n $san ]] && echo "subjectAltName=$san"
  } >"$ext"
  openssl req -new -key "$name.key" -subj "/O=Welcome Center Region Hannover/CN=$name" -out "$name.csr"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$DAYS" -sha256 \
    -extfile "$ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$ext"
  chmod 644 "$name.pem"
  echo ">> Certificate $name issued" >&2
}

san="DNS:localhost,DNS:temporal,IP:127.0.0.1"
for name in "${EXTRA_NAMES[@]}"; do san="$san,DNS:$name"; done
# The server's certificate also authenticates it as a client to its own services (internode).
issue server "serverAuth,clientAuth" "$san"
for client in worker starter ui system-worker; do
  issue "$client" clientAuth
done
