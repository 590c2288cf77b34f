// Plan → apply → verify → confirm, and rollback, over any shell on the gateway.
//
// Round trips: plan reads every target in one; apply launches the gateway-side transaction in one,
// follows it in one, confirms in one. Secrets are never read back: secret files are compared by hash.
import { createHash, randomBytes } from 'node:crypto'
import { UserError } from '../base/result'
import type { GatewayShell } from '../gateway/shell'
import { quoteSh } from '../ssh/quote'
import { unifiedDiff } from './diff'
import type { StackProfile } from '../gateway/stacks'
import { toFailedStep, type ApplyStep, type FailedStep } from './steps'
import { toTxnLauncher, TXN_ALIVE_SH, type DesiredFile, type TxnSpec } from './txn-script'

/** What apply will do to one file. */
export interface FileChange {
  readonly path: string
  readonly action: 'create' | 'update' | 'unchanged' | 'remove' | 'append-line'
  readonly secret: boolean
  /** Unified diff; for secret files only a sentence, never content. */
  readonly diff: string
}

/** The plan: what will change, shown before anything is changed. */
export interface Plan {
  readonly changes: readonly FileChange[]
  readonly noop: boolean
  readonly files: readonly DesiredFile[]
  readonly remove: readonly string[]
  readonly ensureLines: readonly { readonly path: string; readonly line: string }[]
  /** An earlier transaction that died before it finished (its backup not yet put back); apply settles it first. */
  readonly interrupted?: string
}

const FILE_TAG = '==TW-FILE '

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** The read-only script that reports each target: content (base64), hash (secrets) or absence. */
export function toReadScript(files: readonly { path: string; secret: boolean }[], ensureLines: readonly { path: string; line: string }[], baseDir?: string): string {
  const parts = files.map((f, i) => {
    const p = quoteSh(f.path)
    const body = f.secret
      ? `{ sha256sum ${p} 2>/dev/null || sha256 -q ${p} 2>/dev/null || openssl dgst -sha256 -r ${p}; } | cut -c1-64`
      : `{ base64 < ${p} 2>/dev/null || openssl base64 < ${p}; } | tr -d '\\n'; echo`
    return `echo ${quoteSh(`${FILE_TAG}${i}`)}; if [ -f ${p} ]; then ${body}; else echo ABSENT; fi`
  })
  const lines = ensureLines.map((e, i) => `echo ${quoteSh(`${FILE_TAG}line${i}`)}; if grep -qxF ${quoteSh(e.line)} ${quoteSh(e.path)} 2>/dev/null; then echo PRESENT; else echo MISSING; fi`)
  // A transaction in progress (live pid: BUSY <id> <deadline>) or one that died (STALE <id>) makes the
  // files on disk an in-between state: a plan against them would call a half-applied change "unchanged".
  const lock = baseDir === undefined ? [] : [TXN_ALIVE_SH, `echo ${quoteSh(`${FILE_TAG}lock`)}; B=${quoteSh(baseDir)}; if [ -d "$B/lock" ]; then t=$(cat "$B/lock/txn" 2>/dev/null); p=$(cat "$B/lock/pid" 2>/dev/null); if [ -z "$p" ] || txn_alive "$p" "$t"; then echo "BUSY $t $(cat "$B/txn/$t/deadline" 2>/dev/null) $(date +%s)"; else echo "STALE $t"; fi; else echo NONE; fi`]
  return ['LC_ALL=C; export LC_ALL', ...parts, ...lines, ...lock, `echo ${quoteSh(`${FILE_TAG}end`)}`].join('\n')
}

/** Parses the read script's output into per-target states. */
export function parseReadOutput(out: string): Map<string, string> {
  const map = new Map<string, string>()
  let key: string | undefined
  for (const line of out.split('\n')) {
    if (line.startsWith(FILE_TAG)) key = line.slice(FILE_TAG.length).trim()
    else if (key !== undefined && !map.has(key)) map.set(key, line.trim())
  }
  return map
}

