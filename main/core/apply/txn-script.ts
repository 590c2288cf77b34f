// The transaction that runs on the gateway itself, detached from the SSH session.
//
// The app uploads this script and starts it with nohup; from then on the gateway needs nothing from
// the app except a confirmation. Steps: lock → settle an unfinished earlier transaction → back up →
// write our files atomically → validate → activate → initiate → verify → wait for confirm. Without a
// confirmation before the deadline (or on any failure, or on an abort request) it restores the backup
// and reloads. A cut SSH link at any moment therefore leaves the old or the new state, never between —
// the "commit confirmed" that Linux IPsec stacks and pfSense lack.
import type { StackProfile } from '../gateway/stacks'
import { quoteSh } from '../ssh/quote'

/** A file we own on the gateway, as it should be after apply. */
export interface DesiredFile {
  readonly path: string
  readonly mode: number
  readonly content: string
  /** Holds a secret: never shown in plans, diagnostics or logs. */
  readonly secret: boolean
}

/** The parameters of one transaction. */
export interface TxnSpec {
  readonly id: string
  /** Root-owned state folder on the gateway (/var/lib/tunnelwright; /var/db/tunnelwright on pfSense). */
  readonly baseDir: string
  readonly files: readonly DesiredFile[]
  /** Files of ours to remove (e.g. left from an earlier name). */
  readonly remove: readonly string[]
  /** Lines that must be present in a file the user owns (an include of ours); appended when missing. */
  readonly ensureLines?: readonly { readonly path: string; readonly line: string }[]
  /**
   * Files the stack itself rewrites during activation (pfSense's config.xml, written by write_config()):
   * backed up and restored on revert and rollback like ours, never written by the transaction.
   */
  readonly backupOnly?: readonly string[]
  readonly stack: StackProfile
  /** Seconds from activation until the gateway reverts on its own unless confirmed. */
  readonly confirmWithin: number
  /** Seconds to wait for the tunnels to come up before reporting VERIFY-TIMEOUT. */
  readonly verifyWithin: number
}

const ID_RE = /^[A-Za-z0-9-]{1,64}$/
const PATH_RE = /^\/[A-Za-z0-9._/-]+$/

function assertPath(p: string): void {
  if (!PATH_RE.test(p) || p.split('/').includes('..')) throw new Error(`unsafe gateway path: ${JSON.stringify(p)}`)
}


/** Generates the transaction script (POSIX sh: runs on Debian, RHEL and pfSense's FreeBSD sh). */
/**
 * sh function: is transaction $2's own process (pid $1) still running? A zombie is not (an init that is slow
 * to reap — seen on a firecracker VM — kept a killed transaction "busy" for seconds), and neither is a pid
 * the kernel has since given to another program (after a reboot). Without ps it trusts kill -0.
 */
export const TXN_ALIVE_SH = `txn_alive() { kill -0 "$1" 2>/dev/null || return 1; st=$(ps -o stat= -p "$1" 2>/dev/null) || return 0; case "$st" in *Z*) return 1;; esac; case "$(ps -o args= -p "$1" 2>/dev/null)" in *"$2"*) return 0;; *) return 1;; esac; }`

