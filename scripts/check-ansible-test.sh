#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs `ansible-test sanity` or `ansible-test units` (first argument; the rest goes to ansible-test) the way
# Ansible's own CI does, from a real ansible_collections/sessionkit/vmware copy of this tree, with --venv on the
# newest Python the test venv has. Works offline from ci-files.testing.ansible.com: see write_get_pip below.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command=${1:?usage: check-ansible-test.sh sanity|units [ansible-test options]}
shift

venv=$("$root/scripts/venv.sh")
python_version=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
base_python=$("$venv/bin/python" -c 'import sys; print(sys._base_executable)')
# ansible-test looks up python<version> on PATH; put the real interpreter first (the one on PATH may be a pyenv shim).
PATH="$(dirname "$base_python"):$venv/bin:$PATH"
export PATH

# The sanity test "shellcheck" is skipped with only a warning when the program is missing: install Debian's.
if [ "$command" = sanity ] && ! command -v shellcheck >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "shellcheck is missing: install Debian's shellcheck package (apt-get install shellcheck) and run again" >&2
    exit 1
  fi
  echo "installing shellcheck with apt-get" >&2
  if ! apt-cache show shellcheck >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends shellcheck >/dev/null
fi

# Every --venv environment bootstraps pip with get-pip.py from ci-files.testing.ansible.com, which these machines
# can't reach. ansible-test uses ~/.ansible/test/cache/get_pip_<version>.py when it exists: this stand-in installs
# the requested pip from the wheel the standard library bundles for ensurepip, then the packages asked for.
write_get_pip() {
  local cache="$HOME/.ansible/test/cache" version
  mkdir -p "$cache"
  for version in 25_2 24_2; do
    cat > "$cache/get_pip_$version.py" <<'PY'
"""Offline stand-in for get-pip.py (written by sessionkit's scripts/check-ansible-test.sh)."""
import glob
import os
import sys

import ensurepip

bundled = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))
if not bundled:
    sys.exit("no pip wheel bundled with ensurepip in " + sys.executable)
sys.path.insert(0, bundled[0])

from pip._internal.cli.main import main  # noqa: E402

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--upgrade", "--force-reinstall"] + args))
PY
  done
}
write_get_pip

# A real (not symlinked) copy of the files git would ship. ansible-test needs a git-less tree or a proper repo; a
# copy without .git makes it test every file.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=$("$root/scripts/install-collection.sh" --source-only "$work")
cd "$dest"
echo "ansible-test $command --venv --python $python_version (ansible-core $("$venv/bin/python" -c \
  'import ansible; print(ansible.__version__)')) in $dest" >&2
log="$work/ansible-test.log"
"$venv/bin/ansible-test" "$command" --venv --python "$python_version" --color no "$@" 2>&1 | tee "$log"
# ansible-test skips a sanity test whose program is missing with only a warning; a skipped check is not a pass.
if grep -q 'Required program .* not found' "$log"; then
  echo "FAIL: ansible-test skipped a check because a program is missing (see the warnings above)" >&2
  exit 1
fi
