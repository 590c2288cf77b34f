#!/bin/sh
# Tunnelwright keep-up for {{comment}} ({{slug}}); generated. Runs as root on the gateway, holds no secrets.
# {{nameMarker}}
# AWS never initiates and drops idle tunnels, so the gateway keeps its tunnels up on its own:
#   - charon runs "THIS updown N" (swanctl updown / ipsec.conf leftupdown) when tunnel N's CHILD_SA comes up
#     or goes down; that starts the loop (one per connection set, pidfile) and, route-based, runs the route
#     plumbing;
#   - "THIS run" is the loop: every INTERVAL s it reads both tunnels and
#       route-based: re-initiates a tunnel that has had no SA for GRACE checks in a row (charon's dpd/close
#       actions try once; a peer that refuses that one attempt, as an AWS endpoint under maintenance does,
#       leaves the tunnel down for good) and pings across each tunnel that is up;
#       policy-based: holds exactly one tunnel up (both carry the same selectors, and AWS says only one may
#       be up at a time: on Linux what AWS returns on the other one is dropped, XfrmInTmplMismatch). The
#       other is the standby: closed when it comes up beside the active one, initiated when no tunnel has
#       been up for FAILOVER checks (then each further attempt alternates). No failback: the tunnel that
#       took over stays active. One ping per round keeps the active tunnel from idling out (AWS's own
#       templates ping every 5 s);
#   - the loop ends by itself when this file or the connection file is removed (rollback, uninstall).
# STACK says how to reach charon: swanctl (VICI) or starter (stroke, through the ipsec command IPSEC).
# "THIS start|stop|restart|status" are for hands-on use (apply restarts the loop so that it runs this
# version). Everything is idempotent and logs to syslog (daemon).
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SELF={{self}}
CONF={{conf}}
ROUTE={{routeScript}}
MODE={{routing}}
STACK={{stack}}
IPSEC={{ipsec}}
INTERVAL={{interval}}
GRACE=3
FAILOVER={{failover}}
RUN=/run/tunnelwright
PIDFILE=$RUN/{{slug}}-keepup.pid
STATE=$RUN/{{slug}}-keepup.state
TAG=tunnelwright-{{slug}}

log() { logger -t "$TAG" -p daemon.notice -- "$*" 2>/dev/null || true; }

tunnel() {
  case "$1" in
    1) CONN={{conn1}}; TARGET={{target1}}; SRC={{source1}} ;;
    2) CONN={{conn2}}; TARGET={{target2}}; SRC={{source2}} ;;
    *) echo "tunnelwright: unknown tunnel '$1'" >&2; exit 2 ;;
  esac
}

running() {
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$SELF run"
}

start() {
  mkdir -p "$RUN" && chmod 755 "$RUN"
  running && return 0
  # Fully detached: charon's updown waits until its script's output is closed.
  if command -v setsid >/dev/null 2>&1; then setsid sh "$SELF" run </dev/null >/dev/null 2>&1 &
  else nohup sh "$SELF" run </dev/null >/dev/null 2>&1 & fi
  return 0
}

stop() {
  if running; then
    kill "$pid" 2>/dev/null
    i=0; while [ $i -lt 20 ] && running; do i=$((i + 1)); sleep 0.1; done
  fi
  rm -f "$PIDFILE"
}

# up | connecting | down for tunnel $CONN, from the human list-sas output (one IKE_SA line, child lines).
sa_state() {
  if [ "$STACK" = starter ]; then
    # stroke's status: "<conn>[N]: CONNECTING|ESTABLISHED ..." and "<conn>{N}:  INSTALLED, ..." (child = conn name), the
    # name right-aligned in 12 columns: indented by 12 minus its length, not at all from 12 characters on.
    out=$("$IPSEC" status "$CONN" 2>/dev/null) || { echo down; return; }
    if printf '%s\n' "$out" | grep -Eq "^ *$CONN\{[0-9]+\}: +INSTALLED"; then echo up
    elif printf '%s\n' "$out" | grep -Eq "^ *$CONN\[[0-9]+\]: CONNECTING|^ *$CONN\{[0-9]+\}: +(CREATED|INSTALLING|REKEYING|REKEYED|UPDATING)"; then echo connecting
    else echo down; fi
    return
  fi
  out=$(swanctl --list-sas --ike "$CONN" --noblock 2>/dev/null) || { echo down; return; }
  if printf '%s\n' "$out" | grep -Eq "^ +$CONN: #[0-9]+, reqid [0-9]+, INSTALLED"; then echo up
  elif printf '%s\n' "$out" | grep -Eq "^$CONN: #[0-9]+, CONNECTING|^ +$CONN: #[0-9]+, reqid [0-9]+, (CREATED|INSTALLING|REKEYING|REKEYED|UPDATING)"; then echo connecting
  else echo down; fi
}

