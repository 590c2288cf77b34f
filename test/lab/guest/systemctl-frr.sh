#!/bin/sh
# STAND-IN: this is not systemd. The lab VMs have no init system beyond busybox, so on a VM with FRR this
# script, installed as /usr/local/sbin/systemctl, does for the "frr" unit what Debian's frr.service (frr
# 8.4.4) does: ExecStart=/usr/lib/frr/frrinit.sh start, ExecStop=… stop, ExecReload=… reload (which runs
# frr-reload.py from frr-pythontools), PIDFile=/var/run/frr/watchfrr.pid, Type=forking (start returns once
# watchfrr has forked; the daemons come up under it). The scripts' output goes to /var/log/frr-service.log
# (systemd's would go to the journal). Not modelled: Restart=on-abnormal, the watchdog, cgroup kills.
# Other units go to the Libreswan stand-in when the guest has one, else to the real systemctl (which fails
# as it does on any machine not booted with systemd).
# usage: systemctl start|stop|restart|reload|try-reload-or-restart|reload-or-restart|kill|is-active|status|is-enabled|daemon-reload frr[.service]
verb="${1:-}"; unit="${2%.service}"
[ "$verb" = daemon-reload ] && exit 0
if [ "$unit" != frr ]; then
  [ -x /usr/local/lib/tw-lab/systemctl-ipsec ] && exec /usr/local/lib/tw-lab/systemctl-ipsec "$@"
  exec /usr/bin/systemctl "$@"
fi
PID=/var/run/frr/watchfrr.pid
INIT=/usr/lib/frr/frrinit.sh
LOG=/var/log/frr-service.log
FAILED=/run/tw-lab-frr.failed
running() { [ -f $PID ] && kill -0 "$(cat $PID)" 2>/dev/null; }
start() {
  running && return 0
  rm -f $FAILED
  if $INIT start >>$LOG 2>&1 && running; then return 0; fi
  : > $FAILED
  echo "Job for frr.service failed because the control process exited with error code." >&2
  return 1
}
stop() {
  rm -f $FAILED
  running || { $INIT stop >>$LOG 2>&1; return 0; }
  $INIT stop >>$LOG 2>&1
  # What systemd does after ExecStop (KillMode=control-group): anything of the unit still running goes.
  for f in /var/run/frr/*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
  rm -f /var/run/frr/*.pid
  true
}
reload() {
  if ! running; then echo "frr.service is not active, cannot reload." >&2; return 1; fi
  $INIT reload >>$LOG 2>&1 && return 0
  echo "Job for frr.service failed because the control process exited with error code." >&2
  return 1
}
case "$verb" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  reload) reload ;;
  try-reload-or-restart) if running; then reload; else true; fi ;;
  reload-or-restart) if running; then reload; else start; fi ;;
  # A hard stop (SIGKILL to watchfrr and every FRR daemon): what a crash or a pulled plug leaves.
  kill) for f in /var/run/frr/*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done; rm -f /var/run/frr/*.pid; true ;;
  is-active)
    if running; then echo active
    elif [ -f $FAILED ]; then echo failed; exit 3
    else echo inactive; exit 3; fi ;;
  status)
    if running; then echo "● frr.service - FRRouting (lab stand-in; watchfrr pid $(cat $PID))"; echo "     Active: active (running)"
    else echo "○ frr.service - FRRouting (lab stand-in)"; echo "     Active: inactive (dead)"; exit 3; fi ;;
  is-enabled) echo enabled ;;
  *) echo "lab systemctl stand-in: $verb not supported for frr" >&2; exit 1 ;;
esac
