// How plans, apply progress and results read on a terminal.
import type { ApplyProgress, ApplyResult, ApplyStep, PreparedChange, RoutingDecision } from '../core'
import { toTerminalText, type CliIo } from './cli-io'

/** What each transaction marker means, in words (every marker has one: the type says so). */
const STEP_TEXT: Readonly<Record<ApplyStep, string>> = {
  STARTED: 'started on the gateway',
  SETTLED: 'no unfinished earlier change',
  'BACKED-UP': 'backed up the files it replaces',
  WRITTEN: 'wrote the new files (atomically)',
  VALIDATED: 'the whole configuration validates',
  ACTIVATED: 'loaded into the daemon; the gateway reverts unless confirmed',
  INITIATED: 'initiating the tunnels',
  VERIFIED: 'the tunnels are up',
  'VERIFY-TIMEOUT': 'the tunnels did not come up in time',
  COMMITTED: 'confirmed: the change is kept',
  REVERTED: 'reverted to the previous configuration',
  FAILED: 'failed',
  'ROLLED-BACK': 'rolled back to the previous configuration',
  BUSY: 'another change is running on the gateway',
}

/** One line for a progress step; VERIFIED says what was verified (one tunnel held up; both BGP sessions). */
export function toStepLine(p: ApplyProgress, opts: { readonly activeStandby?: boolean; readonly bgp?: boolean } = {}): string {
  const verified = opts.activeStandby ? 'one tunnel is up, the other stands by (policy-based: AWS allows one)' : opts.bgp ? 'both tunnels are up and both BGP sessions Established' : STEP_TEXT.VERIFIED
  const text = p.step === 'VERIFIED' ? verified : STEP_TEXT[p.step]
  return `  ${p.step.padEnd(14)} ${text}${p.detail && p.step === 'FAILED' ? `: ${toTerminalText(p.detail)}` : ''}`
}

function routingWords(r: RoutingDecision): string {
  const why = r.basis === 'gateway' ? ' (auto: from the gateway\'s kernel)' : r.basis === 'override' ? ' (chosen)' : r.basis === 'details' ? ' (from the details)' : ' (assumed)'
  return `${r.mode}-based routing${why}`
}

/** The plan as a human reads it: gateway facts, then each file with its diff. */
export function printPlan(io: CliIo, change: PreparedChange): void {
  const f = change.facts
  io.stdout(`Gateway: ${f.os.name} · ${f.stack.detail} · ${routingWords(change.routingDecision)}\n`)
  for (const o of change.overlaps) io.stdout(`WARNING: connection ${JSON.stringify(o.name)} on the gateway: ${o.reason}\n`)
  for (const w of change.lint.filter((l) => l.severity === 'warning')) io.stdout(`WARNING: ${w.path || '(file)'}: ${w.message}\n`)
  if (change.plan.noop) {
    io.stdout('No changes: the gateway already has this configuration.\n')
    return
  }
  for (const c of change.plan.changes) {
    io.stdout(`\n${c.action.toUpperCase().padEnd(12)} ${c.path}${c.secret ? ' (secret)' : ''}\n`)
    if (c.diff) io.stdout(`${c.diff.endsWith('\n') ? c.diff : `${c.diff}\n`}`)
  }
  for (const n of change.rendered.notes) io.stdout(`\nNote: ${n}\n`)
}

/** The plan as JSON (no secrets: secret files are described, never shown). */
export function toPlanJson(change: PreparedChange) {
  return {
    gateway: { os: change.facts.os, stack: change.facts.stack, layout: change.facts.layout },
    kind: change.kind,
    routing: change.routing,
    routingBasis: change.routingDecision.basis,
    tunnels: change.tunnels,
    noop: change.plan.noop,
    overlaps: change.overlaps,
    warnings: change.lint.filter((l) => l.severity === 'warning').map((l) => ({ id: l.id, path: l.path, message: l.message })),
    changes: change.plan.changes,
    connections: change.rendered.connectionNames,
    notes: change.rendered.notes,
  }
}

/** The end of apply in words: what happened, and for failures what was rolled back and why. */
export function toResultText(r: ApplyResult): string {
  switch (r.outcome) {
    case 'no-change':
      return 'No changes: the gateway already has this configuration; the tunnels were not touched.'
    case 'committed':
      return `Applied and confirmed (change ${r.txnId}). Roll back with: tunnelwright rollback --host …`
    case 'rolled-back':
      return `Nothing changed: step "${r.failedStep}" failed and the gateway put the previous configuration back.${r.detail ? `\nThe gateway said: ${r.detail}` : ''}${fixLine(r)}`
    case 'reverted':
      return `Reverted: ${r.detail ?? 'the change was not confirmed'}. The gateway is back on its previous configuration.${fixLine(r)}`
    case 'failed':
      return `Not applied: ${r.detail ?? 'unknown failure'}.${fixLine(r)}`
  }
}

function fixLine(r: ApplyResult): string {
  return r.fix ? `\nFix: ${r.fix}` : ''
}
