#!/usr/bin/env bash
# Unpacks FRR (Debian's frr package) into .lab-cache/frr and Debian's frr-pythontools (frr-reload.py, which
# `systemctl reload frr` runs; arch all) into .lab-cache/frr-pythontools (both git-ignored), never installs
# them: installing would start FRR's daemons on this machine. The tests run FRR's own parsers on rendered
# configs (vtysh --dryrun and bgpd --dryrun), bgpd inside network namespaces, and the VM lab copies both
# trees into its guests (`up({ vm: true, frr: true })`). Runtime libraries (libc-ares2, libyang2,
# libjson-c5, libcap2, libreadline8) come from setup-debian.sh's apt line; frr-reload.py needs only
# python3's standard library. Idempotent.
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

# frr-pythontools must be the same version as frr (its Depends pins it): unpacked again when frr changed.
py="$cache/frr-pythontools"
version=$(cat "$root/.version")
if [ -x "$py/usr/lib/frr/frr-reload.py" ] && [ -f "$py/.version" ] && [ "$(cat "$py/.version")" = "$version" ]; then
  pystate="already unpacked"
else
  rm -rf "$py" "$py.tmp" "$cache"/frr-pythontools_*.deb
  (cd "$cache" && apt-get download "frr-pythontools=$version" >/dev/null 2>&1)
  deb=$(ls "$cache"/frr-pythontools_*.deb | head -1)
  dpkg-deb -x "$deb" "$py.tmp"
  dpkg-deb -f "$deb" Version > "$py.tmp/.version"
  rm -f "$deb"
  mv "$py.tmp" "$py"
  pystate="unpacked"
fi
echo "frr-pythontools $(cat "$py/.version") $pystate in $py"