/** Builds the plan by reading what is on the gateway now (one round trip); changes nothing. */
export async function planApply(shell: GatewayShell, desired: readonly DesiredFile[], ensureLines: readonly { path: string; line: string }[] = [], opts: { readonly baseDir?: string } = {}): Promise<Plan> {
  const r = await shell.runScript(toReadScript(desired, ensureLines, opts.baseDir), { timeoutMs: 30_000 })
  if (r.code !== 0) throw new UserError('plan-read', 'Could not read the current configuration on the gateway.', { likelyCause: r.stderr.slice(0, 300), fix: 'Check that the login can run commands as root (or with sudo).' })
  const state = parseReadOutput(r.stdout)
  const lock = (state.get('lock') ?? 'NONE').split(' ')
  if (lock[0] === 'BUSY') {
    const left = Number(lock[2]) - Number(lock[3])
    throw new UserError('gateway-busy', `A change (${lock[1] ?? '?'}) is still running on the gateway.`, {
      likelyCause: Number.isFinite(left) && left > 0 ? `It is waiting for its confirmation and reverts by itself in ${left} s unless confirmed.` : 'It has not reached its confirmation step yet (another app or CLI run, or one whose link was cut).',
      fix: `Wait ${Number.isFinite(left) && left > 0 ? `${left + 5} s` : 'a minute'} and run it again; nothing was changed.`,
    })
  }
  const interrupted = lock[0] === 'STALE' ? lock[1] : undefined
  const changes: FileChange[] = desired.map((f, i) => {
    const now = state.get(String(i))
    if (now === undefined) throw new UserError('plan-read', `The gateway did not report ${f.path}.`, { fix: 'Run the plan again; if it persists, send the diagnostics bundle.' })
    const absent = now === 'ABSENT'
    if (f.secret) {
      const same = !absent && now === sha256(f.content)
      return { path: f.path, action: absent ? 'create' : same ? 'unchanged' : 'update', secret: true, diff: absent ? `new file (mode ${f.mode.toString(8)}, holds pre-shared keys: not shown)` : same ? '' : 'contents change (holds pre-shared keys: not shown)' }
    }
    const before = absent ? undefined : Buffer.from(now, 'base64').toString('utf8')
    const action = absent ? 'create' : before === f.content ? 'unchanged' : 'update'
    return { path: f.path, action, secret: false, diff: action === 'unchanged' ? '' : unifiedDiff(f.path, before, f.content) }
  })
  const lineChanges: FileChange[] = ensureLines.map((e, i) => {
    const present = state.get(`line${i}`) === 'PRESENT'
    return { path: e.path, action: present ? 'unchanged' : 'append-line', secret: false, diff: present ? '' : `+${e.line}` }
  })
  const all = [...changes, ...lineChanges]
  // After an interrupted transaction every file is rewritten: its backup goes back first, so "unchanged" here may not be.
  return { changes: all, noop: interrupted === undefined && all.every((c) => c.action === 'unchanged'), files: desired, remove: [], ensureLines, ...(interrupted ? { interrupted } : {}) }
}

/** One step of apply as the user sees it. */
export interface ApplyProgress {
  readonly step: ApplyStep
  readonly at: number
  readonly detail: string
}

/** How apply ended. */
export interface ApplyResult {
  readonly outcome: 'no-change' | 'committed' | 'reverted' | 'rolled-back' | 'failed'
  readonly txnId?: string
  readonly steps: readonly ApplyProgress[]
  /** For failures: the step that failed and what the gateway said (secrets never included). */
  readonly failedStep?: FailedStep
  readonly detail?: string
  /** For failures: what the user can do about it. */
  readonly fix?: string
}

