#!/usr/bin/env bash
# Creates (or reuses) the test venv with the newest Python that ansible-core 2.21 supports, falling back to
# Python 3.11 with ansible-core 2.19, and prints its path. Rebuilt whenever a requirements file changes.
# VENV, ANSIBLE_CORE_SERIES and VENV_PYTHON override the venv's path, the ansible-core series and the interpreter.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$root/.venv}

# The python3.13 on PATH may be a pyenv shim that fails unless that version is selected, so try real files first.
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
core=${ANSIBLE_CORE_SERIES:-$core}
python=${VENV_PYTHON:-$python}  # scripts/check-matrix.sh picks the Python per ansible-core series
stamp="$venv/.sessionkit-stamp"
want="$core $(cat "$root/requirements.txt" "$root/tests/requirements.txt" | sha256sum | cut -c1-16) $python"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv"; exit 0
fi
echo "creating $venv with $python and ansible-core $core" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "ansible-core==$core.*" \
  -r "$root/requirements.txt" -r "$root/tests/requirements.txt" >&2
echo "$want" > "$stamp"
echo "$venv"
