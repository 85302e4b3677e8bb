#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders the collection's docs site (module and role pages, and the guides in docs/docsite/) to docs/build/html.
# Offline apart from PyPI for the docs venv: scripts/install-collection.sh builds the collection and installs it into
# a temporary collections path, antsibull-docs writes the RST, and Sphinx renders it with a conf.py that fetches no
# intersphinx inventories (the build.sh that `antsibull-docs sphinx-init` generates would try to download them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/docs/build"
venv=$("$root/scripts/docs-venv.sh")
export PATH="$venv/bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Only the installed copy is visible, so the site shows what users install, not a stray copy elsewhere.
ANSIBLE_COLLECTIONS_PATH=$("$root/scripts/install-collection.sh" "$work/install")
export ANSIBLE_COLLECTIONS_PATH ANSIBLE_LOCAL_TEMP="$work/tmp" ANSIBLE_HOME="$work/ansible-home"
mkdir -p "$work/rst"
chmod og-w "$work/rst"  # antsibull-docs wants its destination writable only by itself
antsibull-docs collection --use-current --squash-hierarchy --fail-on-error --no-add-antsibull-docs-version \
  --dest-dir "$work/rst" sessionkit.vmware
# The performance page shows the latest benchmark chart. The chart lives with the benchmarks, which the collection
# tarball leaves out, so it is added to the site here.
cp "$root/benchmarks/results/latest.png" "$work/rst/docsite/performance-chart.png"

cat > "$work/conf.py" <<'EOF'
# Written by scripts/docs.sh. No intersphinx: these machines reach PyPI only, and the site must build offline.
project = "sessionkit.vmware"
copyright = "sessionkit.vmware contributors"
title = "sessionkit.vmware"
html_short_title = "sessionkit.vmware"
html_title = "sessionkit.vmware collection documentation"
extensions = ["sphinx_antsibull_ext"]
pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
default_role = "any"
EOF

rm -rf "$out/html" "$out/doctrees"
mkdir -p "$out"
if ! sphinx-build -b html -q -d "$out/doctrees" -c "$work" -w "$out/sphinx-warnings.log" "$work/rst" "$out/html" \
    2>"$work/sphinx-stderr.log"; then
  cat "$work/sphinx-stderr.log" >&2
  exit 1
fi
rm -rf "$out/doctrees"

# References to pages outside this collection (ansible.builtin.uri, the Ansible docs' common_return_values, and the
# action_plugins page that a module backed by an action plugin links to) cannot resolve without intersphinx and are
# shown as plain text. Any other warning is a defect in this collection's docs.
external="undefined label: '(ansible_collections\.(ansible|community)\.|ansible_configuration_settings|common_return_values|action_plugins')"
if grep -v -E "$external" "$out/sphinx-warnings.log" | grep -q -E "WARNING|ERROR|CRITICAL"; then
  echo "Sphinx reported problems in the docs (see $out/sphinx-warnings.log):" >&2
  grep -v -E "$external" "$out/sphinx-warnings.log" >&2
  exit 1
fi
echo "$out/html/index.html"
