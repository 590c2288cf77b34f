// The change record of an apply or rollback: what changed, why, the diff, checks before and after, and
// how to undo it, as Markdown (for tickets) and printable HTML (for change boards).
//
// Rendering redacts: every text goes through the caller's redactor, so a PSK that slipped into a diff
// or a gateway message never reaches the record.
import { maskIp } from '../base/redact'

/** A check finding as a record keeps it (the subset that matters on paper). */
export interface RecordCheck {
  readonly id: string
  readonly severity: string
  readonly verdict: string
  readonly subject: string
  readonly why: string
}

/** One file change with its diff (secret files carry a sentence, never content). */
export interface RecordChange {
  readonly path: string
  readonly action: string
  readonly secret: boolean
  readonly diff: string
}

/** Everything a change record says. */
export interface ChangeRecord {
  readonly id: string
  /** The app's profile; absent for a change made with the CLI (from a details file). */
  readonly profileId?: string
  /** The profile's name, or the connection name in the details file the CLI used. */
  readonly profileName: string
  /** Which face made the change (absent in records written before the CLI wrote any: the app). */
  readonly via?: 'app' | 'cli'
  readonly action: 'apply' | 'rollback'
  /** ISO time. */
  readonly at: string
  readonly user: string
  readonly gateway: { readonly host: string; readonly publicIp?: string; readonly kind?: string; readonly version?: string; readonly hostKey?: string }
  readonly reason?: string
  readonly outcome: string
  readonly txnId?: string
  /** Where the gateway keeps its backups (state dir), for manual rollback. */
  readonly stateDir?: string
  readonly changes: readonly RecordChange[]
  readonly steps: readonly { readonly step: string; readonly at: number; readonly detail: string }[]
  readonly detail?: string
  readonly checksBefore?: readonly RecordCheck[]
  readonly checksAfter?: readonly RecordCheck[]
  /** Why checks after could not be taken, when they could not. */
  readonly checksAfterNote?: string
}

/** Rendering options: the redactor of known secrets, and whether to mask public IPs. */
export interface RecordRenderOptions {
  readonly redact: (text: string) => string
  readonly maskPublicIps?: boolean
}

/** How to undo the change, in the app, with the CLI, and by hand on the gateway. */
export function toRollbackInstructions(r: ChangeRecord): string[] {
  if (r.action === 'rollback') return ['This record is itself a rollback. To return to the change it undid, plan and apply the profile again.']
  if (r.outcome !== 'committed') return [`Nothing to undo: the change ended "${r.outcome}", so the gateway kept (or went back to) its previous configuration.`]
  const dir = r.stateDir ?? '/var/lib/tunnelwright'
  const app = `In Tunnelwright: open profile "${r.profileName}", connect, and choose Rollback. It restores the files saved before transaction ${r.txnId ?? '(see activity log)'}.`
  const cli = `From a terminal: tunnelwright rollback --host ${r.gateway.host} [ssh options]`
  return [
    ...(r.via === 'cli' ? [cli, app.replace(`open profile "${r.profileName}"`, 'open a profile for this gateway')] : [app, cli]),
    `By hand on the gateway (as root): the backup of every changed file is under ${dir}/${r.txnId ?? '<txn id>'}/ ; copy each back to its path and reload the IPsec daemon (swanctl --load-all, or ipsec reload).`,
  ]
}

function toView(r: ChangeRecord, o: RecordRenderOptions) {
  const t = (s: string) => o.redact(s)
  const ip = (s: string | undefined) => (s === undefined ? undefined : o.maskPublicIps ? maskIp(s) : s)
  return {
    title: `Change record: ${t(r.profileName)} (${r.action}, ${r.outcome})`,
    facts: [
      ['Record', r.id],
      ['When', r.at],
      ['Who', t(r.user)],
      ['Gateway', t(ip(r.gateway.host) ?? r.gateway.host)],
      ...(r.gateway.publicIp ? [['Public IP', ip(r.gateway.publicIp) ?? '']] : []),
      ...(r.gateway.kind ? [['Device', `${r.gateway.kind}${r.gateway.version ? ` ${r.gateway.version}` : ''}`]] : []),
      ...(r.gateway.hostKey ? [['Host key', r.gateway.hostKey]] : []),
      ['Action', r.action],
      ['Outcome', r.outcome],
      ...(r.txnId ? [['Transaction', r.txnId]] : []),
    ].map(([k, v]) => [k ?? '', t(v ?? '')] as const),
    reason: t(r.reason?.trim() || 'No reason was given.'),
    changes: r.changes.map((c) => ({ ...c, path: t(c.path), diff: t(c.diff) })),
    steps: r.steps.map((s) => ({ step: s.step, at: new Date(s.at * (s.at < 1e12 ? 1000 : 1)).toISOString(), detail: t(s.detail) })),
    detail: r.detail === undefined ? undefined : t(r.detail),
    checksBefore: r.checksBefore?.map((c) => ({ ...c, subject: t(c.subject), why: t(c.why) })),
    checksAfter: r.checksAfter?.map((c) => ({ ...c, subject: t(c.subject), why: t(c.why) })),
    checksAfterNote: r.checksAfterNote === undefined ? undefined : t(r.checksAfterNote),
    rollback: toRollbackInstructions(r).map(t),
  }
}

