// Path probe: from the gateway itself, does each AWS peer answer IKE on UDP 500 (and on 4500 after the NAT-T
// switch)? Needs nothing installed: a throwaway IKE-only connection per peer is loaded into the gateway's own
// charon over VICI, initiated, read back from charon's own log stream, and removed again.
//
// The probe uses the REAL PSK and proposal: a probe with a wrong PSK would make AWS log failed authentications
// for the customer gateway, and the real one also proves the PSK and the proposal. The PSK travels only inside
// the VICI request over the SSH channel (never to disk, never into evidence).
import { randomBytes } from 'node:crypto'
import { diagnose, type Diagnosis } from '../status/diagnosis'
import { parseViciListSas } from '../status/vici-sas'
import type { Secret } from '../base/secret'
import type { ViciClient, ViciEvent } from '../vici/client'
import type { ViciMessage } from '../vici/wire'
import type { Finding, Fix, Flow } from './model'

/** Prefix of every throwaway connection and secret the probe loads (nothing else is ever touched). */
export const PROBE_PREFIX = 'tw-probe-'

/** What the probe needs: the peers with their PSKs and our side as the tunnel will use it. */
export interface PathProbeInput {
  readonly peers: readonly { readonly peer: string; readonly psk: Secret }[]
  /** Our IKE identity: the public IP (behind NAT too). */
  readonly localId: string
  /** The address to send from; omitted = charon picks the source by route. */
  readonly localAddress?: string
  readonly ikeVersion: 1 | 2
  /** strongSwan IKE proposal, e.g. aes256-sha256-modp2048. */
  readonly ikeProposal: string
  /** How long to wait for each peer's answer (default PROBE_TIMEOUT_MS). */
  readonly timeoutMs?: number
}

/**
 * The default wait for the peers' answers: long enough for charon's first retransmit (4 s after a packet)
 * to be answered, so one lost UDP packet is not reported as a blocked port. A clean path is decided in well
 * under a second; only a blocked one waits this long.
 */
export const PROBE_TIMEOUT_MS = 8500

/** charon's log of one probe, as `+ms NN[GRP] <name|id> message` lines (parseable by parseDaemonLog). */
export interface ProbeTrace {
  readonly peer: string
  readonly name: string
  readonly lines: readonly string[]
  readonly ms: number
}

/** A peer not probed, and why. */
export interface ProbeSkip {
  readonly peer: string
  readonly reason: string
  /** `collision`: an IKE SA to this peer already exists (a probe would replace it at AWS); status is used instead. */
  readonly kind: 'collision' | 'unavailable'
}

/** The probe's results: one trace per probed peer, and the peers skipped. */
export interface ProbeResult {
  readonly traces: readonly ProbeTrace[]
  readonly skipped: readonly ProbeSkip[]
  /** Cleanup steps that failed (the throwaway names are in them, so an operator can remove them by hand). */
  readonly cleanupErrors: readonly string[]
}

/** The throwaway connection for one peer, as a VICI load-conn section (no CHILD: IKE only). */
export function toProbeConn(input: PathProbeInput, peer: string): ViciMessage {
  return {
    version: String(input.ikeVersion),
    ...(input.localAddress === undefined ? {} : { local_addrs: [input.localAddress] }),
    remote_addrs: [peer],
    proposals: [input.ikeProposal],
    // One try: the probe reads the first exchange; charon must not keep retrying after we gave up.
    keyingtries: '1',
    local: { auth: 'psk', id: input.localId },
    remote: { auth: 'psk', id: peer },
  }
}

const ESTABLISHED = /IKE_SA \S+ established between/
const DECISIVE_FAILURE = /NO_PROPOSAL_CHOSEN|no proposal found|decryption failed\?|AUTHENTICATION_FAILED|INVALID_ID_INFORMATION|establishing IKE_SA failed|giving up after \d+ retransmits|unable to resolve|no local address found|unable to allocate SPIs/

function toLine(m: ViciMessage, t0: number): string {
  const s = (k: string) => (typeof m[k] === 'string' ? m[k] : '')
  const thread = s('thread').padStart(2, '0').slice(-2)
  return `+${Date.now() - t0}ms ${thread}[${s('group') || 'DMN'}] <${s('ikesa-name')}|${s('ikesa-uniqueid') || '0'}> ${s('msg')}`
}

