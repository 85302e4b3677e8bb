#!/usr/bin/env bash
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds govmomi's vCenter simulator (tests/vcsim/main.go) from Debian packages only and prints the binary's path.
# Debian ships govmomi as a library without the vcsim binary, and the tests must not use the Go module proxy, so
# the build runs in GOPATH mode against /usr/share/gocode. The build is skipped while a stamp of its inputs
# (main.go, Go version, govmomi version) matches, since mtimes are unreliable after a git checkout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/tests/vcsim/main.go
out_dir=$root/.cache/vcsim
bin=$out_dir/vcsim
stamp=$out_dir/vcsim.stamp
packages=(golang-go golang-github-vmware-govmomi-dev)

# Callers run in parallel (make, pytest workers); one at a time keeps them from racing apt's lock or building twice.
mkdir -p "$out_dir"
exec 9>"$out_dir/.lock"
flock 9

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "build-vcsim: missing Debian packages: ${missing[*]}" >&2
    echo "build-vcsim: install them as root: apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "build-vcsim: installing ${missing[*]}" >&2
  # The package lists may be absent (fresh container) or stale enough that the pinned versions 404.
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

# Debian's own toolchain, not whatever `go` is first on PATH: a newer Go may differ in GOPATH-mode behaviour.
go=/usr/lib/go/bin/go
want="$(sha256sum <"$src" | cut -d' ' -f1) $("$go" version) govmomi=$(dpkg-query -W -f='${Version}' golang-github-vmware-govmomi-dev)"
if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$bin"
  exit 0
fi

echo "build-vcsim: building $bin" >&2
# GO111MODULE=off with GOPATH=/usr/share/gocode resolves every import from Debian's packages; GOPROXY=off makes
# any attempt to reach the network fail loudly instead. CGO_ENABLED=0 means no C compiler is needed (golang-go
# only recommends gcc). No -trimpath: it makes Go recompile the whole standard library, about a minute more.
# The cache lives in the repo so a read-only or missing HOME does not break the build. Building to a temporary
# name and renaming keeps a concurrent caller from ever running a half-written binary.
tmp=$(mktemp "$out_dir/.vcsim.XXXXXX")
trap 'rm -f "$tmp"' EXIT
env GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS= CGO_ENABLED=0 GOCACHE="$root/.cache/go-build" \
  "$go" build -o "$tmp" "$src" >&2
mv -f "$tmp" "$bin"
echo "$want" >"$stamp"
echo "$bin"