function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const f = '`'.repeat(longest + 1)
  return `${f}diff\n${text.replace(/\n$/, '')}\n${f}`
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function mdChecks(title: string, checks: readonly RecordCheck[] | undefined, note?: string): string[] {
  const out = [`## ${title}`, '']
  if (!checks || checks.length === 0) return [...out, note ?? 'No checks were run.', '']
  out.push('| Check | Subject | Verdict | Severity | Why |', '|---|---|---|---|---|')
  for (const c of checks) out.push(`| ${mdCell(c.id)} | ${mdCell(c.subject)} | ${mdCell(c.verdict)} | ${mdCell(c.severity)} | ${mdCell(c.why)} |`)
  return [...out, '']
}

/** The record as Markdown. */
export function toChangeRecordMarkdown(r: ChangeRecord, o: RecordRenderOptions): string {
  const v = toView(r, o)
  const out = [`# ${v.title}`, '', ...v.facts.map(([k, x]) => `- **${k}:** ${mdCell(x)}`), '', '## Why', '', v.reason, '', '## What changed', '']
  if (v.changes.length === 0) out.push('No file changed.', '')
  for (const c of v.changes) {
    out.push(`### ${c.path} (${c.action})`, '')
    out.push(c.secret ? `Secret file: content not shown. ${c.diff}` : c.action === 'unchanged' ? 'Unchanged.' : fence(c.diff), '')
  }
  out.push('## Steps', '')
  for (const s of v.steps) out.push(`- ${s.at} ${s.step}${s.detail ? `: ${mdCell(s.detail)}` : ''}`)
  if (v.detail) out.push('', `Detail: ${v.detail}`)
  out.push('', ...mdChecks('Checks before', v.checksBefore), ...mdChecks('Checks after', v.checksAfter, v.checksAfterNote), '## How to roll back', '')
  for (const l of v.rollback) out.push(`- ${l}`)
  return out.join('\n') + '\n'
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

function htmlChecks(title: string, checks: readonly RecordCheck[] | undefined, note?: string): string {
  if (!checks || checks.length === 0) return `<h2>${esc(title)}</h2><p>${esc(note ?? 'No checks were run.')}</p>`
  const rows = checks.map((c) => `<tr><td>${esc(c.id)}</td><td>${esc(c.subject)}</td><td>${esc(c.verdict)}</td><td>${esc(c.severity)}</td><td>${esc(c.why)}</td></tr>`).join('')
  return `<h2>${esc(title)}</h2><table><thead><tr><th>Check</th><th>Subject</th><th>Verdict</th><th>Severity</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table>`
}

/** The record as a self-contained printable HTML page (no scripts, no remote resources). */
export function toChangeRecordHtml(r: ChangeRecord, o: RecordRenderOptions): string {
  const v = toView(r, o)
  const facts = v.facts.map(([k, x]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(x)}</td></tr>`).join('')
  const changes =
    v.changes.length === 0
      ? '<p>No file changed.</p>'
      : v.changes
          .map((c) => {
            const body = c.secret ? `<p>Secret file: content not shown. ${esc(c.diff)}</p>` : c.action === 'unchanged' ? '<p>Unchanged.</p>' : `<pre class="diff">${c.diff.split('\n').map((l) => `<span class="${l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx'}">${esc(l)}</span>`).join('\n')}</pre>`
            return `<h3>${esc(c.path)} (${esc(c.action)})</h3>${body}`
          })
          .join('')
  const steps = v.steps.map((s) => `<li>${esc(s.at)} ${esc(s.step)}${s.detail ? `: ${esc(s.detail)}` : ''}</li>`).join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(v.title)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#1b1b1b}table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:.5rem;white-space:pre-wrap;word-break:break-all}.add{color:#0a5d00}.del{color:#9b0000}@media print{body{margin:0}h2{break-after:avoid}pre{break-inside:avoid}}</style>
</head><body>
<h1>${esc(v.title)}</h1>
<table>${facts}</table>
<h2>Why</h2><p>${esc(v.reason)}</p>
<h2>What changed</h2>${changes}
<h2>Steps</h2><ul>${steps}</ul>${v.detail ? `<p>Detail: ${esc(v.detail)}</p>` : ''}
${htmlChecks('Checks before', v.checksBefore)}
${htmlChecks('Checks after', v.checksAfter, v.checksAfterNote)}
<h2>How to roll back</h2><ul>${v.rollback.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
</body></html>
`
}
