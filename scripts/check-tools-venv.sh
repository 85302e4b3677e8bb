#!/usr/bin/env bash
# Creates (or reuses) .venv-tools from tests/requirements-tools.txt (ansible-lint, galaxy-importer, antsibull-docs,
# antsibull-changelog, ansible-builder) and prints its path. Rebuilt whenever that file or the Python changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${TOOLS_VENV:-$root/.venv-tools}
req="$root/tests/requirements-tools.txt"

# Same choice as scripts/venv.sh: a real python3.13/3.12 file (the one on PATH may be a failing pyenv shim).
pick_python() {
  local version candidate pyenv_root
  pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for version in 3.13 3.12; do
    for candidate in "$pyenv_root"/versions/"$version"*/bin/python"$version" /usr/bin/python"$version" \
                     /usr/local/bin/python"$version"; do
      if [ -x "$candidate" ] && "$candidate" -c 'import venv, ensurepip' 2>/dev/null; then
        echo "$candidate"; return
      fi
    done
  done
  echo "no Python 3.12 or 3.13 found: the tools (ansible-core 2.21) need one" >&2
  exit 1
}

python=$(pick_python)
stamp="$venv/.sessionkit-stamp"
want="$(sha256sum "$req" | cut -c1-16) $python"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv"; exit 0
fi
echo "creating $venv with $python from tests/requirements-tools.txt" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
echo "$want" > "$stamp"
echo "$venv"