/**
 * Probes every peer at once over one VICI connection: loads the throwaway connections and secrets, starts
 * them asynchronously, reads charon's `log` events until each peer is decided or the timeout passes, then
 * terminates, unloads the connections and the secrets (always). Peers that already have an IKE SA are skipped.
 */
export async function probePaths(vici: ViciClient, input: PathProbeInput): Promise<ProbeResult> {
  const timeoutMs = input.timeoutMs ?? PROBE_TIMEOUT_MS
  const existing = parseViciListSas(await vici.listSas({ noblock: true })).filter((s) => !s.name.startsWith(PROBE_PREFIX))
  const skipped: ProbeSkip[] = []
  const probes: { peer: string; psk: Secret; name: string }[] = []
  for (const p of input.peers) {
    const sa = existing.find((s) => s.remoteHost === p.peer)
    if (sa) skipped.push({ peer: p.peer, kind: 'collision', reason: `an IKE SA to ${p.peer} already exists (${sa.name}, ${sa.state}); a probe with the same identities would replace it at AWS` })
    else probes.push({ ...p, name: `${PROBE_PREFIX}${randomBytes(4).toString('hex')}` })
  }
  if (probes.length === 0) return { traces: [], skipped, cleanupErrors: [] }
  const lines = new Map<string, string[]>(probes.map((p) => [p.name, []]))
  const decided = new Map<string, number>()
  const loaded: { name: string; conn: boolean; secret: boolean }[] = []
  const cleanupErrors: string[] = []
  const t0 = Date.now()
  const sub = await vici.subscribe(['log'])
  try {
    const it = sub[Symbol.asyncIterator]()
    let pending: Promise<IteratorResult<ViciEvent>> | undefined
    for (const p of probes) {
      const state = { name: p.name, conn: false, secret: false }
      loaded.push(state)
      await vici.loadConn(p.name, toProbeConn(input, p.peer))
      state.conn = true
      await vici.loadShared({ id: p.name, type: 'IKE', data: p.psk, owners: [input.localId, p.peer] })
      state.secret = true
      // timeout -1: charon returns at once; the outcome is read from the log events below.
      const r = await vici.initiate({ ike: p.name, timeoutMs: -1 })
      if (!r.success) {
        lines.get(p.name)?.push(`+${Date.now() - t0}ms 00[CFG] <${p.name}|0> initiate refused: ${r.errmsg ?? 'no reason given'}`)
        decided.set(p.name, Date.now() - t0)
      }
    }
    const deadline = Date.now() + timeoutMs
    while (decided.size < probes.length) {
      const left = deadline - Date.now()
      if (left <= 0) break
      pending ??= it.next()
      let timer: NodeJS.Timeout | undefined
      const next = await Promise.race([pending, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), left)))])
      clearTimeout(timer)
      if (next === 'timeout') break
      pending = undefined
      if (next.done) break
      const name = next.value.message['ikesa-name']
      if (typeof name !== 'string' || !lines.has(name)) continue
      const line = toLine(next.value.message, t0)
      lines.get(name)?.push(line)
      if (!decided.has(name) && (ESTABLISHED.test(line) || DECISIVE_FAILURE.test(line))) decided.set(name, Date.now() - t0)
    }
  } finally {
    await sub.close().catch(() => undefined)
    for (const l of loaded) {
      // Force: a half-open probe SA must not wait for an answer that will not come.
      if (l.conn) await vici.terminate({ ike: l.name, force: true, timeoutMs: 1000 }).catch(() => undefined)
      if (l.conn) await vici.unloadConn(l.name).catch((e: unknown) => cleanupErrors.push(`unload-conn ${l.name}: ${(e as Error).message}`))
      if (l.secret) await vici.unloadShared(l.name).catch((e: unknown) => cleanupErrors.push(`unload-shared ${l.name}: ${(e as Error).message}`))
    }
  }
  const traces = probes.map((p) => ({ peer: p.peer, name: p.name, lines: lines.get(p.name) ?? [], ms: decided.get(p.name) ?? Date.now() - t0 }))
  return { traces, skipped, cleanupErrors }
}

