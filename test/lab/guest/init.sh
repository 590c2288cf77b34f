#!/bin/sh
# Sysinit of a lab VM (busybox init runs it at every boot; output goes to the serial console, console.log
# on the host). Written into the VM's share by test/lab/vm-guest.ts with guest.env, nics, sysctls,
# net.batch, shares, remove, provision.sh, files/ and setup.sh beside it. Under TCG every process start
# costs, so this script uses shell builtins and the static busybox wherever it can.
# The first boot provisions the guest (packages' /etc as a fresh install shows it, the node's files,
# users); a VM whose upper layer is a disk keeps that across a power-off, and later boots only do what a
# real machine does at every boot (mounts, modules, sysctls, addresses, services).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
L=/run/lab
B=/bin/busybox
MARK=/var/lib/tw-lab/provisioned
say() { read -r t _ < /proc/uptime; echo "tw-guest: $* (uptime $t)"; }
fail() { read -r t _ < /proc/uptime; echo "TW-GUEST-FAILED $* (uptime $t)"; exit 1; }
. $L/guest.env
say "init"
# This machine's scratch, home and log folders stay out of the guest.
$B mount -t tmpfs -o mode=1777 tw-tmp /tmp
$B mount -t tmpfs -o mode=1777 tw-vartmp /var/tmp
$B mount -t tmpfs -o mode=0700 tw-root /root
$B mount -t tmpfs -o mode=0755 tw-home /home
$B mount -t tmpfs -o mode=0755 tw-log /var/log
$B mkdir -p /dev/pts /dev/shm /run/sshd /run/lock /usr/local/sbin
$B mount -t devpts -o gid=5,mode=620 devpts /dev/pts
$B mount -t tmpfs tw-shm /dev/shm
# Extra read-only 9p shares (e.g. the unpacked Libreswan tree): "tag guest-path" per line.
while read -r tag at; do
  $B mkdir -p "$at" && $B mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro,cache=loose "$tag" "$at" || fail "9p share $tag"
done < $L/shares
# A syslog, as a gateway has one (logger(1) from the app's scripts lands in /var/log/messages).
$B syslogd -O /var/log/messages || fail syslogd

# This machine has no kmod: busybox's module tools read the guest kernel's /lib/modules. Autoloads are logged.
cat > /usr/local/sbin/modprobe <<'W'
#!/bin/sh
# tunnelwright lab: busybox modprobe (this machine has no kmod). AF_ALG is refused: strongSwan's af-alg
# plugin would otherwise autoload ~30 crypto modules one by one on charon's first start (~15 s under TCG).
echo "modprobe $*" >> /run/lab/modprobe.log
for a in "$@"; do case "$a" in net-pf-38|af_alg|algif_*) exit 1 ;; esac; done
exec /bin/busybox modprobe "$@"
W
$B chmod 755 /usr/local/sbin/modprobe
for a in lsmod rmmod insmod modinfo depmod; do $B ln -sf $B /usr/local/sbin/$a; done
echo /usr/local/sbin/modprobe > /proc/sys/kernel/modprobe
$B modprobe -a $TW_MODULES || fail "modprobe $TW_MODULES"
say "modules loaded"

echo "$TW_HOSTNAME" > /proc/sys/kernel/hostname
while read -r key value; do echo "$value" > "/proc/sys/$key" || fail "sysctl $key"; done < $L/sysctls
# NICs get their names by MAC, whatever order the kernel probed them in.
{
  while read -r name mac; do
    for d in /sys/class/net/*; do read -r a < "$d/address"; [ "$a" = "$mac" ] && echo "link set dev ${d##*/} name tw-$name"; done
  done < $L/nics
  while read -r name mac; do echo "link set dev tw-$name name $name"; done < $L/nics
  echo "link set lo up"
  cat $L/net.batch
} > /tmp/net.batch
ip -batch /tmp/net.batch || fail "ip -batch (net.batch)"

if [ -f $MARK ]; then
  read -r n < $MARK; n=$((n + 1)); echo "$n" > $MARK
  say "boot $n: provisioned at the first boot, kept on disk"
else
  echo "$TW_HOSTNAME" > /etc/hostname
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$TW_HOSTNAME" > /etc/hosts
  # The IPsec folders as a fresh install shows them (files no package owns are removed), the packages a
  # stock gateway lacks hidden, the node kind's own provisioning, then this node's files and users.
  [ -s $L/remove ] && $B xargs $B rm -f < $L/remove
  if [ -f $L/provision.sh ]; then sh -e $L/provision.sh || fail "provision.sh"; fi
  while read -r mode path owner; do
    $B mkdir -p "${path%/*}" && $B cp "$L/files$path" "$path" && $B chmod "$mode" "$path" || fail "file $path"
    if [ -n "$owner" ]; then $B chown "$owner" "$path" || fail "chown $owner $path"; fi
  done < $L/files.list
  if [ -f $L/setup.sh ]; then sh $L/setup.sh < $L/setup.in || fail "setup.sh"; $B rm -f $L/setup.in; fi
  $B mkdir -p ${MARK%/*} && echo 1 > $MARK
  say "configured"
fi

# sshd and the IPsec daemon start side by side (each waits for 9p reads the other can use the vCPU for).
pids=""
for s in $TW_SERVICES; do
  case "$s" in
    sshd) (/usr/sbin/sshd -f $L/sshd_config -E /var/log/sshd.log || exit 1
           i=0; while [ ! -s /run/sshd.pid ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
           [ -s /run/sshd.pid ]) & pids="$pids $!:sshd" ;;
    charon) tw-charon start & pids="$pids $!:charon" ;;
    starter) tw-starter start & pids="$pids $!:starter" ;;
    pluto) systemctl start ipsec & pids="$pids $!:pluto" ;;
    # frr.service (the stand-in returns once watchfrr forked, as systemd's Type=forking does); the guest is
    # ready once watchfrr says every daemon is up. /var/log is this guest's tmpfs: the folder the package
    # made there is made again at every boot.
    frr) ($B mkdir -p /var/log/frr && $B chown frr:frr /var/log/frr && $B chmod 750 /var/log/frr || exit 1
          systemctl start frr || exit 1
          i=0; until $B grep -q 'all daemons up' /var/log/messages 2>/dev/null || [ $i -ge 1200 ]; do sleep 0.1; i=$((i+1)); done
          [ $i -lt 1200 ]) & pids="$pids $!:frr" ;;
    *) fail "unknown service $s" ;;
  esac
done
for p in $pids; do wait "${p%%:*}" || fail "${p#*:} did not start"; say "${p#*:} started"; done
read -r t _ < /proc/uptime
echo "TW-GUEST-READY uptime=$t"
