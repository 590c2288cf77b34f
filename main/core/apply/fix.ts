// Applying one finding's fix on the gateway with confirm-or-revert, through the same transaction as the tunnel config.
//
// The fix lines are the check's own (nft / iptables / sysctl -w), accepted only in the shapes the check
// writes. The transaction snapshots exactly what they touch (the nft tables they name, the iptables
// tables, the sysctl values) in its validate step, runs them as its activation, and its reload puts
// the snapshot back: on a failed step, a missing confirmation, an abort, and on a later `rollback`.
import type { GatewayShell } from '../gateway/shell'
import type { StackProfile } from '../gateway/stacks'
import { applyPlan, toTxnId, type ApplyProgress, type ApplyResult, type Plan } from './engine'
import type { GatewayFacts } from '../gateway/detect'
import { toStateDir } from '../gateway/stacks'
import { UserError } from '../base/result'
import { quoteSh } from '../ssh/quote'
import type { Finding } from '../checks/model'

/** One nft table, iptables table or sysctl key the fix touches, and what it holds before the fix. */
export interface FixTarget {
  readonly kind: 'nft' | 'iptables' | 'sysctl'
  /** `inet filter` (nft), `iptables-legacy nat` (binary + table), `net.ipv4.ip_forward` (sysctl). */
  readonly name: string
  /** The current state as the gateway prints it (`nft list table`, `iptables-save -t`, `sysctl -n`); undefined = absent. */
  readonly before?: string
}

/** A fix ready to apply: the exact commands, what they touch as it is now, and what the user must know. */
export interface PlannedFix {
  readonly finding: Finding
  readonly commands: readonly string[]
  readonly targets: readonly FixTarget[]
  /** Running state only, persistence, what is not applied: shown with the plan. */
  readonly notes: readonly string[]
  readonly baseDir: string
  readonly txnId: string
}

const NFT_LINE = /^nft '([^'\n]+)'$/
const NFT_TABLE = /^(?:insert rule|add rule|delete rule|add chain|add table) (ip|ip6|inet|arp|bridge|netdev) ([A-Za-z0-9_-]+)(?: ([A-Za-z0-9_-]+))?(?: (.*))?$/
const IPT_LINE = /^(iptables|iptables-legacy)(?: -t (filter|nat|mangle|raw))? -[IA] ([A-Za-z0-9_-]+) ([A-Za-z0-9 ./:,_-]+)$/
const SYSCTL_PART = /^sysctl -w (net\.[a-z0-9_.]+)=([0-9]+)$/

interface ParsedFix {
  readonly commands: string[]
  readonly nftBodies: string[]
  readonly nft: { family: string; table: string }[]
  readonly ipt: { bin: 'iptables' | 'iptables-legacy'; table: string }[]
  readonly sysctl: { key: string; value: string }[]
  readonly notes: string[]
}

function refuse(finding: Finding, what: string): never {
  throw new UserError('fix-not-applicable', `The fix of ${finding.id} cannot be applied by Tunnelwright: ${what}.`, { fix: 'Copy the fix shown by `tunnelwright check` and run it on the gateway yourself.' })
}

function uniq<T>(xs: readonly T[], key: (x: T) => string): T[] {
  return [...new Map(xs.map((x) => [key(x), x] as const)).values()]
}

