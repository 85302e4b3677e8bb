#!/usr/bin/env bash
# The compatibility matrix: the unit and functional tests (pytest tests/unit tests/functional) on the oldest
# ansible-core that meta/runtime.yml claims (2.17), on 2.19, and on the newest (2.21), each in its own venv made by
# scripts/venv.sh with a Python that series supports on the controller. 2.21 uses the main .venv (it is the 2.21 one).
# Usage: check-matrix.sh [series...]   (default: 2.17 2.19 2.21); extra pytest options in PYTEST_ARGS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
series_list=("$@")
[ ${#series_list[@]} -gt 0 ] || series_list=(2.17 2.19 2.21)

# Controller Pythons per series, newest first (ansible-core's support matrix).
pythons_for() {
  case "$1" in
    2.17) echo "3.12 3.11 3.10" ;;
    2.18) echo "3.13 3.12 3.11" ;;
    2.19) echo "3.13 3.12 3.11" ;;
    2.20|2.21) echo "3.13 3.12" ;;
    *) echo "unknown ansible-core series $1" >&2; exit 2 ;;
  esac
}

find_python() {
  local version candidate pyenv_root
  pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for version in $(pythons_for "$1"); do
    for candidate in "$pyenv_root"/versions/"$version".*/bin/python"$version" /usr/bin/python"$version" \
                     /usr/local/bin/python"$version"; do
      if [ -x "$candidate" ] && "$candidate" -c 'import venv, ensurepip' 2>/dev/null; then
        echo "$candidate"; return
      fi
    done
  done
}

failed=()
summary=()
for series in "${series_list[@]}"; do
  python=$(find_python "$series")
  if [ -z "$python" ]; then
    echo "FAIL: no Python for ansible-core $series ($(pythons_for "$series"))" >&2
    failed+=("$series"); summary+=("$series: no Python"); continue
  fi
  if [ "$series" = 2.21 ]; then venv_path="$root/.venv"; else venv_path="$root/.venv-$series"; fi
  venv=$(VENV="$venv_path" ANSIBLE_CORE_SERIES="$series" VENV_PYTHON="$python" scripts/venv.sh)
  core=$("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)')
  pyver=$("$venv/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
  case "$core" in
    "$series".*) ;;
    *) echo "FAIL: $venv has ansible-core $core, not $series" >&2; failed+=("$series"); continue ;;
  esac
  echo "== ansible-core $core on Python $pyver ($venv)" >&2
  start=$SECONDS
  # shellcheck disable=SC2086
  if "$venv/bin/python" -m pytest -n 2 tests/unit tests/functional ${PYTEST_ARGS:-}; then
    summary+=("ansible-core $core, Python $pyver: passed in $((SECONDS - start)) s")
  else
    summary+=("ansible-core $core, Python $pyver: FAILED")
    failed+=("$series")
  fi
done
printf '%s\n' "${summary[@]}" >&2
[ ${#failed[@]} -eq 0 ] || { echo "test-matrix failed on: ${failed[*]}" >&2; exit 1; }
