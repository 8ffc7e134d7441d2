#!/usr/bin/env bash
# Prints the path of a Temporal CLI (dev server + Web UI), building it once if needed.
#
# Order: $WC_TEMPORAL_CLI, a `temporal` on PATH (e.g. from Homebrew), the cached build,
# else `go install` of the pinned release into the cache (a few minutes on two cores).
# Progress goes to stderr; only the path goes to stdout.
set -euo pipefail

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-1.5.1}"
CACHE_DIR="${WC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/welcome-center}/temporal-${TEMPORAL_CLI_VERSION}"
CACHED="$CACHE_DIR/temporal"

if [[ -n "${WC_TEMPORAL_CLI:-}" ]]; then
  [[ -x "$WC_TEMPORAL_CLI" ]] || { echo "WC_TEMPORAL_CLI=$WC_TEMPORAL_CLI is not executable" >&2; exit 1; }
  echo "$WC_TEMPORAL_CLI"; exit 0
fi
if command -v temporal >/dev/null 2>&1 && [[ -z "${WC_IGNORE_PATH_TEMPORAL:-}" ]]; then
  command -v temporal; exit 0
fi
if [[ -x "$CACHED" ]]; then
  echo "$CACHED"; exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
No Temporal CLI found and no Go toolchain to build one.
Install one of: the Temporal CLI (brew install temporal), or Go >= 1.25, then re-run.
MSG
  exit 1
fi

echo ">> Building Temporal CLI v${TEMPORAL_CLI_VERSION} (dev server + Web UI) with $(go version | cut -d' ' -f3)." >&2
echo ">> First time only: this takes about 4-8 minutes on two cores; the binary is cached in $CACHE_DIR." >&2
mkdir -p "$CACHE_DIR"
tmp_bin="$(mktemp -d)"
start=$(date +%s)
ldflags="-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}"
build() {
  GOTOOLCHAIN=local GOBIN="$tmp_bin" \
    go install -ldflags "$1" "github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}" >&2
}
# Newer Go versions may refuse a dependency's linkname use; retry with the check off.
build "$ldflags" || build "$ldflags -checklinkname=0"
mv "$tmp_bin/temporal" "$CACHED"
rmdir "$tmp_bin"
echo ">> Built in $(( $(date +%s) - start ))s: $CACHED" >&2
echo "$CACHED"