/** What to do when a step fails (the gateway's own words are in `detail`). */
export function toStepFix(step: string, detail = ''): string {
  if (/ikev1-policy|does not allow IKEv1/.test(detail)) {
    return 'This Libreswan drops IKEv1 by default (Libreswan ≥ 5, Debian ≥ 4.5-2), and cloud.gov requires IKEv1: add `ikev1-policy=accept` to the `config setup` section of ipsec.conf and restart the ipsec service — that restart drops every tunnel on this gateway, so plan it — then apply again.'
  }
  if (/TW-APPLY-FAILED/.test(detail)) {
    return 'The pfSense apply script stopped before writing config.xml, for the reason above; nothing on the box changed. Do what it says, then apply again.'
  }
  switch (step) {
    case 'prevalidate':
      return 'The gateway\'s configuration was already invalid before our change, so nothing was loaded (reloading it would unload every connection). Fix the file named above, then apply again.'
    case 'backup':
    case 'write':
      return 'Check free space and that the state folder and the configuration folders are writable by root, then apply again.'
    case 'validate':
      return 'The new files do not validate together with the rest of the configuration; the previous files are back. Check the error above (an include of the user\'s, or an option this stack version does not know) and apply again.'
    case 'activate':
      return 'The daemon refused the new configuration; the previous one was restored and reloaded. Check the error above (e.g. an algorithm this build lacks, or IKEv1 disabled by policy).'
    case 'verify':
      return 'Run `tunnelwright check` for UDP 500/4500 and ESP, and compare the PSKs, the public IP / IKE id and the proposals with the provider\'s; then apply again.'
    case 'health':
      return 'The tunnels came up but traffic did not pass: check the routes and the firewall on the LAN side, and that the health target answers ping.'
    case 'confirm':
      return 'Run `tunnelwright plan` to see which state the gateway kept; on a slow link raise --confirm-within.'
    case 'lock':
      return 'Wait for the other change to confirm or revert (it does so by itself), then apply again.'
    default:
      return 'Run `tunnelwright plan` to see the current state, then apply again; send the diagnostics bundle if it persists.'
  }
}

/** A new transaction id: sortable time plus randomness. */
export function toTxnId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`
}

function parseProgress(text: string): ApplyProgress[] {
  return text
    .split('\n')
    .map((l) => /^(\d+) ([A-Z-]+)\s?(.*)$/.exec(l.trim()))
    .filter((m) => m !== null)
    .map((m) => ({ at: Number(m[1]), step: m[2] as ApplyStep, detail: m[3] ?? '' }))
}

/** Streamed output to `sink` in complete lines only, holding a partial last line until its newline arrives. */
function toLineFeed(sink: (text: string) => void): (chunk: string) => void {
  let rest = ''
  return (chunk) => {
    const text = rest + chunk
    const end = text.lastIndexOf('\n')
    rest = text.slice(end + 1)
    if (end >= 0) sink(text.slice(0, end + 1))
  }
}

/**
 * A script that prints the transaction's progress until one of `until` appears or `seconds` pass.
 * Printing and matching use one snapshot of the file: reading it twice let a marker appended in between
 * end the follow without ever being printed (an applied change then looked unverified and was aborted).
 */
function toFollowScript(progressFile: string, until: readonly string[], seconds: number): string {
  const p = quoteSh(progressFile)
  return `n=0; seen=0
while [ "$n" -lt ${seconds * 10} ]; do
  if [ -f ${p} ]; then
    snap=$(cat ${p})
    lines=$(printf '%s\\n' "$snap" | wc -l)
    if [ "$lines" -gt "$seen" ]; then printf '%s\\n' "$snap" | tail -n +$((seen + 1)); seen=$lines; fi
    printf '%s\\n' "$snap" | grep -Eq ${quoteSh(` (${until.join('|')})( |$)`)} && exit 0
  fi
  n=$((n + 1)); sleep 0.1
