#!/bin/sh
# tunnelwright lab: stands in for strongswan.service in a lab VM (no systemd there): charon, then
# `swanctl --load-all`, as Debian's unit does. Installed in the guest as /usr/local/sbin/tw-charon.
# usage: tw-charon start | stop (SIGTERM) | kill (SIGKILL: no DELETE is sent)
set -u
running() { [ -f /run/charon.pid ] && kill -0 "$(cat /run/charon.pid)" 2>/dev/null; }
case "${1:-}" in
  start)
    running && exit 0
    rm -f /run/charon.vici /run/charon.ctl /run/charon.pid
    setsid /usr/lib/ipsec/charon </dev/null >>/var/log/charon.out 2>&1 &
    i=0; while [ ! -S /run/charon.vici ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
    [ -S /run/charon.vici ] || { echo "charon did not open its VICI socket" >&2; exit 1; }
    swanctl --load-all --noprompt >>/var/log/swanctl-load.log 2>&1 || { echo "swanctl --load-all failed" >&2; exit 1; } ;;
  stop|kill)
    running || exit 0
    pid=$(cat /run/charon.pid)
    if [ "$1" = kill ]; then kill -KILL "$pid"; else kill -TERM "$pid"; fi
    i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
    ! kill -0 "$pid" 2>/dev/null ;;
  *) echo "usage: tw-charon start|stop|kill" >&2; exit 2 ;;
esac
