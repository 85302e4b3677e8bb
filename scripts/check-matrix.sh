#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The compatibility matrix: the unit and functional tests (pytest tests/unit tests/functional) on the oldest
# ansible-core that meta/runtime.yml claims (2.17), on 2.19, on the newest release (2.21) and on the coming series
# (2.22, pinned by scripts/venv.sh to its pre-release), each in its own venv made by scripts/venv.sh with a Python that
# series supports on the controller. 2.21 uses the main .venv (it is the 2.21 one).
# Usage: check-matrix.sh [series...]   (default: 2.17 2.19 2.21 2.22); extra pytest options in PYTEST_ARGS.
# MATRIX_SKIP_LOAD=1 deselects the tests marked `load` (the 50-host and 30-play runs, about 4 CPU minutes per series).
# `make test` sets it for 2.17 and 2.19 because its own pytest run already ran them on 2.21; `make test-matrix` doesn't.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=scripts/venv-lib.sh
. "$root/scripts/venv-lib.sh"
series_list=("$@")
[ ${#series_list[@]} -gt 0 ] || series_list=(2.17 2.19 2.21 2.22)

# Controller Pythons per series, newest first (ansible-core's support matrix).
pythons_for() {
  case "$1" in
    2.17) echo "3.12 3.11 3.10" ;;
    2.18) echo "3.13 3.12 3.11" ;;
    2.19) echo "3.13 3.12 3.11" ;;
    2.20|2.21) echo "3.13 3.12" ;;
    2.22) echo "3.14 3.13" ;;
    *) echo "unknown ansible-core series $1" >&2; exit 2 ;;
  esac
}

failed=()
summary=()
for series in "${series_list[@]}"; do
  # shellcheck disable=SC2046
  python=$(find_python $(pythons_for "$series"))
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
  selection=() note=""
  if [ "${MATRIX_SKIP_LOAD:-0}" = 1 ]; then selection=(-m "not load"); note=" (load tests deselected)"; fi
  # shellcheck disable=SC2086
  if "$venv/bin/python" -m pytest -n "${PYTEST_WORKERS:-2}" "${selection[@]}" tests/unit tests/functional ${PYTEST_ARGS:-}; then
    summary+=("ansible-core $core, Python $pyver: passed in $((SECONDS - start)) s$note")
  else
    summary+=("ansible-core $core, Python $pyver: FAILED")
    failed+=("$series")
  fi
done
printf '%s\n' "${summary[@]}" >&2
[ ${#failed[@]} -eq 0 ] || { echo "test-matrix failed on: ${failed[*]}" >&2; exit 1; }
