#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# galaxy-importer, the check Galaxy runs on upload, on the tarball scripts/install-collection.sh builds.
# Its own ansible-test step needs docker and exits 0 when it fails, so it is off (make sanity runs ansible-test);
# its ansible-lint, ansible-doc and changelog checks are on. The importer exits 0 on many failures, so this script
# also fails when its output reports any error or warning (any record above INFO, or such words in its output).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/scripts/check-tools-venv.sh")
export PATH="$tools/bin:$PATH"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ANSIBLE_HOME="$work/ansible-home"
cat > "$work/galaxy-importer.cfg" <<'CFG'
[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
RUN_ANSIBLE_DOC = True
CHECK_CHANGELOG = True
LOG_LEVEL_MAIN = INFO
CFG

tarball=$("$root/scripts/install-collection.sh" --build-only "$work/install")
echo "galaxy-importer on $(basename "$tarball")" >&2
rc=0
(cd "$work" && GALAXY_IMPORTER_CONFIG="$work/galaxy-importer.cfg" "$tools/bin/python" -m galaxy_importer.main \
  "$tarball") > "$work/importer.log" 2>&1 || rc=$?
cat "$work/importer.log"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: galaxy-importer exited $rc" >&2; exit 1
fi
# It prints every record above INFO as "LEVEL: message" (galaxy_importer.main.CustomFormatter); lint findings are
# WARNING records. Also catch "error"/"warning" words in plain lines (ansible-doc or lint output it passes through).
if grep -n -E '^(WARNING|ERROR|CRITICAL): ' "$work/importer.log" >&2 \
   || grep -n -i -E '(^|[[:space:]:])(errors?|warnings?|failed)([[:space:]:.]|$)' "$work/importer.log" >&2; then
  echo "FAIL: galaxy-importer reported the errors or warnings above" >&2; exit 1
fi
echo "importer: no errors or warnings" >&2