# stroke lists loaded conns only in statusall ("  <conn>:  left...right  IKEv2, ...").
loaded() {
  if [ "$STACK" = starter ]; then "$IPSEC" statusall "$CONN" 2>/dev/null | grep -Eq "^ *$CONN: "
  else swanctl --list-conns 2>/dev/null | grep -q "^$CONN: "; fi
}

terminate() { # closes tunnel $CONN (IKE_SA and CHILD_SA; charon's dpd/close actions do not re-open a local close)
  if [ "$STACK" = starter ]; then
    if command -v timeout >/dev/null 2>&1; then timeout 15 "$IPSEC" down "$CONN" >/dev/null 2>&1; else "$IPSEC" down "$CONN" >/dev/null 2>&1; fi
  else swanctl --terminate --ike "$CONN" --timeout 10 >/dev/null 2>&1; fi
  true
}

initiate() { # in the background: the loop keeps its rhythm while the exchange runs
  if [ "$STACK" = starter ]; then
    # "ipsec up" waits for the outcome, with keyingtries=%forever possibly for ever: bound it.
    if command -v timeout >/dev/null 2>&1; then ( timeout 35 "$IPSEC" up "$CONN" >/dev/null 2>&1 & )
    else ( "$IPSEC" up "$CONN" >/dev/null 2>&1 & ) fi
  else ( swanctl --initiate --child "$CONN" --timeout 30 >/dev/null 2>&1 & ); fi
}

ping_once() { # $1 target, $2 source ('' = let the tunnel's route pick it)
  if [ -n "$2" ]; then ping -n -q -c 1 -W 2 -I "$2" "$1" >/dev/null 2>&1; else ping -n -q -c 1 -W 2 "$1" >/dev/null 2>&1; fi
}

# Route-based: every tunnel on its own (each has its own interface and routes).
keep_each() {
  for n in 1 2; do
    tunnel "$n"
    eval "st=\$s$n; miss=\$miss$n; grace=\$grace$n"
    if [ "$st" = down ] && loaded; then
      miss=$((miss + 1))
      if [ "$miss" -ge "$grace" ]; then
        log "tunnel $n ($CONN): no SA for $((miss * INTERVAL))s, initiating"
        initiate
        eval "tries$n=\$((tries$n + 1))"
        miss=0
        # Back off while the peer keeps refusing (at most one attempt a minute).
        [ $((grace * 2 * INTERVAL)) -le 60 ] && grace=$((grace * 2))
      fi
    else
      miss=0
      [ "$st" = up ] && grace=$GRACE
    fi
    # A ping per tunnel to AWS's inside address, through that tunnel's interface.
    if [ "$st" = up ]; then ping_once "$TARGET" "$SRC" && st=up+ping || st=up-noreply; fi
    eval "s$n=\$st; miss$n=\$miss; grace$n=\$grace"
  done
}