/** Splits a finding's fix into the command lines the transaction will run, refusing any shape the check does not write. */
export function parseFixCommands(finding: Finding): ParsedFix {
  const fix = finding.fix
  const p: ParsedFix = { commands: [], nftBodies: [], nft: [], ipt: [], sysctl: [], notes: [] }
  if (fix === undefined || (fix.nft === undefined && fix.iptables === undefined && fix.sysctl === undefined)) {
    refuse(finding, fix?.upstream !== undefined ? 'it is a change upstream of the gateway (ask whoever runs that firewall)' : fix?.details !== undefined ? 'it is a change to the details file (edit it, then apply)' : 'it has no command for the gateway\'s own firewall')
  }
  // Each nft / iptables line names the chain of its own rule source: both are needed where both block.
  for (const line of (fix.nft ?? '').split('\n').filter((l) => l !== '')) {
    const body = NFT_LINE.exec(line)?.[1]
    const t = body === undefined ? null : NFT_TABLE.exec(body)
    if (body === undefined || t === null) refuse(finding, `unexpected nft command ${JSON.stringify(line)}`)
    p.commands.push(line)
    p.nftBodies.push(body)
    p.nft.push({ family: t[1]!, table: t[2]! })
  }
  for (const line of (fix.iptables ?? '').split('\n').filter((l) => l !== '')) {
    const m = IPT_LINE.exec(line)
    if (m === null) refuse(finding, `unexpected iptables command ${JSON.stringify(line)}`)
    p.commands.push(line)
    p.ipt.push({ bin: m[1] as 'iptables' | 'iptables-legacy', table: m[2] ?? 'filter' })
  }
  for (const part of (fix.sysctl ?? '').split(/\s*&&\s*|\n/).filter((l) => l !== '')) {
    const m = SYSCTL_PART.exec(part)
    if (m === null) {
      // The check pairs `sysctl -w` with a write to /etc/sysctl.d: persistence files are the user's, shown, not written.
      p.notes.push(`Not run (persistence, yours to do): ${part}`)
      continue
    }
    p.commands.push(part)
    p.sysctl.push({ key: m[1]!, value: m[2]! })
  }
  return { ...p, nft: uniq(p.nft, (t) => `${t.family} ${t.table}`), ipt: uniq(p.ipt, (t) => `${t.bin} ${t.table}`), sysctl: uniq(p.sysctl, (s) => s.key) }
}

const TAG = '==TW-FIX '

function toSaveCommand(bin: 'iptables' | 'iptables-legacy'): string {
  return bin === 'iptables' ? 'iptables-save' : 'iptables-legacy-save'
}

/** The read-only script that prints every target's current state and the persistence the gateway uses. */
function toBeforeScript(p: ParsedFix): string {
  return [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH; LC_ALL=C; export LC_ALL',
    ...p.nft.map((t, i) => `echo ${quoteSh(`${TAG}nft${i}`)}; nft list table ${t.family} ${quoteSh(t.table)} 2>/dev/null || echo ${quoteSh(`${TAG}absent`)}`),
    ...p.ipt.map((t, i) => `echo ${quoteSh(`${TAG}ipt${i}`)}; ${toSaveCommand(t.bin)} -t ${t.table} 2>&1`),
    ...p.sysctl.map((s, i) => `echo ${quoteSh(`${TAG}sysctl${i}`)}; sysctl -n ${quoteSh(s.key)} 2>&1`),
    `echo ${quoteSh(`${TAG}persist`)}`,
    '[ -f /etc/nftables.conf ] && echo nftables.conf',
    'command -v netfilter-persistent >/dev/null 2>&1 && echo netfilter-persistent',
    '[ -f /etc/iptables/rules.v4 ] && echo rules.v4',
    '[ -f /etc/sysconfig/iptables ] && echo sysconfig-iptables',
    `echo ${quoteSh(`${TAG}end`)}`,
  ].join('\n')
}

function parseSections(out: string): Map<string, string> {
  const map = new Map<string, string>()
  let key: string | undefined
  for (const line of out.split('\n')) {
    if (line.startsWith(TAG)) {
      const k = line.slice(TAG.length).trim()
      if (k === 'absent' && key !== undefined) map.set(key, `${TAG}absent`)
      else {
        key = k
        map.set(key, '')
      }
    } else if (key !== undefined && map.get(key) !== `${TAG}absent`) map.set(key, `${map.get(key)}${line}\n`)
  }
  return map
}

