#!/bin/sh
# PID 1 of the lab VMs' initramfs (busybox; built by test/lab/vm-image.ts). Mounts this machine's / over 9p
# read-only under an overlay, Debian's kernel modules over 9p, the VM's share folder as /run/lab, and
# hands over to busybox init (reaps orphans, handles poweroff), whose only entry is the share's init.sh.
# The overlay's upper layer is a tmpfs, or with `tw.disk` on the kernel command line the ext4 disk
# /dev/vda, which keeps what the guest wrote (/etc, /usr, /var/lib) across a power-off.
# 9p cache=loose: nothing on the host changes under a running guest's feet.
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
fail() { echo "TW-GUEST-FAILED initramfs: $*"; echo o > /proc/sysrq-trigger; poweroff -f; }
say() { read -r t _ < /proc/uptime; echo "tw-initrd: $* (uptime $t)"; }
say start
for m in /mods/*.ko; do insmod "$m" || fail "insmod $m"; done
say "modules loaded"
o=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o "$o,ro,cache=loose" hostroot /lower || fail "9p hostroot"
read -r cmdline < /proc/cmdline
case " $cmdline " in
  *" tw.disk "*)
    for m in /mods/disk/*.ko; do insmod "$m" || fail "insmod $m"; done
    i=0; while [ ! -b /dev/vda ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
    mount -t ext4 -o noatime /dev/vda /rw || fail "ext4 disk /dev/vda"
    say "disk mounted" ;;
  *) mount -t tmpfs -o mode=0755 tw-rw /rw ;;
esac
mkdir -p /rw/up /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/up,workdir=/rw/work tw-root /newroot || fail overlay
mkdir -p /newroot/lib/modules
mount -t 9p -o "$o,ro,cache=loose" modules /newroot/lib/modules || fail "9p modules"
mount -t tmpfs -o mode=0755 tw-run /newroot/run; mkdir -p /newroot/run/lab
mount -t 9p -o "$o" share /newroot/run/lab || fail "9p share"
printf '::sysinit:/bin/sh /run/lab/init.sh\n' > /newroot/etc/inittab
say "root mounted"
for d in proc sys dev; do mount --move /$d /newroot/$d; done
exec switch_root /newroot /bin/busybox init