# Policy-based: exactly one tunnel up, the other standing by.
hold_one() {
  if [ "$s1" = up ] && [ "$s2" = up ]; then
    o=$((3 - active)); tunnel "$o"
    log "tunnel $o ($CONN): up beside the active tunnel $active, closing it (policy-based: one tunnel at a time)"
    terminate
    eval "s$o=standby"; noneup=0
  elif [ "$s1" = up ] || [ "$s2" = up ]; then
    if [ "$s1" = up ]; then n=1; else n=2; fi
    [ "$n" != "$active" ] && log "tunnel $n is now the active tunnel"
    active=$n; noneup=0; failafter=$FAILOVER
    o=$((3 - n)); tunnel "$o"; eval "so=\$s$o"
    # charon's own retries of a tunnel that failed (keyingtries) would bring it up beside the active one.
    if [ "$so" = connecting ]; then log "tunnel $o ($CONN): standing by, stopping its retries"; terminate; fi
    eval "s$o=standby"
  else
    noneup=$((noneup + 1))
    if [ "$noneup" -ge "$failafter" ]; then
      n=$((3 - active))
      # Failing over: stop charon's own retries of the failed one, or they bring it up beside the new one.
      tunnel "$active"; eval "sa=\$s$active"; [ "$sa" = connecting ] && terminate
      tunnel "$n"
      if loaded; then
        log "no tunnel up for $((noneup * INTERVAL))s: initiating tunnel $n ($CONN)"
        initiate
        eval "tries$n=\$((tries$n + 1))"
        active=$n
      fi
      noneup=0
      # Back off while both peers keep refusing (at most one attempt a minute).
      [ $((failafter * 2 * INTERVAL)) -le 60 ] && failafter=$((failafter * 2))
    fi
  fi
}

run() {
  mkdir -p "$RUN" && chmod 755 "$RUN"
  # One loop per connection set: claim the pidfile, or leave if a live loop holds it.
  if ! ( set -C; echo $$ > "$PIDFILE" ) 2>/dev/null; then
    running && exit 0
    rm -f "$PIDFILE"
    ( set -C; echo $$ > "$PIDFILE" ) 2>/dev/null || exit 0
  fi
  # Remove the pidfile only while it is still ours (a restart may already have claimed it).
  trap '[ "$(cat "$PIDFILE" 2>/dev/null)" = $$ ] && rm -f "$PIDFILE"; log "keep-up stopped"; exit 0' TERM INT HUP
  log "keep-up started (pid $$, every ${INTERVAL}s, $MODE-based)"
  miss1=0; miss2=0; tries1=0; tries2=0; grace1=$GRACE; grace2=$GRACE; last1=; last2=; lastping=
  active=1; noneup=0; failafter=$FAILOVER
  while [ -f "$SELF" ] && [ -f "$CONF" ]; do
    tunnel 1; s1=$(sa_state); tunnel 2; s2=$(sa_state)
    if [ "$MODE" = policy ]; then hold_one; else keep_each; fi
    for n in 1 2; do
      tunnel "$n"; eval "st=\$s$n; last=\$last$n"
      st=$(sa_state_label "$st")
      [ "$st" != "$last" ] && log "tunnel $n ($CONN): $st"
      eval "last$n=\$st"
    done
    # Policy-based: both tunnels carry the same selectors, so one ping goes through whichever SA is active.
    ping=skip
    if [ "$MODE" = policy ] && { [ "$s1" = up ] || [ "$s2" = up ]; }; then
      tunnel 1
      if ping_once "$TARGET" "$SRC"; then ping=ok; else ping=noreply; fi
      [ "$ping" != "$lastping" ] && log "keepalive ping to $TARGET: $ping"
      lastping=$ping
    fi
    extra=; [ "$MODE" = policy ] && extra=" active=$active"
    echo "$(date +%s) t1=$s1 t2=$s2$extra ping=$ping initiated=$tries1,$tries2" > "$STATE.tmp" && mv -f "$STATE.tmp" "$STATE"
    # In the background, so that a stop (TERM) ends the loop at once rather than after the sleep.
    sleep "$INTERVAL" & wait $!
  done
  [ "$(cat "$PIDFILE" 2>/dev/null)" = $$ ] && rm -f "$PIDFILE"
  rm -f "$STATE"
  log "configuration removed: keep-up ends"
}

sa_state_label() { case "$1" in up*) echo up ;; *) echo "$1" ;; esac; }

case "${1:-}" in
  updown)
    if [ -n "$ROUTE" ]; then "$ROUTE" updown "${2:-}" || true; fi
    case "${PLUTO_VERB:-}" in
      up-client|up-host) start ;;
      *) ;;
    esac ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  run) run ;;
  status) if running; then echo "running (pid $pid)"; cat "$STATE" 2>/dev/null; else echo stopped; fi ;;
  *) echo "usage: $0 updown 1|2 | start | stop | restart | status" >&2; exit 2 ;;
esac
exit 0