/** Host-side findings the probe's verdict is read against (a host drop explains an upstream silence). */
export interface ProbeContext {
  readonly publicIp: string
  readonly timeoutMs: number
  readonly hostFindings: readonly Finding[]
}

/** The request to whoever runs the network path, with the AWS-side note (a wrong registered address looks the same). */
export function toUpstreamFix(publicIp: string, peer: string, what: string): Fix {
  return {
    upstream:
      `Ask whoever runs the network between this gateway and the internet (network team, data center, cloud provider or ISP) to allow ${what} between ${publicIp} and ${peer} in both directions, and to check any firewall or NAT device in front of the gateway. ` +
      `AWS side: the AWS endpoint answers only the customer gateway address registered for this VPN; if cloud.gov registered another address than ${publicIp}, it stays silent in the same way — ask cloud.gov to confirm the customer gateway IP.`,
  }
}

function hostBlock(ctx: ProbeContext, peer: string, flows: readonly Flow[]): Finding | undefined {
  return ctx.hostFindings.find((f) => f.verdict === 'blocked' && f.subject.peer === peer && f.subject.flow !== undefined && flows.includes(f.subject.flow) && f.id.startsWith('fw.'))
}

function first(lines: readonly string[], re: RegExp, n = 2): string[] {
  return lines.filter((l) => re.test(l)).slice(0, n)
}

function esc(ip: string): string {
  return ip.replace(/\./g, '\\.')
}

/** Maps a diagnosis of the probe's own log to a finding about IKE with this PSK/proposal. */
function toIkeFinding(peer: string, d: Diagnosis): Finding {
  return {
    id: `path.ike.${peer}`,
    severity: 'error',
    subject: { peer, topic: d.id },
    verdict: 'problem',
    evidence: [...d.evidence],
    why: `The peer answers, but IKE with this tunnel's settings fails: ${d.cause}`,
    fix: { details: d.fix },
  }
}

