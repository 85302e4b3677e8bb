#!/usr/bin/env bash
# The ecosystem's linters over the whole collection, from the tools venv (scripts/check-tools-venv.sh):
# ansible-lint --profile production, antsibull-docs lint-collection-docs --plugin-docs and antsibull-changelog lint.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/scripts/check-tools-venv.sh")
export PATH="$tools/bin:$PATH"
cd "$root"

# ansible-lint's syntax check must resolve sessionkit.vmware.* (the demo playbook uses the role by FQCN). Put this
# checkout on the collections path itself rather than depend on pytest-ansible's collections/ folder being there.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ansible_collections/sessionkit"
ln -s "$root" "$work/ansible_collections/sessionkit/vmware"
export ANSIBLE_COLLECTIONS_PATH="$work" ANSIBLE_HOME="$work/ansible-home"

echo "== ansible-lint --profile production" >&2
ansible-lint --profile production --nocolor
echo "== antsibull-docs lint-collection-docs --plugin-docs ." >&2
antsibull-docs lint-collection-docs --plugin-docs .
echo "== antsibull-changelog lint" >&2
antsibull-changelog lint
echo "lint: all passed" >&2
