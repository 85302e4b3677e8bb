#!/usr/bin/env bash
# Creates (or reuses) .venv-tools from tests/requirements-tools.txt (ansible-lint, galaxy-importer, antsibull-docs,
# antsibull-changelog, ansible-builder) and prints its path. Rebuilt whenever that file or the Python changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/venv-lib.sh
. "$root/scripts/venv-lib.sh"
req="$root/tests/requirements-tools.txt"

python=$(find_python 3.13 3.12)
if [ -z "$python" ]; then
  echo "no Python 3.12 or 3.13 found: the tools (ansible-core 2.21) need one" >&2
  exit 1
fi
ensure_venv "${TOOLS_VENV:-$root/.venv-tools}" "$python" "$(checksum "$req")" -r "$req"
