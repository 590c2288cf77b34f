#!/bin/sh
# STAND-IN: this is not systemd. The lab VMs have no init system beyond busybox, so on a Libreswan VM this
# script, installed as /usr/local/sbin/systemctl, does for the "ipsec" unit what Debian's libreswan
# ipsec.service does (ExecStartPre checks, pluto --nofork, whack --shutdown, the ExecStopPost flush) and
# runs the ExecStartPost= lines of its drop-ins in /etc/systemd/system/ipsec.service.d/*.conf, as systemd
# would. pluto logs to /var/log/pluto.log (Debian's logs to the journal). Any other unit is refused.
# usage: systemctl start|stop|restart|kill|is-active|status|daemon-reload [ipsec[.service]]
verb="${1:-}"; unit="${2%.service}"
PID=/run/pluto/pluto.pid
[ "$verb" = daemon-reload ] && exit 0
[ "$unit" = ipsec ] || { echo "lab systemctl stand-in: unit ${2:-} not known here" >&2; exit 5; }
running() { [ -f $PID ] && kill -0 "$(cat $PID)" 2>/dev/null; }
poststart() {
  for f in /etc/systemd/system/ipsec.service.d/*.conf; do
    [ -f "$f" ] || continue
    sed -n 's/^ExecStartPost=[-@+!]*//p' "$f" | while read -r cmd; do sh -c "$cmd" </dev/null >>/var/log/ipsec-poststart.log 2>&1; done
  done
}
start() {
  running && return 0
  mkdir -p /run/pluto
  /usr/libexec/ipsec/addconn --config /etc/ipsec.conf --checkconfig || return 1
  /usr/sbin/ipsec --checknss >/dev/null || return 1
  rm -f /run/pluto/pluto.ctl $PID
  setsid /usr/libexec/ipsec/pluto --leak-detective --config /etc/ipsec.conf --nofork --logfile /var/log/pluto.log </dev/null >>/var/log/pluto.out 2>&1 &
  i=0; while [ ! -S /run/pluto/pluto.ctl ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
  [ -S /run/pluto/pluto.ctl ] || return 1
  poststart
}
stop() {
  running || return 0
  pid=$(cat $PID)
  /usr/libexec/ipsec/whack --shutdown >/dev/null 2>&1
  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
  ip xfrm policy flush; ip xfrm state flush
  rm -f /run/pluto/pluto.ctl $PID
}
case "$verb" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  # A hard stop (SIGKILL, no DELETE sent): what a crash or a pulled plug leaves.
  kill) running && kill -KILL "$(cat $PID)"; rm -f /run/pluto/pluto.ctl $PID; true ;;
  reload|try-reload-or-restart|reload-or-restart) running && /usr/sbin/ipsec auto --rereadall || start ;;
  is-active) if running; then echo active; else echo inactive; exit 3; fi ;;
  status) if running; then echo "ipsec.service - lab stand-in (pluto pid $(cat $PID))"; echo "   Active: active (running)"; else echo "   Active: inactive (dead)"; exit 3; fi ;;
  is-enabled) echo enabled ;;
  *) echo "lab systemctl stand-in: $verb not supported" >&2; exit 1 ;;
esac
