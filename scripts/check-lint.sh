#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The ecosystem's linters over the whole collection, from the tools venv (scripts/check-tools-venv.sh):
# ansible-lint --profile production, antsibull-docs lint-collection-docs --plugin-docs and antsibull-changelog lint.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# They run plainly, as a contributor runs them, in a copy of this tree at WORK/ansible_collections/sessionkit/vmware
# (scripts/install-collection.sh --source-only): in that layout the checkout's ansible.cfg puts the collection on the
# collections path, which ansible-lint's syntax check needs (the demo playbook uses the role by its FQCN).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checkout=$("$root/scripts/install-collection.sh" --source-only "$work")
tools=$("$root/scripts/check-tools-venv.sh")
export PATH="$tools/bin:$PATH"
cd "$checkout"

echo "== ansible-lint --profile production" >&2
ansible-lint --profile production --nocolor
echo "== antsibull-docs lint-collection-docs --plugin-docs ." >&2
antsibull-docs lint-collection-docs --plugin-docs .
echo "== antsibull-changelog lint" >&2
antsibull-changelog lint
echo "lint: all passed" >&2
