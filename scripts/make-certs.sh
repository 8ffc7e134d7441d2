#!/usr/bin/env bash
# A local CA and the certificates of the production topology's mTLS (#15):
#
#   scripts/make-certs.sh DIR [HOSTNAME...]
#
#   DIR/ca.pem                  the CA every party trusts
#   DIR.ca/ca.key               its key: beside DIR, never in it (DIR is what the parties
#                               mount); keep it offline once the certificates are issued
#   DIR/server.pem, server.key  the Temporal server: frontend and internode, for localhost,
#                               127.0.0.1, "temporal" (the compose service) and HOSTNAMEs
#   DIR/worker.pem, .key        client certificates, each party its own: the workers,
#   DIR/office.pem, .key        the office service (the only door for people, #25),
#   DIR/ui.pem, .key            the Web UI server,
#   DIR/system-worker.pem, .key the server's own system worker (it calls the frontend too)
#
# No person holds a certificate: advisors reach the cases through the office service.
# Existing files are kept (a second run changes nothing); delete DIR and DIR.ca to issue
# new ones. A DIR from before keeps working: its CA key moves out, the advisors' old
# "starter" certificate is deleted.
# Keys are EC P-256, mode 0600; certificates are valid for 825 days. Uses openssl.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 DIR [HOSTNAME...]" >&2; exit 2; }
DIR=$1; shift
EXTRA_NAMES=("$@")
mkdir -p "$DIR"
chmod 700 "$DIR"
DIR="$(cd "$DIR" && pwd)"
CA_DIR="$DIR.ca"
mkdir -p "$CA_DIR"
chmod 700 "$CA_DIR"
cd "$DIR"
umask 077
[[ -f ca.key && ! -f "$CA_DIR/ca.key" ]] && mv ca.key "$CA_DIR/ca.key"
rm -f starter.pem starter.key ca.srl
DAYS=825

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [[ ! -f ca.pem ]]; then
  key "$CA_DIR/ca.key"
  openssl req -x509 -new -key "$CA_DIR/ca.key" -sha256 -days "$DAYS" -subj "/O=Welcome Center Region Hannover/CN=Welcome Center local CA" \
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
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey "$CA_DIR/ca.key" -CAserial "$CA_DIR/ca.srl" -CAcreateserial -days "$DAYS" -sha256 \
    -extfile "$ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$ext"
  chmod 644 "$name.pem"
  echo ">> Certificate $name issued" >&2
}

san="DNS:localhost,DNS:temporal,IP:127.0.0.1"
for name in "${EXTRA_NAMES[@]}"; do san="$san,DNS:$name"; done
# The server's certificate also authenticates it as a client to its own services (internode).
issue server "serverAuth,clientAuth" "$san"
for client in worker office ui system-worker; do
  issue "$client" clientAuth
done
