#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Creates (or reuses) .venv-tools from tests/requirements-tools.txt (ansible-lint, galaxy-importer, antsibull-docs,
# antsibull-changelog, ansible-builder) and prints its path. Rebuilt whenever that file or the Python changes.
# Like venv.sh, it takes Python 3.13 or 3.12 with ansible-core 2.21, else python3 with ansible-core 2.19;
# TOOLS_PYTHON picks the interpreter (the series follows it) and TOOLS_CORE_SERIES the series.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/venv-lib.sh
. "$root/scripts/venv-lib.sh"
req="$root/tests/requirements-tools.txt"

python=${TOOLS_PYTHON:-$(find_python 3.13 3.12)}
python=${python:-$(command -v python3)}
# ansible-core 2.20 and later need Python 3.12; on an older Python pip would only fail to find 2.21.
if "$python" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then core=2.21; else core=2.19; fi
core=${TOOLS_CORE_SERIES:-$core}
pinned=$(mktemp)
trap 'rm -f "$pinned"' EXIT
sed "s/^ansible-core==.*/ansible-core==$core.*/" "$req" > "$pinned"
ensure_venv "${TOOLS_VENV:-$root/.venv-tools}" "$python" "$core $(checksum "$req")" -r "$pinned"
