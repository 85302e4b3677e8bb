#!/usr/bin/env bash
# Creates (or reuses) the test venv with the newest Python that ansible-core 2.21 supports, falling back to
# python3 with ansible-core 2.19, and prints its path. Rebuilt whenever a requirements file changes.
# VENV, ANSIBLE_CORE_SERIES and VENV_PYTHON override the venv's path, the ansible-core series and the interpreter.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/venv-lib.sh
. "$root/scripts/venv-lib.sh"

python=$(find_python 3.13 3.12)
if [ -n "$python" ]; then core=2.21; else python=$(command -v python3); core=2.19; fi
core=${ANSIBLE_CORE_SERIES:-$core}
python=${VENV_PYTHON:-$python}  # scripts/check-matrix.sh picks the Python per ansible-core series
ensure_venv "${VENV:-$root/.venv}" "$python" "$core $(checksum "$root/requirements.txt" "$root/tests/requirements.txt")" \
  "ansible-core==$core.*" -r "$root/requirements.txt" -r "$root/tests/requirements.txt"
