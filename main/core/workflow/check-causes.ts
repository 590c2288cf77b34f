// A check's findings grouped by cause, for people: one drop rule that blocks UDP 500 from both AWS endpoints
// (and makes the IKE probe go unanswered) is one problem with one fix, not six. And that one fix applied as one
// confirm-or-revert transaction, kept only when every finding it fixes turns green on a fresh check.
import type { ApplyProgress } from '../apply/engine'
import { applyFix as applyFixTxn, planFix as planFixTxn, type PlannedFix } from '../apply/fix'
import { CONFIRM_WITHIN } from '../base/vocabulary'
import { UserError } from '../base/result'
import type { Finding, Fix, Flow } from '../checks/model'
import { checkGateway, isGreen, type FixOutcome } from './check'
import { logActivity, type ChangeContext, type DetailsInput, type GatewayAccess } from './context'
import { detectGateway } from './gateway'

/** One cause of one or more findings that need attention, with the one fix that addresses all of them. */
export interface CheckCause {
  /** Stable for one report: the first finding's id. */
  readonly id: string
  readonly severity: 'error' | 'warning'
  /** flow: a flow the gateway's own firewall blocks or may block; path: the end-to-end probe; topic: NAT, forwarding, MSS, the daemon… */
  readonly kind: 'flow' | 'path' | 'topic'
  readonly flow?: Flow
  /** The topic of a topic cause (nat, ip_forward, mss, rp_filter, xfrm, nat-before-ipsec, a daemon diagnosis…). */
  readonly topic?: string
  readonly verdict: Finding['verdict']
  readonly findingIds: readonly string[]
  /** The AWS endpoints it affects (empty for gateway-wide causes). */
  readonly peers: readonly string[]
  readonly directions: readonly ('inbound' | 'outbound')[]
  /** The rules or policies that drop the traffic, as the firewall names them ("inet agency input handle 3 (udp dport 500 drop)"). */
  readonly blockedBy: readonly string[]
  /** The fix of every finding of the cause, merged (each line once). */
  readonly fix?: Fix
  /** Tunnelwright can run the fix itself (nft, iptables or sysctl lines). */
  readonly fixable: boolean
}

const SEVERITY_RANK: Readonly<Record<Finding['severity'], number>> = { error: 0, warning: 1, info: 2, ok: 3 }

/** Blockers from a flow finding's evidence ("inet agency input: drop by inet agency input handle 3: udp dport 500 drop [0 packets]"). */
function toBlockers(f: Finding): string[] {
  return f.evidence.flatMap((line) => {
    const m = /^(.+?): (?:drop|reject|blocked) by (.+)$/.exec(line)
    if (!m) return []
    const rest = m[2]!.replace(/ \[\d+ packets\]$/, '').replace(/ counter packets \d+ bytes \d+/g, ' counter')
    if (rest.startsWith('policy ')) return [`the ${rest.slice('policy '.length)} policy of ${m[1]!}`]
    const rule = /^(.+?): (.+)$/.exec(rest)
    return [rule ? `${rule[1]!} (${rule[2]!})` : rest]
  })
}

function mergeFix(fixes: readonly (Fix | undefined)[]): Fix | undefined {
  const out: { -readonly [K in keyof Fix]?: string } = {}
  for (const key of ['nft', 'iptables', 'firewalld', 'ufw', 'pfsense', 'sysctl', 'upstream', 'details'] as const) {
    const sep = key === 'upstream' || key === 'details' ? '\n\n' : '\n'
    const lines = [...new Set(fixes.flatMap((f) => (f?.[key] ?? '').split(sep).filter((l) => l.trim() !== '')))]
    if (lines.length > 0) out[key] = lines.join(sep)
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** True when a finding needs attention (a problem or a warning; notes and greens do not). */
export function needsAttention(f: Finding): boolean {
  return f.severity === 'error' || f.severity === 'warning'
}

/** True when Tunnelwright can run the fix itself (the nft, iptables and sysctl forms, as `Apply fix` does). */
export function isFixable(fix: Fix | undefined): boolean {
  return fix !== undefined && (fix.nft !== undefined || fix.iptables !== undefined || fix.sysctl !== undefined)
}

/**
 * Groups the findings that need attention by cause, worst first: the gateway's own firewall per flow (both
 * directions, both endpoints, with the probe findings it explains), the end-to-end probe per flow when the
 * gateway is not to blame, and each gateway-wide topic on its own.
 */
export function toCheckCauses(findings: readonly Finding[]): CheckCause[] {
  const groups = new Map<string, Finding[]>()
  const add = (key: string, f: Finding) => groups.set(key, [...(groups.get(key) ?? []), f])
  const attention = findings.filter(needsAttention)
  for (const f of attention) {
    const flow = f.subject.flow
    if (f.id.startsWith('fw.') && flow) add(`flow ${flow} ${f.verdict}`, f)
    else if (flow && f.id.startsWith('path.')) {
      // "…this gateway's own firewall drops UDP 500 (fw.inbound.udp500.X)": the probe is explained by that cause.
      const host = /\((fw\.[a-z]+\.[a-z0-9]+\.[\d.]+)\)/.exec(f.why)?.[1]
      const hostFinding = host ? attention.find((x) => x.id === host) : undefined
      add(hostFinding?.subject.flow ? `flow ${hostFinding.subject.flow} ${hostFinding.verdict}` : `path ${flow}`, f)
    } else if (flow && f.id.startsWith('daemon.')) {
      const host = /\((fw\.[a-z]+\.[a-z0-9]+\.[\d.]+)\)/.exec(f.why)?.[1]
      const hostFinding = host ? attention.find((x) => x.id === host) : undefined
      add(hostFinding?.subject.flow ? `flow ${hostFinding.subject.flow} ${hostFinding.verdict}` : `path ${flow}`, f)
    } else add(`topic ${f.subject.topic ?? f.id}`, f)
  }
  const causes = [...groups.entries()].map(([key, fs]): CheckCause => {
    const [kind] = key.split(' ') as ['flow' | 'path' | 'topic']
    const lead = fs.find((f) => f.id.startsWith('fw.')) ?? fs[0]!
    const fix = mergeFix(fs.map((f) => f.fix))
    const worst = fs.reduce((a, b) => (SEVERITY_RANK[b.severity] < SEVERITY_RANK[a.severity] ? b : a))
    return {
      id: lead.id,
      severity: worst.severity === 'error' ? 'error' : 'warning',
      kind,
      ...(lead.subject.flow && kind !== 'topic' ? { flow: lead.subject.flow } : {}),
      ...(kind === 'topic' ? { topic: lead.subject.topic ?? lead.id } : {}),
      verdict: lead.verdict,
      findingIds: fs.map((f) => f.id),
      peers: [...new Set(fs.map((f) => f.subject.peer).filter((p): p is string => p !== undefined))],
      directions: [...new Set(fs.map((f) => f.subject.direction).filter((d): d is 'inbound' | 'outbound' => d !== undefined))],
      blockedBy: [...new Set(fs.filter((f) => f.id.startsWith('fw.')).flatMap(toBlockers))],
      ...(fix ? { fix } : {}),
      fixable: isFixable(fix),
    }
  })
  return causes.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])
}

