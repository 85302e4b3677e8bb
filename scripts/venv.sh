#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Creates (or reuses) the test venv with the newest Python that ansible-core 2.21 supports, falling back to
# python3 with ansible-core 2.19, and prints its path. Rebuilt whenever a requirements file changes.
# VENV, ANSIBLE_CORE_SERIES (2.17 ... 2.22) and VENV_PYTHON override the venv's path, the ansible-core series
# and the interpreter.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/venv-lib.sh
. "$root/scripts/venv-lib.sh"

python=$(find_python 3.13 3.12)
if [ -n "$python" ]; then core=2.21; else python=$(command -v python3); core=2.19; fi
core=${ANSIBLE_CORE_SERIES:-$core}
python=${VENV_PYTHON:-$python}  # scripts/check-matrix.sh picks the Python per ansible-core series
# A series is its newest release, except one with no final release yet: that is pinned to its exact pre-release
# (pip skips pre-releases for ==X.Y.*). Move the pin to the final release when it appears on PyPI.
version=$core
case "$core" in
  2.22) version=2.22.0rc1 ;;
esac
if [ "$version" = "$core" ]; then requirement="ansible-core==$core.*"; else requirement="ansible-core==$version"; fi
requirements=("$root/requirements.txt" "$root/tests/requirements.txt")
ensure_venv "${VENV:-$root/.venv}" "$python" "$version $(checksum "${requirements[@]}")" \
  "$requirement" -r "${requirements[0]}" -r "${requirements[1]}"
