# Shared set-up for bin/run and bin/test (sourced, not executed).
# Installs uv if missing, then the locked Python dependencies into .venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WC_CACHE_DIR="${WC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/welcome-center}"
export WC_CACHE_DIR
# uv must not try to download a Python: only package registries are reachable.
export UV_PYTHON_DOWNLOADS=never
# The system's certificate store, as pip uses it: machines behind a TLS-inspecting proxy
# trust its CA there, not in the certificates uv was built with.
export UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-1}"
UV_VERSION="0.13.9"

say() { echo ">> $*" >&2; }

find_python() {
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  echo "Python 3.11 is required and was not found on PATH." >&2
  return 1
}

PYTHON="$(find_python)"
if command -v uv >/dev/null 2>&1; then
  UV="$(command -v uv)"
elif [[ -x "$WC_CACHE_DIR/uv-venv/bin/uv" ]]; then
  UV="$WC_CACHE_DIR/uv-venv/bin/uv"
else
  say "Installing uv $UV_VERSION from PyPI into $WC_CACHE_DIR/uv-venv (once)"
  "$PYTHON" -m venv "$WC_CACHE_DIR/uv-venv"
  "$WC_CACHE_DIR/uv-venv/bin/pip" install --quiet "uv==$UV_VERSION"
  UV="$WC_CACHE_DIR/uv-venv/bin/uv"
fi
export UV

say "Installing the locked Python dependencies into .venv"
"$UV" sync --frozen --python "$PYTHON" --quiet

if [[ -z "${WC_NO_SERVER:-}" ]]; then
  say "Looking for the Temporal CLI"
  TEMPORAL_CLI="$("$ROOT/scripts/temporal-cli.sh")"
  export WC_TEMPORAL_CLI="$TEMPORAL_CLI"
  say "Temporal CLI: $TEMPORAL_CLI ($("$TEMPORAL_CLI" --version | head -1))"
fi
