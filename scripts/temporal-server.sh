#!/usr/bin/env bash
# Prints a directory holding the production topology's Temporal binaries, building them
# once if needed (bin/cluster, #15):
#
#   temporal-server      deploy/temporal/server: the server the CLI embeds, with an authorizer
#                        that grants each client certificate what config/temporal-access.yaml
#                        says (#25); rebuilt when its source changes
#   temporal-sql-tool    go.temporal.io/server/cmd/tools/sql          (schema set-up and upgrades)
#   temporal-ui-server   github.com/temporalio/ui-server/v2/cmd/server (the Web UI, assets embedded)
#   schema/postgresql/v12/{temporal,visibility}                       (the schemas of that server)
#
# Built from the Go module proxy (no Docker, no other downloads) into the cache beside the
# CLI; a second run prints the cached directory at once. Progress goes to stderr; only the
# directory goes to stdout.
set -euo pipefail

TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-1.29.1}"
TEMPORAL_UI_SERVER_VERSION="${TEMPORAL_UI_SERVER_VERSION:-2.42.1}"
CACHE_ROOT="${WC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/welcome-center}"
DIR="$CACHE_ROOT/temporal-server-${TEMPORAL_SERVER_VERSION}-ui-${TEMPORAL_UI_SERVER_VERSION}"
SOURCE="$(cd "$(dirname "$0")/../deploy/temporal/server" && pwd)"
SOURCE_HASH="$(cat "$SOURCE"/go.mod "$SOURCE"/go.sum "$SOURCE"/*.go | sha256sum | cut -c1-12)"
SERVER="temporal-server-$SOURCE_HASH"

if [[ -x "$DIR/$SERVER" && -L "$DIR/temporal-server" && -x "$DIR/temporal-sql-tool" && -x "$DIR/temporal-ui-server" && -d "$DIR/schema" ]]; then
  echo "$DIR"; exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "No Go toolchain to build the Temporal server: install Go >= 1.25, then re-run." >&2
  exit 1
fi

say() { echo ">> $*" >&2; }
mkdir -p "$DIR"
tmp_bin="$(mktemp -d)"
trap 'rm -rf "$tmp_bin"' EXIT
start=$(date +%s)

build() {  # build NAME PACKAGE@VERSION [LDFLAGS]
  local name=$1 package=$2 ldflags=${3:-}
  say "Building $name ($package) with $(go version | cut -d' ' -f3); first time only, a few minutes on two cores"
  local before=$SECONDS
  # Newer Go versions may refuse a dependency's linkname use; retry with the check off.
  GOTOOLCHAIN=local GOBIN="$tmp_bin" go install -ldflags "$ldflags" "$package" >&2 \
    || GOTOOLCHAIN=local GOBIN="$tmp_bin" go install -ldflags "$ldflags -checklinkname=0" "$package" >&2
  local built
  built="$tmp_bin/$(basename "${package%@*}")"
  mv "$built" "$DIR/$name"
  say "$name built in $((SECONDS - before))s"
}

if [[ ! -x "$DIR/$SERVER" ]]; then
  say "Building temporal-server from $SOURCE (go.temporal.io/server v${TEMPORAL_SERVER_VERSION}); a few minutes on two cores"
  before=$SECONDS
  grep -q "go.temporal.io/server v${TEMPORAL_SERVER_VERSION}\$" "$SOURCE/go.mod" \
    || { echo "$SOURCE/go.mod does not require go.temporal.io/server v${TEMPORAL_SERVER_VERSION}" >&2; exit 1; }
  (cd "$SOURCE" && GOTOOLCHAIN=local go build -trimpath -o "$tmp_bin/temporal-server" .) >&2
  mv "$tmp_bin/temporal-server" "$DIR/$SERVER"
  find "$DIR" -maxdepth 1 -name 'temporal-server-*' ! -name "$SERVER" -delete  # earlier builds
  say "temporal-server built in $((SECONDS - before))s"
fi
ln -sfn "$SERVER" "$DIR/temporal-server"
[[ -x "$DIR/temporal-sql-tool" ]] || build temporal-sql-tool "go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}"
[[ -x "$DIR/temporal-ui-server" ]] || build temporal-ui-server "github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_SERVER_VERSION}"

# The schemas ship in the server module, which go install has just put in the module cache.
module_dir="$(GOTOOLCHAIN=local go mod download -json "go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}" \
  | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
[[ -d "$module_dir/schema/postgresql/v12" ]] || { echo "no schema in $module_dir" >&2; exit 1; }
mkdir -p "$DIR/schema/postgresql"
rm -rf "$DIR/schema/postgresql/v12"
cp -r "$module_dir/schema/postgresql/v12" "$DIR/schema/postgresql/"
chmod -R u+w "$DIR/schema"
say "Temporal server ${TEMPORAL_SERVER_VERSION} and UI server ${TEMPORAL_UI_SERVER_VERSION} ready in $(( $(date +%s) - start ))s: $DIR"
echo "$DIR"
