#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The one way this project builds and installs the collection (tests, demo, docs, benchmarks, galaxy-importer):
# the files git would ship (tracked or new, never ignored) are copied to WORK/src, `ansible-galaxy collection build`
# makes WORK/dist/sessionkit-vmware-VERSION.tar.gz, and, unless --build-only, `ansible-galaxy collection install`
# puts it in WORK/collections, as a user would have it. Prints the tarball (--build-only) or WORK/collections.
# --source-only copies the same files to WORK/ansible_collections/sessionkit/vmware instead, the checkout layout
# that ansible-test and ansible-lint need (see ansible.cfg), builds nothing and prints that folder.
# Usage: install-collection.sh [--build-only | --source-only] WORK
# ansible-galaxy is the first on PATH: callers put their venv's bin first, so each ansible-core builds its own.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=install
case "${1:-}" in
  --build-only) mode=build; shift ;;
  --source-only) mode=source; shift ;;
esac
[ $# -eq 1 ] || { echo "usage: $0 [--build-only | --source-only] WORK" >&2; exit 2; }
work=$(mkdir -p "$1" && cd "$1" && pwd)

# Copying what git would ship keeps docs/build, venvs and caches of a developer's checkout out of the tarball even
# where galaxy.yml's build_ignore does not name them. Outside a git checkout (a tarball of the source), the tree is
# copied as it is, minus what build_ignore would drop anyway.
if [ "$mode" = source ]; then src="$work/ansible_collections/sessionkit/vmware"; else src="$work/src"; fi
rm -rf "$src"
mkdir -p "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$root" && git ls-files -z --cached --others --exclude-standard) | while IFS= read -r -d '' file; do
    if [ -e "$root/$file" ] || [ -L "$root/$file" ]; then
      mkdir -p "$src/$(dirname "$file")"
      cp -P "$root/$file" "$src/$file"
    fi
  done
else
  tar -C "$root" --exclude=./docs/build --exclude='./.venv*' --exclude=./collections --exclude=./.cache \
    --exclude=./tests/output -cf - . | tar -C "$src" -xf -
fi
if [ "$mode" = source ]; then
  echo "$src"
  exit 0
fi
rm -rf "$work/dist" "$work/collections"
mkdir -p "$work/dist"

# The caller's collections path (pytest-ansible points one at this checkout) would make ansible-galaxy take the
# collection as installed already, so only WORK/collections is configured; ANSIBLE_HOME keeps caches in WORK.
galaxy() {
  env -u ANSIBLE_COLLECTIONS_PATHS ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_HOME="$work/ansible-home" \
    ansible-galaxy collection "$@" >/dev/null
}
galaxy build --output-path "$work/dist" "$src"
tarball=$(echo "$work"/dist/sessionkit-vmware-*.tar.gz)
[ -f "$tarball" ] || { echo "install-collection: ansible-galaxy made no tarball in $work/dist" >&2; exit 1; }
if [ "$mode" = build ]; then
  echo "$tarball"
  exit 0
fi
galaxy install --offline --no-deps --force -p "$work/collections" "$tarball"
[ -f "$work/collections/ansible_collections/sessionkit/vmware/MANIFEST.json" ] || {
  echo "install-collection: $tarball did not install into $work/collections" >&2; exit 1; }
echo "$work/collections"
