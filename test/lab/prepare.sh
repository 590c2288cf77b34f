#!/usr/bin/env bash
# Unpacks Libreswan for the lab's libreswan gateway node (idempotent). Debian's libreswan package
# conflicts with strongSwan's, so it is downloaded and unpacked into .lab-cache/libreswan (git-ignored),
# never installed; the lab bind-mounts it inside its own node. Its runtime libraries come from .ci/run's
# apt line (libnss3-tools, libunbound8, libldns3, libevent-*, libcap-ng0, …).
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=.lab-cache
root="$cache/libreswan"
if [ -x "$root/usr/libexec/ipsec/pluto" ] && [ -f "$root/.version" ]; then
  state="already unpacked"
else
  mkdir -p "$cache"
  rm -rf "$root" "$root.tmp" "$cache"/libreswan_*.deb
  # apt-get download writes into the current directory (as root it warns that _apt cannot: harmless)
  (cd "$cache" && apt-get download libreswan >/dev/null 2>&1)
  deb=$(ls "$cache"/libreswan_*.deb | head -1)
  dpkg -x "$deb" "$root.tmp"
  dpkg-deb -f "$deb" Version > "$root.tmp/.version"
  rm -f "$deb"
  mv "$root.tmp" "$root"
  state="unpacked"
fi
missing=$(for b in pluto addconn whack algparse readwriteconf; do ldd "$root/usr/libexec/ipsec/$b" | grep 'not found' || true; done)
if [ -n "$missing" ]; then
  echo "pluto needs libraries that are not installed (add their packages to .ci/run):" >&2
  echo "$missing" >&2
  exit 1
fi
echo "libreswan $(cat "$root/.version") $state in $root"
