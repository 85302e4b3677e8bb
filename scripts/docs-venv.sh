#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Creates (or reuses) the docs venv (.venv-docs) with antsibull-docs, Sphinx and ansible-core from PyPI, and prints
# its path. Rebuilt whenever tests/requirements-docs.txt changes. Same Python and ansible-core choice as venv.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/venv-lib.sh
. "$root/scripts/venv-lib.sh"
req="$root/tests/requirements-docs.txt"

python=$(find_python 3.13 3.12)
if [ -n "$python" ]; then core=2.21; else python=$(command -v python3); core=2.19; fi
ensure_venv "${DOCS_VENV:-$root/.venv-docs}" "$python" "$core $(checksum "$req")" "ansible-core==$core.*" -r "$req"
