#!/usr/bin/env bash
# Installs what the test suites need on Debian 12 (as root): Chromium for e2e, OpenSSH, strongSwan,
# nftables/iptables, PHP for the pfSense-shaped node, ufw (disabled), Libreswan, FRR and firewalld unpacked for
# the lab, and QEMU with Debian's stock kernel (unpacked, never installed) for the lab's VM nodes. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

export DEBIAN_FRONTEND=noninteractive
echo "== apt packages"
apt-get update -qq
# chromium: e2e. openssh-server/-sftp-server: gateway nodes. strongswan-*: the aws node and the
# swanctl/starter gateways (libcharon-extra-plugins has kernel-libipsec: this kernel has no ESP).
# nftables/iptables/iproute2: lab topology and firewall checks. php-cli: the pfSense-shaped node.
# (ansible, the apply benchmark's baseline, is not needed: no benchmark runs in tests.)
# Libreswan is unpacked, not installed (test/lab/prepare.sh);
# the libnss3…libldap line is what its pluto needs at run time. socat: the lab's SSH relay. sudo: the
# lab's sudo-user gateways. libstrongswan-standard-plugins: openssl/agent (swanctl is quiet without them).
# qemu-system-x86, busybox-static, xz-utils: the lab's VM nodes (TCG guests with Debian's stock kernel: this
# machine's kernel has no ESP, XFRM interfaces or VTI); the kernel itself is unpacked by test/lab/prepare-vm.sh.
# libc-ares2 … libreadline8: what FRR's bgpd and vtysh need at run time (FRR itself is unpacked, test/lab/prepare-frr.sh).
apt-get install -y -qq --no-install-recommends \
  chromium openssh-client openssh-server openssh-sftp-server \
  strongswan-swanctl strongswan-charon strongswan-starter libcharon-extra-plugins libstrongswan-extra-plugins \
  nftables iptables iproute2 iputils-ping procps util-linux php-cli php-xml patch \
  libstrongswan-standard-plugins socat sudo \
  libnss3-tools libnss3 libnspr4 libunbound8 libldns3 libevent-core-2.1-7 libevent-pthreads-2.1-7 \
  libcap-ng0 libcurl3-nss libaudit1 libldap-2.5-0 \
  qemu-system-x86 busybox-static xz-utils \
  libc-ares2 libyang2 libjson-c5 libcap2 libreadline8 \
  >/dev/null

echo "== ufw and firewalld's dependencies (front-end firewall tests)"
# ufw is installed but stays disabled (ENABLED=no: its init script does nothing); the tests run it only inside
# throwaway namespaces with a private /etc/ufw. No service may start during the install: a temporary policy-rc.d.
# firewalld itself is NEVER installed (its maintainer scripts may start it here and firewall this machine): only its
# dependencies; test/lab/prepare-frontends.sh unpacks it into .lab-cache/firewalld.
echo 'ufw ufw/enable boolean false' | debconf-set-selections
own_policy=no
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
  own_policy=yes
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
frontends="ufw python3-dbus python3-gi python3-nftables gir1.2-glib-2.0 dbus-daemon"
if apt-get install -s -qq --no-install-recommends $frontends | grep -q '^Inst firewalld '; then
  echo "refusing: installing $frontends would pull in firewalld" >&2
  exit 1
fi
apt-get install -y -qq --no-install-recommends $frontends >/dev/null
if [ "$own_policy" = yes ]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi

echo "== libreswan (unpacked for the lab)"
bash test/lab/prepare.sh

echo "== frr (unpacked for the BGP render and status tests, never installed)"
bash test/lab/prepare-frr.sh

echo "== firewalld (unpacked for the front-end firewall tests, never installed)"
bash test/lab/prepare-frontends.sh

echo "== Debian's stock kernel for the lab's VM nodes (unpacked, never installed)"
bash test/lab/prepare-vm.sh