/** What to add to the gateway's own persistence so the fix survives a reboot (shown, never written). */
function toPersistenceNotes(p: ParsedFix, persist: readonly string[]): string[] {
  const notes: string[] = []
  const nftRules = p.nftBodies.map((b) => /^(?:insert|add) rule (\S+) (\S+) (\S+) (.*)$/.exec(b)).filter((m) => m !== null)
  if (nftRules.length > 0) {
    notes.push(
      persist.includes('nftables.conf')
        ? `To keep it after a reboot, add to /etc/nftables.conf: ${nftRules.map((m) => `in table ${m[1]} ${m[2]}, chain ${m[3]}: \`${m[4]}\``).join('; ')}.`
        : 'No /etc/nftables.conf was found: keep the rule wherever this gateway loads its ruleset at boot.',
    )
  }
  if (p.ipt.length > 0) {
    const lines = p.commands.map((c) => IPT_LINE.exec(c)).filter((m) => m !== null).map((m) => `*${m[2] ?? 'filter'}: -I ${m[3]} ${m[4]}`)
    notes.push(
      persist.includes('netfilter-persistent') || persist.includes('rules.v4')
        ? `To keep it after a reboot, add to /etc/iptables/rules.v4 (or run \`netfilter-persistent save\`): ${lines.join('; ')}.`
        : persist.includes('sysconfig-iptables')
          ? `To keep it after a reboot, add to /etc/sysconfig/iptables: ${lines.join('; ')}.`
          : 'No iptables persistence (netfilter-persistent, /etc/iptables/rules.v4) was found: keep the rule wherever this gateway loads its rules at boot.',
    )
  }
  if (p.sysctl.length > 0) notes.push(`To keep it after a reboot, add to /etc/sysctl.d/90-tunnelwright.conf: ${p.sysctl.map((s) => `\`${s.key} = ${s.value}\``).join(', ')}.`)
  return notes
}

/** Plans one finding's fix: the exact commands and the current state of everything they touch (one read-only round trip). */
export async function planFix(shell: GatewayShell, finding: Finding, facts: GatewayFacts): Promise<PlannedFix> {
  if (finding.verdict === 'allowed' || finding.verdict === 'ok') {
    throw new UserError('fix-not-needed', `${finding.id} is already ${finding.verdict}: there is nothing to fix.`, { fix: 'Run `tunnelwright check` to list the findings that need a fix.' })
  }
  if (facts.stack.kind === 'pfsense' || facts.os.family === 'freebsd') refuse(finding, 'pfSense rules are changed in its web interface (Firewall › Rules), not with nft/iptables')
  const p = parseFixCommands(finding)
  const r = await shell.runScript(toBeforeScript(p), { timeoutMs: 30_000 })
  if (r.code !== 0) throw new UserError('fix-read', 'Could not read the current firewall state on the gateway.', { likelyCause: r.stderr.slice(0, 300), fix: 'Check that the login can run commands as root (or with sudo).' })
  const s = parseSections(r.stdout)
  const state = (k: string) => {
    const v = s.get(k)
    return v === undefined || v === `${TAG}absent` ? undefined : v
  }
  const targets: FixTarget[] = [
    ...p.nft.map((t, i) => ({ kind: 'nft' as const, name: `${t.family} ${t.table}`, ...optional(state(`nft${i}`)) })),
    ...p.ipt.map((t, i) => ({ kind: 'iptables' as const, name: `${t.bin} ${t.table}`, ...optional(state(`ipt${i}`)) })),
    ...p.sysctl.map((x, i) => ({ kind: 'sysctl' as const, name: x.key, ...optional(state(`sysctl${i}`)?.trim()) })),
  ]
  const persist = (s.get('persist') ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '')
  return {
    finding,
    commands: p.commands,
    targets,
    notes: [
      'This changes the running firewall/kernel state only; nothing the gateway loads at boot is edited.',
      ...toPersistenceNotes(p, persist),
      ...p.notes,
      ...(finding.fix?.firewalld !== undefined ? ['firewalld is running: a `firewall-cmd --reload` drops this rule; the firewalld form of the fix is shown by `tunnelwright check`.'] : []),
      ...(finding.fix?.ufw !== undefined ? ['ufw manages this firewall: a `ufw reload` drops this rule; the ufw form of the fix is shown by `tunnelwright check`.'] : []),
    ],
    baseDir: toStateDir(facts),
    txnId: toTxnId(),
  }
}

function optional(before: string | undefined): { before?: string } {
  return before === undefined ? {} : { before }
}

/** Where the transaction keeps the snapshot: absolute, because rollbackLast runs the backup's reload.sh without the transaction's variables. */
export function toSnapshotDir(planned: PlannedFix): string {
  return `${planned.baseDir}/backups/${planned.txnId}/fix`
}

/** The stack profile of a fix: validate snapshots and checks, activate runs the lines, reload restores the snapshot. */
export function toFixProfile(planned: PlannedFix): StackProfile {
  const p = parseFixCommands(planned.finding)
  const dir = toSnapshotDir(planned)
  const f = (name: string) => quoteSh(`${dir}/${name}`)
  const snapshot = [
    `mkdir -p ${quoteSh(dir)}`,
    ...p.nft.map((t, i) => `{ nft list table ${t.family} ${quoteSh(t.table)} > ${f(`nft${i}`)} 2>/dev/null || rm -f ${f(`nft${i}`)}; }`),
    // An absent table saves as nothing; an empty section flushes what the fix added to it on restore.
    ...p.ipt.map((t, i) => `{ ${toSaveCommand(t.bin)} -t ${t.table} > ${f(`ipt${i}`)} && { grep -q '^\\*' ${f(`ipt${i}`)} || printf '*%s\\nCOMMIT\\n' ${t.table} > ${f(`ipt${i}`)}; }; }`),
    ...p.sysctl.map((x, i) => `sysctl -n ${quoteSh(x.key)} > ${f(`sysctl${i}`)}`),
    `: > ${f('done')}`,
  ].join(' &&\n')
  const validate = [
    `if [ ! -e ${f('done')} ]; then\n${snapshot}\nfi`,
    ...(p.nftBodies.length > 0 ? [`printf '%s\\n' ${p.nftBodies.map(quoteSh).join(' ')} | nft -c -f -`] : []),
    ...[...new Set(p.ipt.map((t) => t.bin))].map((bin) => `command -v ${bin} >/dev/null`),
  ].join(' &&\n')
  // nft: one atomic batch per restore; "add table; delete table" removes a table the fix created and is a no-op guard otherwise.
  const nftRestore = p.nft.length === 0 ? [] : [`{ ${p.nft.map((t, i) => `printf '%s\\n' ${quoteSh(`add table ${t.family} ${t.table}`)} ${quoteSh(`delete table ${t.family} ${t.table}`)}; [ ! -f ${f(`nft${i}`)} ] || cat ${f(`nft${i}`)}`).join('; ')}; } | nft -f -`]
  const reload = [
    ...nftRestore,
    ...p.ipt.map((t, i) => `[ ! -f ${f(`ipt${i}`)} ] || ${t.bin === 'iptables' ? 'iptables-restore' : 'iptables-legacy-restore'} < ${f(`ipt${i}`)}`),
    ...p.sysctl.map((x, i) => `[ ! -f ${f(`sysctl${i}`)} ] || sysctl -qw ${quoteSh(x.key)}="$(cat ${f(`sysctl${i}`)})"`),
  ].join('\n')
  return {
    validate,
    activate: `${planned.commands.map((c) => `${c} || exit 1`).join('\n')}\ntrue`,
    activateErrors: '^Error: ',
    reload,
    initiate: [],
    isUp: 'true',
  }
}

/**
 * Applies a planned fix as a gateway-side transaction: it reverts by itself unless confirmed within
 * `confirmWithin` s, and is confirmed only when the gateway still answers over SSH and `healthy()` holds.
 */
export async function applyFix(
  shell: GatewayShell,
  planned: PlannedFix,
  opts: { readonly confirmWithin: number; readonly healthy?: () => Promise<boolean>; readonly onProgress?: (p: ApplyProgress) => void },
): Promise<ApplyResult> {
  const plan: Plan = { changes: [], noop: false, files: [], remove: [], ensureLines: [] }
  // A fix can cut the link it travels on: once the gateway should have decided, stop waiting for an answer.
  const capMs = Math.max(10, opts.confirmWithin) * 1000 + 5000
  const capped: GatewayShell = { runScript: (script, o) => shell.runScript(script, { ...o, timeoutMs: Math.min(o?.timeoutMs ?? capMs, capMs) }) }
  return applyPlan(capped, plan, {
    stack: toFixProfile(planned),
    baseDir: planned.baseDir,
    confirmWithin: opts.confirmWithin,
    verifyWithin: 5,
    txnId: planned.txnId,
    // toTxnScript with no targets at all writes one blank target line that its write step takes for a file
    // (FAILED write): name the snapshot's own marker (it exists from validate on) so the list is never empty.
    backupOnly: [`${toSnapshotDir(planned)}/done`],
    healthy: async () => {
      const alive = await shell.runScript('echo TW-ALIVE', { timeoutMs: 10_000 })
      return alive.stdout.includes('TW-ALIVE') && (opts.healthy ? await opts.healthy() : true)
    },
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  })
}