/** A cause's fix planned as one transaction: the findings it must turn green, and the plan. */
export interface PlannedCauseFix {
  readonly findingIds: readonly string[]
  /** The findings the commands address directly (the probe's follow from them and are not required). */
  readonly required: readonly string[]
  readonly planned: PlannedFix
}

/**
 * Plans the fix of several findings of the gateway's last check as one transaction (read-only): their nft,
 * iptables and sysctl lines, each once. Findings already green are left out; refuses ids the last check lacks.
 */
export async function planCauseFix(gateway: GatewayAccess, findingIds: readonly string[]): Promise<PlannedCauseFix | undefined> {
  const found = findingIds.map((id) => {
    const f = gateway.lastCheck?.find((x) => x.id === id)
    if (f === undefined) throw new UserError('finding-not-found', `No finding ${id} in the last check of this gateway.`, { fix: 'Run the checks again, then choose the fix.' })
    return f
  })
  const open = found.filter((f) => !isGreen(f) && isFixable(f.fix))
  if (open.length === 0) return undefined
  const lead = open[0]!
  const merged = mergeFix(open.map((f) => f.fix))
  const composite: Finding = { ...lead, fix: { ...(merged?.nft ? { nft: merged.nft } : {}), ...(merged?.iptables ? { iptables: merged.iptables } : {}), ...(merged?.sysctl ? { sysctl: merged.sysctl } : {}) } }
  const planned = await planFixTxn(gateway.shell, composite, await detectGateway(gateway))
  const direct = open.filter((f) => !f.id.startsWith('path.') && !f.id.startsWith('daemon.')).map((f) => f.id)
  return { findingIds: open.map((f) => f.id), required: direct.length > 0 ? direct : [lead.id], planned }
}

/**
 * Applies a cause's fix with confirm-or-revert: kept only when a fresh check shows every required finding
 * green, then checked once more for the report. `cancelled` makes the gateway revert instead.
 */
export async function applyCauseFix(
  gateway: GatewayAccess,
  fix: PlannedCauseFix,
  input: DetailsInput & { readonly probe?: boolean },
  opts: { readonly confirmWithin?: number; readonly onProgress?: (p: ApplyProgress) => void; readonly cancelled?: () => boolean; readonly context?: ChangeContext } = {},
): Promise<FixOutcome> {
  const recheck = async () => (await checkGateway(gateway, input)).findings
  const allGreen = (fs: readonly Finding[]) => fix.required.every((id) => isGreen(fs.find((f) => f.id === id)))
  const result = await applyFixTxn(gateway.shell, fix.planned, {
    confirmWithin: opts.confirmWithin ?? CONFIRM_WITHIN.default,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    healthy: async () => !opts.cancelled?.() && allGreen(await recheck()),
  })
  let findings: readonly Finding[] | undefined
  let note: string | undefined
  try {
    findings = await recheck()
  } catch (err) {
    note = `The check after the fix could not run: ${err instanceof Error ? err.message : 'unknown error'}.`
  }
  const after = findings?.find((f) => f.id === fix.planned.finding.id)
  logActivity(opts.context, 'check-fix', { ...(result.txnId ? { txnId: result.txnId } : {}), outcome: result.outcome, detail: `${fix.findingIds.join(', ')}: ${fix.planned.commands.join('; ')}` })
  return { ...result, ok: result.outcome === 'committed' && findings !== undefined && allGreen(findings), ...(after ? { after } : {}), ...(findings ? { findings } : {}), ...(note ? { note } : {}) }
}