done
exit 3`
}

/**
 * Applies a plan: starts the gateway-side transaction, follows it, and confirms only when the
 * gateway is still reachable and the tunnels are up (`healthy()`); otherwise the gateway reverts.
 */
export async function applyPlan(
  shell: GatewayShell,
  plan: Plan,
  opts: {
    readonly stack: StackProfile
    readonly baseDir: string
    readonly confirmWithin: number
    readonly verifyWithin?: number
    readonly onProgress?: (p: ApplyProgress) => void
    /** Extra check before confirming (e.g. a ping across the tunnel); the gateway reverts when false. */
    readonly healthy?: () => Promise<boolean>
    readonly txnId?: string
    /** Files the stack rewrites itself on activation (pfSense's config.xml): backed up and restored, never written. */
    readonly backupOnly?: readonly string[]
  },
): Promise<ApplyResult> {
  if (plan.noop) return { outcome: 'no-change', steps: [] }
  const id = opts.txnId ?? toTxnId()
  const spec: TxnSpec = {
    id,
    baseDir: opts.baseDir,
    files: plan.interrupted ? plan.files : plan.files.filter((f, i) => plan.changes[i]?.action !== 'unchanged'),
    remove: plan.remove,
    ensureLines: plan.ensureLines,
    ...(opts.backupOnly ? { backupOnly: opts.backupOnly } : {}),
    stack: opts.stack,
    confirmWithin: opts.confirmWithin,
    verifyWithin: opts.verifyWithin ?? Math.min(45, opts.confirmWithin - 10),
  }
  const progressFile = `${opts.baseDir}/txn/${id}/progress`
  const steps: ApplyProgress[] = []
  const seen = new Set<string>()
  const record = (text: string) => {
    for (const p of parseProgress(text)) {
      const key = `${p.at} ${p.step} ${p.detail}`
      if (seen.has(key)) continue
      seen.add(key)
      steps.push(p)
      opts.onProgress?.(p)
    }
  }

  // One round trip starts the detached transaction and follows it up to verification; if the link
  // drops meanwhile, the gateway carries on alone and reverts unless confirmed.
  const preConfirm = ['VERIFIED', 'VERIFY-TIMEOUT', 'ROLLED-BACK', 'REVERTED', 'BUSY', 'FAILED']
  // Once the launcher is sent the gateway may be running the change: a lost link from here on must say so.
  let phase: 'follow' | 'confirm' = 'follow'
  const linked: GatewayShell = {
    runScript: (script, o) =>
      shell.runScript(script, o).catch((err: unknown) => {
        throw toLinkLost(err, phase, steps, spec.confirmWithin)
      }),
  }
  const follow = await linked.runScript(`${toTxnLauncher(spec)}\n${toFollowScript(progressFile, preConfirm, spec.verifyWithin + 60)}`, {
    timeoutMs: (spec.verifyWithin + 75) * 1000,
    // Streamed, so each step reaches onProgress as the gateway writes it; the full stdout is recorded after (dupes skipped).
    onOutput: toLineFeed(record),
  })
  if (!/TW-STARTED \d+/.test(follow.stdout)) {
    throw new UserError('apply-launch', 'Could not start the change on the gateway; nothing was changed.', { likelyCause: follow.stderr.slice(0, 300), fix: 'Check free space and that the login can run commands as root.' })
  }
  record(follow.stdout)
  const last = steps.map((s) => s.step)
  const failed = steps.find((s) => s.step === 'FAILED')
  if (failed) {
    const [stepName, ...rest] = failed.detail.split(' ')
    // A failed prevalidation changed nothing and writes no ROLLED-BACK: do not wait for one.
    if (stepName !== 'prevalidate' && !steps.some((s) => s.step === 'ROLLED-BACK')) {
      await linked.runScript(toFollowScript(progressFile, ['ROLLED-BACK'], 30), { timeoutMs: 40_000, onOutput: toLineFeed(record) }).then((r) => record(r.stdout))
    }
    return { outcome: 'rolled-back', txnId: id, steps, failedStep: toFailedStep(stepName), detail: rest.join(' ').trim(), fix: toStepFix(stepName ?? 'unknown', rest.join(' ')) }
  }
  if (last.includes('BUSY')) return { outcome: 'failed', txnId: id, steps, failedStep: 'lock', detail: 'another change is still running on the gateway', fix: toStepFix('lock') }

  const verified = last.includes('VERIFIED')
  const healthy = verified && (opts.healthy ? await opts.healthy().catch(() => false) : true)
  const marker = `${opts.baseDir}/txn/${id}/${healthy ? 'confirmed' : 'abort'}`
  if (healthy) phase = 'confirm'
  const end = await linked.runScript(`: > ${quoteSh(marker)}\n${toFollowScript(progressFile, ['COMMITTED', 'REVERTED'], 90)}`, { timeoutMs: 105_000, onOutput: toLineFeed(record) })
  record(end.stdout)
  const terminal = () => steps.find((s) => s.step === 'COMMITTED' || s.step === 'REVERTED')?.step
  if (terminal() === undefined) {
    // The follow ended without an outcome (a slow or cut link): read the gateway's record once more.
    const again = await shell.runScript(`cat ${quoteSh(progressFile)}`, { timeoutMs: 30_000 }).catch(() => undefined)
    if (again) record(again.stdout)
  }
  const outcome = terminal()
  if (outcome === undefined) {
    return {
      outcome: 'failed',
      txnId: id,
      steps,
      failedStep: 'confirm',
      fix: toStepFix('confirm'),
      detail: healthy
        ? 'the confirmation was sent but its outcome could not be read back; the gateway keeps the change only if it received it — run plan to see the current state'
        : 'the tunnels were not confirmed; the gateway reverts by itself at the deadline',
    }
  }
  return {
    outcome: outcome === 'COMMITTED' ? 'committed' : 'reverted',
    txnId: id,
    steps,
    ...(outcome === 'REVERTED'
      ? { failedStep: !verified ? 'verify' : !healthy ? 'health' : 'confirm', detail: !verified ? 'the tunnels did not come up in time' : !healthy ? 'the tunnels came up but the health check failed' : 'the confirmation arrived after the deadline', fix: toStepFix(!verified ? 'verify' : !healthy ? 'health' : 'confirm') }
      : {}),
  }
}

/** The link dropped after the change was sent: say what the gateway does on its own, and how to see the outcome. */
function toLinkLost(err: unknown, phase: 'follow' | 'confirm', steps: readonly ApplyProgress[], confirmWithin: number): UserError {
  const last = steps[steps.length - 1]?.step
  const where = last ? ` (the gateway had reached ${last})` : ''
  const what =
    phase === 'confirm'
      ? 'The link dropped while confirming: the gateway keeps the change only if the confirmation arrived, else it reverts by itself.'
      : `The gateway may be running the change, unconfirmed: it reverts to the previous configuration by itself within ${confirmWithin} s of loading it.`
  return new UserError('apply-link-lost', `The SSH link to the gateway was lost during apply${where}. ${what}`, {
    cause: err,
    likelyCause: err instanceof Error ? err.message : String(err),
    fix: `Reconnect after ${confirmWithin + 10} s and run \`tunnelwright plan\` to see which configuration the gateway kept, then apply again if needed.`,
  })
}

