#!/usr/bin/env bash
# Creates (or reuses) the docs venv (.venv-docs) with antsibull-docs, Sphinx and ansible-core from PyPI, and prints
# its path. Rebuilt whenever tests/requirements-docs.txt changes. Uses the newest Python that ansible-core 2.21 runs
# on, falling back to python3 (and so ansible-core 2.19), like scripts/venv.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${DOCS_VENV:-$root/.venv-docs}

pick_python() {
  local version candidate pyenv_root
  pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for version in 3.13 3.12; do
    for candidate in "$pyenv_root"/versions/"$version"*/bin/python"$version" /usr/bin/python"$version" \
                     /usr/local/bin/python"$version"; do
      if [ -x "$candidate" ] && "$candidate" -c 'import venv, ensurepip' 2>/dev/null; then
        echo "$candidate 2.21"; return
      fi
    done
  done
  echo "$(command -v python3) 2.19"
}

read -r python core < <(pick_python)
stamp="$venv/.sessionkit-stamp"
want="$core $(sha256sum < "$root/tests/requirements-docs.txt" | cut -c1-16) $python"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/antsibull-docs" ]; then
  echo "$venv"; exit 0
fi
echo "creating $venv with $python and ansible-core $core" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "ansible-core==$core.*" \
  -r "$root/tests/requirements-docs.txt" >&2
echo "$want" > "$stamp"
echo "$venv"
