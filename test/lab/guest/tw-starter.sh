#!/bin/sh
# tunnelwright lab: stands in for strongswan-starter.service in a lab VM (no systemd there): starter, which
# starts charon and feeds it ipsec.conf over stroke, as Debian's unit runs it (`ipsec start`).
# Installed in the guest as /usr/local/sbin/tw-starter.
# usage: tw-starter start | stop (ipsec stop) | kill (SIGKILL to starter and charon: no DELETE is sent)
set -u
running() { [ -f /run/starter.charon.pid ] && kill -0 "$(cat /run/starter.charon.pid)" 2>/dev/null; }
case "${1:-}" in
  start)
    running && exit 0
    rm -f /run/charon.vici /run/charon.ctl /run/charon.pid /run/starter.charon.pid
    ipsec start >>/var/log/starter.out 2>&1 || { echo "ipsec start failed" >&2; exit 1; }
    i=0; while { [ ! -S /run/charon.ctl ] || [ ! -S /run/charon.vici ]; } && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
    [ -S /run/charon.ctl ] || { echo "charon did not open its stroke socket" >&2; exit 1; } ;;
  stop)
    ipsec stop >>/var/log/starter.out 2>&1
    i=0; while running && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
    ! running ;;
  kill)
    for f in /run/starter.charon.pid /run/charon.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
    rm -f /run/starter.charon.pid /run/charon.pid /run/charon.ctl /run/charon.vici; true ;;
  *) echo "usage: tw-starter start|stop|kill" >&2; exit 2 ;;
esac
