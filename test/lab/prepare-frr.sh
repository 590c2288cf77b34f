#!/usr/bin/env bash
# Unpacks FRR (Debian's frr package) into .lab-cache/frr (git-ignored), never installs it: installing would
# start its daemons on this machine. The tests run its own parsers on rendered configs (vtysh --dryrun and
# bgpd --dryrun) and, in the lab, bgpd inside network namespaces. Runtime libraries (libc-ares2, libyang2,
# libjson-c5, libcap2, libreadline8) come from setup-debian.sh's apt line. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=.lab-cache
root="$cache/frr"
if [ -x "$root/usr/lib/frr/bgpd" ] && [ -x "$root/usr/bin/vtysh" ] && [ -f "$root/.version" ]; then
  state="already unpacked"
else
  mkdir -p "$cache"
  rm -rf "$root" "$root.tmp" "$cache"/frr_*.deb
  # apt-get download writes into the current directory (as root it warns that _apt cannot: harmless)
  (cd "$cache" && apt-get download frr >/dev/null 2>&1)
  deb=$(ls "$cache"/frr_*.deb | head -1)
  dpkg-deb -x "$deb" "$root.tmp"
  dpkg-deb -f "$deb" Version > "$root.tmp/.version"
  rm -f "$deb"
  mv "$root.tmp" "$root"
  state="unpacked"
fi
# The unpacked binaries find libfrr through LD_LIBRARY_PATH (Debian installs it under /usr/lib/x86_64-linux-gnu/frr).
libdir=$(dirname "$(find "$root/usr/lib" -name 'libfrr.so.0' | head -1)")
missing=$(for b in "$root/usr/lib/frr/bgpd" "$root/usr/bin/vtysh"; do LD_LIBRARY_PATH="$libdir" ldd "$b" | grep 'not found' || true; done)
if [ -n "$missing" ]; then
  echo "FRR needs libraries that are not installed (add their packages to test/tools/setup-debian.sh):" >&2
  echo "$missing" >&2
  exit 1
fi
echo "frr $(cat "$root/.version") $state in $root"
