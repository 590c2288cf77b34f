#!/usr/bin/env bash
# Installs what the test suites need on Debian 12 (as root): Chromium for e2e, OpenSSH, strongSwan,
# nftables/iptables, PHP for the pfSense-shaped node, and Libreswan unpacked for the lab. Idempotent.
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
apt-get install -y -qq --no-install-recommends \
  chromium openssh-client openssh-server openssh-sftp-server \
  strongswan-swanctl strongswan-charon strongswan-starter libcharon-extra-plugins libstrongswan-extra-plugins \
  nftables iptables iproute2 iputils-ping procps util-linux php-cli php-xml patch \
  libstrongswan-standard-plugins socat sudo \
  libnss3-tools libnss3 libnspr4 libunbound8 libldns3 libevent-core-2.1-7 libevent-pthreads-2.1-7 \
  libcap-ng0 libcurl3-nss libaudit1 libldap-2.5-0 \
  >/dev/null

echo "== libreswan (unpacked for the lab)"
bash test/lab/prepare.sh