/** Turns one probe trace into findings (pure; tested on traces captured from real charon runs). */
export function toProbeFindings(trace: ProbeTrace, ctx: ProbeContext): Finding[] {
  const { peer, lines } = trace
  const p = esc(peer)
  const sent500 = first(lines, new RegExp(`sending packet: from \\S+ to ${p}\\[500\\]`))
  const recv500 = first(lines, new RegExp(`received packet: from ${p}\\[500\\]`))
  const sent4500 = first(lines, new RegExp(`sending packet: from \\S+ to ${p}\\[4500\\]`))
  const recv4500 = first(lines, new RegExp(`received packet: from ${p}\\[4500\\]`))
  const retransmits = first(lines, /sending retransmit \d+ of/, 2)
  const natLocal = first(lines, /local host is behind NAT/, 1)
  const established = first(lines, ESTABLISHED, 1)
  const diagnoses = diagnose({ log: lines.join('\n') }).filter((d) => d.id === 'proposal-mismatch' || d.id === 'psk-mismatch' || d.id === 'psk-swapped' || d.id === 'id-mismatch')
  const waited = `no packet from ${peer} within ${Math.round(ctx.timeoutMs / 100) / 10} s`
  const out: Finding[] = []

  if (sent500.length === 0) {
    out.push({
      id: `path.udp500.${peer}`,
      severity: 'warning',
      subject: { peer, flow: 'udp500' },
      verdict: 'unknown',
      evidence: lines.slice(0, 4).length > 0 ? lines.slice(0, 4) : ['charon logged nothing for the probe'],
      why: 'charon did not send the probe, so the path to the peer is not known (see its log lines).',
    })
    return out
  }
  if (recv500.length > 0) {
    out.push({ id: `path.udp500.${peer}`, severity: 'ok', subject: { peer, flow: 'udp500' }, verdict: 'allowed', evidence: [...sent500.slice(0, 1), ...recv500.slice(0, 1)], why: `${peer} answers IKE on UDP 500: the path is open both ways.` })
  } else {
    const host = hostBlock(ctx, peer, ['udp500'])
    out.push({
      id: `path.udp500.${peer}`,
      severity: 'error',
      subject: { peer, flow: 'udp500' },
      verdict: 'blocked',
      evidence: [...sent500.slice(0, 1), ...retransmits, waited],
      why: host
        ? `IKE requests to ${peer} on UDP 500 go unanswered, and this gateway's own firewall drops UDP 500 (${host.id}): fix that first; if the probe still gets no answer afterwards, the block is also upstream.`
        : `IKE requests to ${peer} on UDP 500 go unanswered while this gateway's own firewall lets them pass: UDP 500 is dropped upstream (a firewall or NAT device between the gateway and AWS), or AWS does not know this gateway's address.`,
      fix: host?.fix ?? toUpstreamFix(ctx.publicIp, peer, 'UDP 500 and UDP 4500 and ESP (IP protocol 50)'),
    })
  }
  if (sent4500.length > 0) {
    if (recv4500.length > 0) {
      out.push({ id: `path.udp4500.${peer}`, severity: 'ok', subject: { peer, flow: 'udp4500' }, verdict: 'allowed', evidence: [...sent4500.slice(0, 1), ...recv4500.slice(0, 1)], why: `${peer} answers on UDP 4500 after the NAT-T switch: IKE and ESP-in-UDP can pass.` })
    } else if (diagnoses.length > 0) {
      out.push({ id: `path.udp4500.${peer}`, severity: 'info', subject: { peer, flow: 'udp4500' }, verdict: 'unknown', evidence: [...sent4500.slice(0, 1)], why: `${peer} refused the exchange before answering on UDP 4500 (see path.ike.${peer}), so UDP 4500 is not proven yet.` })
    } else {
      const host = hostBlock(ctx, peer, ['udp4500'])
      out.push({
        id: `path.udp4500.${peer}`,
        severity: 'error',
        subject: { peer, flow: 'udp4500' },
        verdict: 'blocked',
        evidence: [...recv500.slice(-1), ...sent4500.slice(0, 1), ...retransmits, `no packet from ${peer} on UDP 4500 within ${Math.round(ctx.timeoutMs / 100) / 10} s`],
        why:
          (host
            ? `${peer} answers on UDP 500 but not after the switch to UDP 4500 (NAT-T), and this gateway's own firewall drops UDP 4500 (${host.id}).`
            : `${peer} answers on UDP 500 but not after the switch to UDP 4500 (NAT-T): UDP 4500 is dropped upstream.`) +
          ' With NAT (or NAT-T) IKE and ESP both travel in UDP 4500, so the tunnel cannot come up. (Rarely, a peer that cannot decrypt our message also stays silent: a wrong PSK.)',
        fix: host?.fix ?? toUpstreamFix(ctx.publicIp, peer, 'UDP 4500 (and UDP 500 and ESP)'),
      })
    }
  }
  for (const d of diagnoses) out.push(toIkeFinding(peer, d))
  if (established.length > 0) {
    out.push({ id: `path.ike.${peer}`, severity: 'ok', subject: { peer, topic: 'ike' }, verdict: 'ok', evidence: established, why: `IKE phase 1 with ${peer} completes with this tunnel's PSK, proposal and identity (probe removed afterwards).` })
  }
  if (natLocal.length > 0) {
    out.push({
      id: `path.nat.${peer}`,
      severity: 'info',
      subject: { peer, topic: 'nat' },
      verdict: established.length > 0 ? 'ok' : 'unknown',
      evidence: [...natLocal, ...established],
      why: `IKE found NAT between this gateway and ${peer}: UDP 4500 is required (IKE and ESP move to it), and the IKE ID must be the public IP ${ctx.publicIp}${established.length > 0 ? ', which AWS accepted' : ''}.`,
    })
  }
  return out
}

/** A finding for a peer the probe could not (or must not) run for. */
export function toSkipFinding(skip: ProbeSkip): Finding {
  return {
    id: `path.probe.${skip.peer}`,
    severity: 'info',
    subject: { peer: skip.peer, topic: 'path-probe' },
    verdict: 'unknown',
    evidence: [skip.reason],
    why: skip.kind === 'collision' ? 'Not probed: the tunnel already has an IKE SA, so its live status is read instead (daemon.* findings).' : `The path to ${skip.peer} was not probed from the gateway; the firewall findings above still apply.`,
  }
}
