#!/usr/bin/env bash
# Fetches Debian's stock kernel for the lab's QEMU guests (idempotent): the package linux-image-amd64
# depends on, downloaded with apt-get download and unpacked into .lab-cache/kernel/<version>/ (git-ignored),
# never installed on this machine. Its module index is built with busybox depmod (this machine has no kmod).
# The uncompressed vmlinux and the initramfs are made on first use by test/lab/vm-image.ts, cached per
# kernel version. Needs qemu-system-x86 and busybox-static (test/tools/setup-debian.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=.lab-cache/kernel
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$pkg" ]; then
  echo "apt-cache depends linux-image-amd64 names no kernel package (apt-get update first?)" >&2
  exit 1
fi
kver=${pkg#linux-image-}
root="$cache/$kver"
if [ -f "$root/boot/vmlinuz-$kver" ] && [ -f "$root/lib/modules/$kver/modules.dep" ] && [ -f "$root/.version" ]; then
  state="already unpacked"
else
  mkdir -p "$cache"
  rm -rf "$root" "$root.tmp" "$cache"/linux-image-*.deb
  # apt-get download writes into the current directory (as root it warns that _apt cannot: harmless)
  (cd "$cache" && apt-get download "$pkg" >/dev/null 2>&1)
  deb=$(ls "$cache"/"${pkg}"_*.deb | head -1)
  dpkg -x "$deb" "$root.tmp"
  dpkg-deb -f "$deb" Version > "$root.tmp/.version"
  rm -f "$deb"
  busybox depmod -b "$root.tmp" "$kver"
  mv "$root.tmp" "$root"
  state="unpacked"
fi
# Older kernels (a previous Debian point release) are dropped; the lab always boots the current one.
for d in "$cache"/*/; do
  d=${d%/}
  [ "$d" = "$root" ] || rm -rf "$d"
done
echo "$kver" > "$cache/current.tmp" && mv "$cache/current.tmp" "$cache/current"
echo "kernel $kver ($(cat "$root/.version")) $state in $root"
