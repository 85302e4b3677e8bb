#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# `make demo`: starts the vAPI and VCDA simulators on loopback with a generated CA, installs the built collection,
# runs playbooks/demo.yml through ansible-navigator, shows the simulators' session counts, and stops them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$("$root/scripts/venv.sh")
work=$(mktemp -d "${TMPDIR:-/tmp}/sessionkit-demo.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

py="$venv/bin/python"
"$py" "$root/tests/simulators/run.py" pki "$work/pki" >/dev/null
for kind in vapi h4; do
  "$py" "$root/tests/simulators/run.py" serve --kind "$kind" --cert "$work/pki/server.pem" --key "$work/pki/server.key" \
    --url-file "$work/$kind.url" 2>"$work/$kind.log" &
  pids+=("$!")
done
for kind in vapi h4; do
  for _ in $(seq 100); do [ -s "$work/$kind.url" ] && break; sleep 0.1; done
  [ -s "$work/$kind.url" ] || { echo "demo: the $kind simulator did not start:" >&2; cat "$work/$kind.log" >&2; exit 1; }
done
vapi_url=$(cat "$work/vapi.url")
h4_url=$(cat "$work/h4.url")
echo "demo: vSphere Automation simulator at $vapi_url, VCDA simulator at $h4_url"

collections=$(PATH="$venv/bin:$PATH" "$root/scripts/install-collection.sh" "$work/install")

cat >"$work/vars.yml" <<VARS
vcenter_hostname: "${vapi_url#https://}"
vcenter_username: administrator@vsphere.local
vcenter_password: "VMware1!"
vcda_hostname: "${h4_url#https://}"
vcda_username: administrator@vsphere.local
vcda_password: "VMware1!"
vcenter_ca_path: "$work/pki/ca.pem"
vcda_ca_path: "$work/pki/ca.pem"
VARS

cd "$root"
PATH="$venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_HOME="$work/ansible-home" \
  ANSIBLE_PYTHON_INTERPRETER="$py" ANSIBLE_NAVIGATOR_CONFIG="$root/ansible-navigator.yml" \
  ANSIBLE_NAVIGATOR_LOG_FILE="$work/navigator.log" ANSIBLE_NOCOLOR=1 \
  "$venv/bin/ansible-navigator" run playbooks/demo.yml -i localhost, -c local -e "@$work/vars.yml" |
  # When stdout is not a terminal, navigator leaks ansible-runner's encoded event markers; drop them.
  perl -pe 's/\e\[K.*?\e\[\d+D\e\[K//g'

for kind in vapi h4; do
  url=$(cat "$work/$kind.url")
  echo "demo: $kind simulator counted $("$py" - "$url/_sim/stats" "$work/pki/ca.pem" <<'PY'
import json, ssl, sys, urllib.request
stats = json.load(urllib.request.urlopen(sys.argv[1], context=ssl.create_default_context(cafile=sys.argv[2])))
print("%(logins)s login(s), %(logouts)s logout(s), %(open_sessions)s session(s) left open" % stats)
PY
)"
done
