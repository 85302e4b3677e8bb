# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# Sourced by the scripts that make venvs (venv.sh, check-tools-venv.sh, docs-venv.sh, check-matrix.sh): picking an
# interpreter and (re)building a venv only when what it was built from changed.

# find_python VERSION...: prints the first real interpreter of the given versions that can make a venv, or nothing.
# Real files come first because the python3.13 on PATH may be a pyenv shim that fails unless that version is selected.
find_python() {
  local version candidate pyenv_root
  pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for version in "$@"; do
    for candidate in "$pyenv_root"/versions/"$version".*/bin/python"$version" /usr/bin/python"$version" \
                     /usr/local/bin/python"$version"; do
      if [ -x "$candidate" ] && "$candidate" -c 'import venv, ensurepip' 2>/dev/null; then
        echo "$candidate"; return 0
      fi
    done
  done
}

# ensure_venv PATH PYTHON KEY PIP_ARGS...: makes PATH with PYTHON and pip-installs PIP_ARGS, unless PATH was already
# made from the same KEY (which names everything the venv depends on) and PYTHON. Prints PATH.
ensure_venv() {
  local venv=$1 python=$2 key=$3
  shift 3
  local stamp="$venv/.sessionkit-stamp" want="$key $python"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
    echo "$venv"; return 0
  fi
  echo "creating $venv with $python ($key)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
  echo "$want" > "$stamp"
  echo "$venv"
}

# checksum FILE...: a short digest of the files' contents, for ensure_venv's KEY.
checksum() {
  cat "$@" | sha256sum | cut -c1-16
}
