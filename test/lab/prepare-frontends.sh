#!/usr/bin/env bash
# Unpacks firewalld for the front-end firewall tests (idempotent; offline once unpacked). firewalld is never
# apt-installed: its maintainer scripts would enable (and under systemd start) it in the ROOT network namespace
# and firewall this machine. Its .deb and python3-firewall's are unpacked into .lab-cache/firewalld (git-ignored)
# and run only inside throwaway namespaces by test/fixtures/firewall/frontend-ns.sh. Its runtime dependencies
# (python3-dbus, python3-gi, python3-nftables, gir1.2-glib-2.0, dbus-daemon) come from test/tools/setup-debian.sh.
# ufw is apt-installed there (harmless: its init script does nothing while /etc/ufw/ufw.conf says ENABLED=no).
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=.lab-cache
root="$cache/firewalld"
if [ -x "$root/usr/sbin/firewalld" ] && [ -d "$root/usr/lib/python3/dist-packages/firewall" ] && [ -f "$root/.version" ]; then
  state="already unpacked"
else
  mkdir -p "$cache"
  rm -rf "$root" "$root.tmp" "$cache"/firewalld_*.deb "$cache"/python3-firewall_*.deb
  # apt-get download writes into the current directory (as root it warns that _apt cannot: harmless)
  (cd "$cache" && apt-get download firewalld python3-firewall >/dev/null 2>&1)
  deb=$(ls "$cache"/firewalld_*.deb | head -1)
  dpkg -x "$deb" "$root.tmp"
  dpkg -x "$(ls "$cache"/python3-firewall_*.deb | head -1)" "$root.tmp"
  dpkg-deb -f "$deb" Version > "$root.tmp/.version"
  rm -f "$cache"/firewalld_*.deb "$cache"/python3-firewall_*.deb
  mv "$root.tmp" "$root"
  state="unpacked"
fi
if ! PYTHONPATH="$root/usr/lib/python3/dist-packages" /usr/bin/python3 -c 'import dbus, gi, nftables, firewall.server.firewalld' 2>/dev/null; then
  echo "firewalld needs Python modules that are not installed (python3-dbus python3-gi python3-nftables gir1.2-glib-2.0):" >&2
  PYTHONPATH="$root/usr/lib/python3/dist-packages" /usr/bin/python3 -c 'import dbus, gi, nftables, firewall.server.firewalld' >&2 || true
  exit 1
fi
command -v dbus-daemon >/dev/null || { echo "firewalld needs dbus-daemon (package dbus-daemon)" >&2; exit 1; }
echo "firewalld $(cat "$root/.version") $state in $root"