/** Restores the backup of the last committed change and reloads (one round trip). */
export async function rollbackLast(shell: GatewayShell, opts: { readonly baseDir: string }): Promise<{ restored: string; files: string[] }> {
  const base = quoteSh(opts.baseDir)
  const script = `set -u
BASE=${base}
[ -f "$BASE/last-backup" ] || { echo "TW-NO-BACKUP"; exit 4; }
ID=$(cat "$BASE/last-backup")
BK="$BASE/backups/$ID"
[ -f "$BK/manifest" ] || { echo "TW-NO-BACKUP"; exit 4; }
mkdir "$BASE/lock" 2>/dev/null || { echo "TW-BUSY"; exit 5; }
while IFS='|' read -r n mode path; do
  [ -n "$path" ] || continue
  if [ "$n" = "absent" ]; then
    # A plumbing script the change created tears down its interfaces and routes before it goes.
    if [ -f "$path" ] && [ -f "$BK/plumbing" ] && grep -qxF "$path" "$BK/plumbing"; then sh "$path" teardown > "$BK/teardown.out" 2>&1; fi
    rm -f "$path"
  else cp -p "$BK/files/$n" "$path.tw-restore" && mv -f "$path.tw-restore" "$path"; fi
  echo "TW-RESTORED $path"
done < "$BK/manifest"
# The reload recorded with the backup: rollback needs no details, only the gateway.
sh "$BK/reload.sh" > "$BASE/rollback-reload.out" 2>&1
mv "$BASE/last-backup" "$BASE/rolled-back-$ID"
rm -rf "$BASE/lock"
echo "TW-ROLLED-BACK $ID"`
  // The reload recorded with the backup may take its time (an IPsec reload, then FRR's reload for a BGP VPN):
  // a rollback cut off half-way by our own timeout is worse than a slow one.
  const r = await shell.runScript(script, { timeoutMs: 300_000 })
  if (r.stdout.includes('TW-NO-BACKUP')) throw new UserError('rollback-none', 'There is no change of ours to roll back on this gateway.', { fix: 'Nothing to do: the gateway has no backup recorded by Tunnelwright (or it was already rolled back).' })
  if (r.stdout.includes('TW-BUSY')) throw new UserError('rollback-busy', 'A change is running on the gateway right now.', { fix: 'Wait for it to finish (it confirms or reverts by itself), then roll back.' })
  const id = /TW-ROLLED-BACK (\S+)/.exec(r.stdout)?.[1]
  if (!id) throw new UserError('rollback-failed', 'The rollback did not complete.', { likelyCause: r.stderr.slice(0, 300), fix: 'Run it again; the backups are kept on the gateway under the Tunnelwright state folder.' })
  return { restored: id, files: [...r.stdout.matchAll(/TW-RESTORED (\S+)/g)].map((m) => m[1]!) }
}