export function toTxnScript(spec: TxnSpec): string {
  if (!ID_RE.test(spec.id)) throw new Error(`unsafe transaction id: ${spec.id}`)
  assertPath(spec.baseDir)
  for (const f of spec.files) assertPath(f.path)
  for (const p of spec.remove) assertPath(p)
  for (const p of spec.backupOnly ?? []) assertPath(p)
  for (const p of spec.stack.plumbing ?? []) assertPath(p)
  for (const e of spec.ensureLines ?? []) {
    assertPath(e.path)
    if (!/^include [A-Za-z0-9._/*-]+$/.test(e.line)) throw new Error(`unsafe line for ${e.path}: ${JSON.stringify(e.line)}`)
  }
  const confirmWithin = Math.max(10, Math.floor(spec.confirmWithin))
  const verifyWithin = Math.max(5, Math.min(Math.floor(spec.verifyWithin), confirmWithin - 5))

  const payload = spec.files
    .map((f, i) => {
      const b64 = Buffer.from(f.content, 'utf8').toString('base64').replace(/.{1,76}/g, '$&\n')
      return `b64d > "$TXN/payload/${i}" <<'TW_PAYLOAD_${i}'\n${b64}TW_PAYLOAD_${i}\n`
    })
    .join('')
  const targets = [
    ...spec.files.map((f, i) => `${i}|${f.mode.toString(8)}|${f.path}`),
    ...spec.remove.map((p) => `-|-|${p}`),
    ...(spec.backupOnly ?? []).map((p) => `=|-|${p}`),
    ...(spec.ensureLines ?? []).map((e) => `+|${e.line}|${e.path}`),
  ].join('\n')
  const plumbing = (spec.stack.plumbing ?? []).join('\n')

  return `#!/bin/sh
# Tunnelwright transaction ${spec.id}. Generated; runs detached on the gateway.
# Reverts on its own unless confirmed within ${confirmWithin} s of activation.
set -u
umask 077
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
BASE=${quoteSh(spec.baseDir)}
ID=${quoteSh(spec.id)}
TXN="$BASE/txn/$ID"
BK="$BASE/backups/$ID"
ERR="$TXN/err"
PROGRESS="$TXN/progress"

say() { printf '%s %s\\n' "$(date +%s)" "$*" >> "$PROGRESS"; }
b64d() { if command -v base64 >/dev/null 2>&1; then base64 -d; else openssl base64 -d; fi; }
release() { rm -rf "$BASE/lock"; }
${TXN_ALIVE_SH}

reload_stack() {
${indent(spec.stack.reload, 2)}
}

# Put back what the backup manifest says: files that existed get their old bytes and mode, new ones go.
# A plumbing script the change created tears its interfaces, addresses and routes down before it goes.
restore() { # [$1 = backup folder, default ours]
  from="\${1:-$BK}"
  [ -f "$from/manifest" ] || return 0
  while IFS='|' read -r n mode path; do
    [ -n "$path" ] || continue
    if [ "$n" = "absent" ]; then
      if [ -f "$path" ] && [ -f "$from/plumbing" ] && grep -qxF "$path" "$from/plumbing"; then sh "$path" teardown >> "$from/teardown.out" 2>&1; fi
      rm -f "$path"
    else cp -p "$from/files/$n" "$path.tw-restore" && mv -f "$path.tw-restore" "$path"; fi
  done < "$from/manifest"
}

# An earlier transaction died (gateway rebooted, process killed) before it finished: put its backup back.
settle_stale() {
  [ -n "$1" ] && [ -d "$BASE/txn/$1" ] || return 0
  grep -Eq 'COMMITTED|REVERTED|ROLLED-BACK|FAILED prevalidate' "$BASE/txn/$1/progress" 2>/dev/null && return 0
  restore "$BASE/backups/$1"
  printf '%s REVERTED by %s after it died\n' "$(date +%s)" "$ID" >> "$BASE/txn/$1/progress"
  STALE_RESTORED=1
}

undo() { # $1 = step that failed; restore, reload only if the daemon saw the new files, report
  say "FAILED $1 $(head -c 400 "$ERR" 2>/dev/null | tr '\\n' ' ')"
  restore
  [ "$ACTIVATING$STALE_RESTORED" != 00 ] && reload_stack > "$TXN/reload.out" 2>&1
  say "ROLLED-BACK $1"
  rm -rf "$TXN/payload"
  release
  exit 1
}

ACTIVATING=0
STALE_RESTORED=0
mkdir -p "$BASE/txn" "$BASE/backups" && chmod 700 "$BASE"
mkdir -p "$TXN/payload" "$BK/files" || exit 1
: > "$PROGRESS"

# One transaction at a time. An unfinished earlier one (its SSH link was cut) is asked to revert first.
tries=0
while ! mkdir "$BASE/lock" 2>/dev/null; do
  other=$(cat "$BASE/lock/txn" 2>/dev/null || true)
  pid=$(cat "$BASE/lock/pid" 2>/dev/null || true)
  if [ -n "$pid" ] && ! txn_alive "$pid" "$other"; then settle_stale "$other"; rm -rf "$BASE/lock"; continue; fi
  [ -n "$other" ] && [ -d "$BASE/txn/$other" ] && : > "$BASE/txn/$other/abort"
  tries=$((tries + 1))
  if [ "$tries" -gt 120 ]; then say "BUSY $other"; exit 1; fi
  sleep 1
done
echo "$$" > "$BASE/lock/pid"
echo "$ID" > "$BASE/lock/txn"
say "STARTED $$"
say "SETTLED $STALE_RESTORED"

# Refuse to start on a configuration tree that is already broken: reloading it would unload everything.
: > "$ERR"
( ${spec.stack.validate} ) >> "$ERR" 2>&1 || { say "FAILED prevalidate $(head -c 400 "$ERR" | tr '\\n' ' ')"; release; exit 1; }

${payload}
cat > "$TXN/targets" <<'TW_TARGETS'
${targets}
TW_TARGETS

# Back up every file we are about to replace or remove (or note that it did not exist).
: > "$BK/manifest"
while IFS='|' read -r n mode path; do
  [ -n "$path" ] || continue
  if [ -e "$path" ]; then cp -p "$path" "$BK/files/$(echo "$path" | tr '/' '_')" || undo backup
    echo "$(echo "$path" | tr '/' '_')|keep|$path" >> "$BK/manifest"
  else echo "absent|-|$path" >> "$BK/manifest"; fi
done < "$TXN/targets"
cat > "$BK/reload.sh" <<'TW_RELOAD'
${spec.stack.reload}
TW_RELOAD
cat > "$BK/plumbing" <<'TW_PLUMBING'
${plumbing}
TW_PLUMBING
say "BACKED-UP $ID"

# Write atomically: temp file beside the target (a name no include glob matches), mode, then rename.
while IFS='|' read -r n mode path; do
  [ -n "$path" ] || continue # an empty target list is one blank line
  if [ "$n" = "=" ]; then continue; fi # backed up only: the stack rewrites it on activation
  if [ "$n" = "-" ]; then rm -f "$path" || undo write; continue; fi
  if [ "$n" = "+" ]; then # append our include line to the user's file, keeping everything else
    grep -qxF "$mode" "$path" 2>/dev/null && continue
    if [ -e "$path" ]; then cp -p "$path" "$path.tw-new" || undo write; else : > "$path.tw-new"; fi
    printf '%s\n' "$mode" >> "$path.tw-new" && mv -f "$path.tw-new" "$path" || undo write
    continue
  fi
  mkdir -p "$(dirname "$path")" || undo write
  # A file that is there keeps its owner and group (FRR's frr.conf is frr:frr; its daemons must still read it).
  if [ -f "$path" ]; then cp -p "$path" "$path.tw-new" && cat "$TXN/payload/$n" > "$path.tw-new"; else cp "$TXN/payload/$n" "$path.tw-new"; fi &&
    chmod "$mode" "$path.tw-new" && mv -f "$path.tw-new" "$path" || { rm -f "$path.tw-new"; undo write; }
done < "$TXN/targets"
rm -rf "$TXN/payload"
say "WRITTEN"

: > "$ERR"
( ${spec.stack.validate} ) >> "$ERR" 2>&1 || undo validate
say "VALIDATED"

ACTIVATING=1
DEADLINE=$(( $(date +%s) + ${confirmWithin} ))
echo "$DEADLINE" > "$TXN/deadline"
: > "$ERR"
# Some daemons report a refused load only on stdout (Libreswan's whack): keep it for the message.
( ${spec.stack.activate} ) > "$TXN/activate.out" 2> "$ERR" || { cat "$TXN/activate.out" >> "$ERR"; undo activate; }
if grep -Eq ${quoteSh(spec.stack.activateErrors)} "$ERR" "$TXN/activate.out"; then cat "$TXN/activate.out" >> "$ERR"; undo activate; fi
say "ACTIVATED $DEADLINE"

${spec.stack.initiate.map((c) => `( ${c} ) > /dev/null 2>&1 &`).join('\n')}
say "INITIATED"

VERIFY_END=$(( $(date +%s) + ${verifyWithin} ))
verified=0
while :; do
  if ( ${spec.stack.isUp} ) > /dev/null 2>&1; then verified=1; break; fi
  if [ "$(date +%s)" -ge "$VERIFY_END" ] || [ -e "$TXN/abort" ]; then break; fi
  sleep 0.2
done
if [ "$verified" = 1 ]; then say "VERIFIED"; else say "VERIFY-TIMEOUT"; fi

# Wait for the app's confirmation; anything else reverts.
while [ "$(date +%s)" -lt "$DEADLINE" ]; do
  if [ -e "$TXN/confirmed" ]; then
    echo "$ID" > "$BASE/last-backup"
    say "COMMITTED"
    release
    exit 0
  fi
  [ -e "$TXN/abort" ] && break
  sleep 0.1
done
restore
reload_stack > "$TXN/reload.out" 2>&1
say "REVERTED"
release
exit 1
`
}

function indent(s: string, n: number): string {
  return s
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n')
}

/** The launcher fed on stdin to a one-word `sh` (pfSense 2.4 runs only the first word of an exec). */
export function toTxnLauncher(spec: TxnSpec): string {
  const script = toTxnScript(spec)
  const dir = `${spec.baseDir}/txn/${spec.id}`
  return `umask 077
mkdir -p ${quoteSh(dir)} || exit 1
cat > ${quoteSh(`${dir}/run.sh`)} <<'TW_TXN_SCRIPT_END'
${script}TW_TXN_SCRIPT_END
nohup sh ${quoteSh(`${dir}/run.sh`)} > ${quoteSh(`${dir}/run.log`)} 2>&1 < /dev/null &
echo "TW-STARTED $!"
`
}
