#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the docs site (scripts/docs.sh), renders the vapi_session module page and the troubleshooting guide in
# headless Chromium, and fails when a page is missing, empty or broken: each screenshot must be a real picture of a
# page (not one flat colour), and the text Chromium rendered must hold what the page is about. Installs Debian's
# chromium when it is missing (as root). Screenshots go to docs/build/screenshots/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
html="$root/docs/build/html"
shots="$root/docs/build/screenshots"

"$root/scripts/docs.sh" >/dev/null
venv=$("$root/scripts/docs-venv.sh")

# chromium renders the pages; without a font package its screenshots show boxes instead of letters.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s fonts-dejavu-core >/dev/null 2>&1; then
  missing+=(fonts-dejavu-core)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${missing[*]}: install them with apt-get install ${missing[*]} and run again" >&2
    exit 1
  fi
  echo "installing ${missing[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when they do not know chromium yet (a fresh machine or container).
  if ! apt-cache show chromium >/dev/null 2>&1; then
    apt-get update -q >/dev/null
  fi
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

rm -rf "$shots"
mkdir -p "$shots"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

chromium_run() {
  # A fresh profile, no network services, no GPU, no sandbox (root in a container); bounded in time.
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
    --hide-scrollbars --user-data-dir="$profile" "$@" 2>/dev/null
}

# page (relative to the site) | screenshot name | strings the rendered text must contain, separated by ';'
pages=(
  "vapi_session_module.html|vapi_session_module|sessionkit.vmware.vapi_session module;session_token;saml_token;session_info;validate_certs;VMWARE_HOST;vmware-api-session-id;group/sessionkit.vmware.vapi;Return Values"
  "docsite/troubleshooting.html|troubleshooting|Troubleshooting;the token is no longer valid and no credentials were given to log in again;cannot resolve the host name;hostname is empty: give the server;What to do"
)
for entry in "${pages[@]}"; do
  IFS='|' read -r page name expected <<<"$entry"
  if [ ! -s "$html/$page" ]; then
    echo "docs-check: $page was not built" >&2
    exit 1
  fi
  if ! chromium_run --window-size=1280,2000 --screenshot="$shots/$name.png" "file://$html/$page" >/dev/null ||
     ! chromium_run --dump-dom "file://$html/$page" >"$shots/$name.dom.html"; then
    echo "docs-check: headless chromium failed on $page (run it without 2>/dev/null to see why)" >&2
    exit 1
  fi
  "$venv/bin/python" "$root/scripts/docs_check.py" "$shots/$name.png" "$shots/$name.dom.html" "$expected" "$page"
done

# The other pages must exist and be linked from the index, so that the site is whole and not only the two above.
for page in h4_session_module.html session_role.html docsite/authentication.html docsite/chaining.html \
            docsite/migrating.html docsite/performance.html docsite/troubleshooting.html vapi_session_module.html; do
  if [ ! -s "$html/$page" ] || ! grep -q "href=\"$page" "$html/index.html"; then
    echo "docs-check: $page is missing or not linked from index.html" >&2
    exit 1
  fi
done
if ! grep -q 'src="../_images/performance-chart.png"' "$html/docsite/performance.html" \
    || [ ! -s "$html/_images/performance-chart.png" ]; then
  echo "docs-check: the performance page does not show the benchmark chart" >&2
  exit 1
fi
echo "docs-check: the site in $html renders; screenshots in $shots"
