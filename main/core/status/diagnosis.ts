// Named failure modes (shared/docs/research/aws-cloudgov.md §4) from what the gateway shows: recent daemon
// log lines, the status snapshots, and optional probe results. Pure: no I/O.
import { type Secret } from '../base/secret'
import { parseDaemonLog, type LogLine } from './log-lines'
import { type StatusSnapshot, type TunnelStatus } from './model'

/** The failure modes the app can name. */
export type DiagnosisId =
  | 'proposal-mismatch'
  | 'psk-mismatch'
  | 'psk-swapped'
  | 'id-mismatch'
  | 'selector-mismatch'
  | 'extra-sas'
  | 'not-reinitiated'
  | 'idle-flapping'
  | 'inbound-zero'
  | 'outbound-zero'
  | 'ike-no-answer'
  | 'natt-no-answer'
  | 'mtu-stall'
  | 'lifetime-mismatch'
  | 'libreswan-ikev1-refused'
  | 'inbound-policy-mismatch'

/** One diagnosis: what is wrong, what shows it (never a secret), and what to do. */
export interface Diagnosis {
  readonly id: DiagnosisId
  readonly severity: 'error' | 'warning'
  /** The connection name or peer the diagnosis is about, when known. */
  readonly tunnel?: string
  readonly cause: string
  /** Log lines or counters that show it (PSKs redacted). */
  readonly evidence: readonly string[]
  readonly fix: string
}

/** Connection policy as configured on the gateway (for "never re-initiated"). */
export interface ConnPolicy {
  readonly name: string
  readonly peer: string
  /** swanctl start_action / ipsec.conf auto. */
  readonly startAction?: 'none' | 'start' | 'trap' | 'add' | 'route' | 'ondemand'
  readonly dpdAction?: 'clear' | 'hold' | 'restart' | 'trap' | 'start' | 'none'
  readonly closeAction?: 'none' | 'clear' | 'hold' | 'restart' | 'trap' | 'start'
}

/** A path-MTU probe through the tunnel (`ping -M do -s N`). */
export interface MtuProbe {
  readonly peer: string
  readonly smallOk: boolean
  readonly largeOk: boolean
  readonly largeSize: number
}

/** Everything diagnose looks at; every part is optional. */
export interface DiagnosisInput {
  /** Recent daemon log text (charon filelog/journal or pluto). */
  readonly log?: string
  /** Status snapshots, oldest first (the last one is "now"). */
  readonly snapshots?: readonly StatusSnapshot[]
  readonly conns?: readonly ConnPolicy[]
  readonly mtu?: readonly MtuProbe[]
  /** Secrets that must never appear in evidence (redacted if a log line carries one). */
  readonly secrets?: readonly Secret[]
  /** `ipsec --version` text of a Libreswan gateway, with its `config setup` text. */
  readonly libreswan?: { readonly version: string; readonly configSetup: string; readonly usesIkev1: boolean }
  /** The gateway's clock (epoch seconds and UTC offset): old log lines are history, not evidence. */
  readonly clock?: { readonly now: number; readonly utcOffsetSec: number }
  /** The kernel's XfrmInTmplMismatch counter now, and at the previous sample when there was one. */
  readonly xfrmInTmplMismatch?: { readonly now: number; readonly previous?: number }
  /** Policy-based tunnels (both share one selector pair, so one kernel policy). */
  readonly policyBased?: boolean
}

/** How far back log lines count as evidence of what is wrong now (older lines are history). */
export const LOG_EVIDENCE_MAX_AGE_SEC = 600

const MAX_EVIDENCE = 4

function redactor(secrets: readonly Secret[]): (s: string) => string {
  const values = secrets.map((s) => s.reveal()).filter((v) => v.length >= 4)
  return (line) => {
    let out = line
    for (const v of values) out = out.split(v).join('[redacted]')
    // Belt and braces: anything that looks like a secret assignment is cut.
    return out.replace(/((?:secret|psk|PSK)\s*[=:]\s*)("[^"]*"|\S+)/g, '$1[redacted]')
  }
}

interface Rule {
  readonly id: DiagnosisId
  readonly severity: 'error' | 'warning'
  readonly match: RegExp
  readonly cause: string
  readonly fix: string
}

const PROPOSAL: Rule = {
  id: 'proposal-mismatch',
  severity: 'error',
  match: /NO_PROPOSAL_CHOSEN|no proposal found|no acceptable [A-Z_]+ found/,
  cause: 'The peers share no proposal: algorithms, DH group or PFS differ (modp2048s256 is DH group 24, not 14; AWS templates default to SHA1/DH2).',
  fix: 'Use cloud.gov\'s proposal on both phases: aes256 (or aes128) + sha256 + modp2048 (DH 14), PFS on for phase 2.',
}

const PSK_LINES = /decryption failed\?|could not decrypt payloads|mismatch of preshared secrets|invalid HASH_V1 payload/

const ID_LINES = /IDir '.*' does not match to '.*'|we require IKEv1 peer to have ID|received AUTHENTICATION_FAILED error notify|no peer config found|peer declares/

const SELECTOR_LINES = /TS_UNACCEPTABLE|traffic selectors .* unacceptable|no matching CHILD_SA config found|cannot respond to IPsec SA request because no connection is known/

/** charon's lines for a packet sent to / received from port 4500 (NAT-T), and a packet heard on port 500. */
const ESTABLISHED = /IKE_SA .* established between|ISAKMP SA established|IKE SA established/
const NATT_SENT = /sending packet: from \S+\[4500\] to \S+\[4500\]/
const NATT_HEARD = /received packet: from \S+\[4500\]/
const PORT500_HEARD = /received packet: from \S+\[500\]/
const NO_ANSWER = /sending retransmit \d+ of request|retransmit \d+ of request with message ID|giving up after \d+ retransmits|peer not responding/

const IKEV1_REFUSED = /ikev1-policy|IKEv1 (?:is )?(?:not supported|disabled|dropped)|dropping IKEv1/i

/** Turns what the gateway shows into named failure modes (most specific first; evidence capped per item). */
export function diagnose(input: DiagnosisInput): Diagnosis[] {
  const redact = redactor(input.secrets ?? [])
  const out: Diagnosis[] = []
  const snaps = input.snapshots ?? []
  const now = snaps.at(-1)
  const lines = input.log ? toCurrentLines(parseDaemonLog(input.log, input.clock), input.clock, now) : []
  diagnoseLog(lines, redact, out)
  if (input.xfrmInTmplMismatch) diagnoseXfrm(input.xfrmInTmplMismatch, now, input.policyBased === true, out)
  if (now) diagnoseSnapshot(now, snaps.at(-2), lines, input.conns ?? [], out)
  if (snaps.length > 1) diagnoseHistory(snaps, out)
  for (const p of input.mtu ?? []) {
    if (p.smallOk && !p.largeOk) {
      out.push({
        id: 'mtu-stall',
        severity: 'warning',
        tunnel: p.peer,
        cause: `Small packets pass but ${p.largeSize}-byte packets with DF set do not: AWS does no path-MTU discovery, so large transfers stall.`,
        evidence: [`ping -M do -s ${p.largeSize} failed while small pings succeed`],
        fix: 'Clamp TCP MSS to 1382 with NAT-T (1398 without) on traffic into the tunnel and lower the tunnel MTU.',
      })
    }
  }
  if (input.libreswan) {
    const v = /(\d+)\.(\d+)/.exec(input.libreswan.version)
    const major = v ? Number(v[1]) : 0
    const minor = v ? Number(v[2]) : 0
    // Upstream 5.0 made ikev1-policy=drop the default; distro 4.x builds (Debian ≥ 4.5-2, Ubuntu 4.7) patched it in,
    // which the version string does not show, so for 4.x only the log can tell.
    const dropsByDefault = major >= 5
    const accepts = /ikev1-policy\s*=\s*accept/.test(input.libreswan.configSetup)
    const logEvidence = lines.filter((l) => IKEV1_REFUSED.test(l.message)).map((l) => redact(l.raw.trim()))
    if (input.libreswan.usesIkev1 && ((dropsByDefault && !accepts) || logEvidence.length > 0)) {
      out.push({
        id: 'libreswan-ikev1-refused',
        severity: 'error',
        cause: `Libreswan ${v ? `${major}.${minor}` : ''} drops IKEv1 unless config setup has ikev1-policy=accept (default since 5.0; Debian/Ubuntu patched 4.x the same way).`.replace('  ', ' '),
        evidence: [`ipsec --version: ${input.libreswan.version.trim()}`, ...logEvidence].slice(0, MAX_EVIDENCE),
        fix: 'Add ikev1-policy=accept to config setup (restarting pluto drops every tunnel on the host), or move the tunnels to IKEv2.',
      })
    }
  }
  return out
}

/**
 * The log lines that still say something about now: not older than LOG_EVIDENCE_MAX_AGE_SEC, and for a
 * tunnel that is up, not older than its current IKE SA (what went wrong before it came up is history).
 * Lines without a time stay (they cannot be aged).
 */
function toCurrentLines(lines: readonly LogLine[], clock: DiagnosisInput['clock'], snap: StatusSnapshot | undefined): LogLine[] {
  if (!clock) return [...lines]
  const upSince = new Map<string, number>()
  for (const t of snap?.tunnels ?? []) if (t.up && t.ikeAgeSec !== undefined) upSince.set(t.name, clock.now - t.ikeAgeSec)
  return lines.filter((l) => {
    if (l.at === undefined) return true
    if (l.at < clock.now - LOG_EVIDENCE_MAX_AGE_SEC) return false
    const since = l.conn === undefined ? undefined : upSince.get(l.conn)
    return since === undefined || l.at >= since - 1
  })
}

/**
 * The kernel dropping what arrives through an SA its inbound policy does not name. Rising between samples
 * is happening now (error); with one sample, a count with both policy-based tunnels up is the hazard itself.
 */
function diagnoseXfrm(x: NonNullable<DiagnosisInput['xfrmInTmplMismatch']>, snap: StatusSnapshot | undefined, policyBased: boolean, out: Diagnosis[]): void {
  const bothUp = (snap?.tunnels.filter((t) => t.up).length ?? 0) >= 2
  const rising = x.previous !== undefined && x.now > x.previous
  if (!rising && !(x.previous === undefined && x.now > 0 && policyBased && bothUp)) return
  out.push({
    id: 'inbound-policy-mismatch',
    severity: rising ? 'error' : 'warning',
    cause: policyBased
      ? 'The kernel drops what AWS sends back through the tunnel its policy does not point to: both policy-based tunnels carry the same selectors, the kernel keeps one policy, and AWS answers on whichever tunnel it prefers.'
      : "The kernel drops packets that arrive through an SA its inbound policy does not name (a policy without the tunnel's interface ID, or another connection's policy over the same traffic).",
    evidence: [rising ? `XfrmInTmplMismatch rose from ${x.previous} to ${x.now} between two readings` : `XfrmInTmplMismatch ${x.now} (since boot) with both tunnels up`],
    fix: policyBased ? 'Keep one tunnel up at a time (apply again: tunnel 2 then stands by), or set "routing": "route" in the details so each tunnel has its own interface.' : 'Apply the rendered configuration again (each tunnel\'s policies carry its own interface ID) and remove other connections over the same traffic.',
  })
}

/**
 * The newest negotiation of one connection (lines of one charon IKE_SA id) when it is the NAT-T failure: the
 * peer was heard on port 500, charon switched to 4500, retransmitted, and heard nothing on 4500. Returns the
 * evidence lines (the last answer on 500, the switch, the retransmits), or undefined.
 */
function lastNattAttempt(ls: readonly LogLine[]): LogLine[] | undefined {
  const ids = [...new Set(ls.flatMap((l) => (l.ikeSa === undefined ? [] : [l.ikeSa])))]
  for (const id of ids.reverse()) {
    const sa = ls.filter((l) => l.ikeSa === id)
    if (sa.some((l) => ESTABLISHED.test(l.message))) return undefined
    const switched = sa.findIndex((l) => NATT_SENT.test(l.message))
    if (switched < 0) continue
    const heard500 = sa.slice(0, switched).filter((l) => PORT500_HEARD.test(l.message))
    const after = sa.slice(switched)
    const unanswered = after.filter((l) => NO_ANSWER.test(l.message))
    if (heard500.length === 0 || unanswered.length === 0 || after.some((l) => NATT_HEARD.test(l.message))) return undefined
    return [...heard500.slice(-1), after[0]!, ...unanswered]
  }
  return undefined
}

function byConn(lines: readonly LogLine[], re: RegExp): Map<string, LogLine[]> {
  const m = new Map<string, LogLine[]>()
  for (const l of lines) {
    if (!re.test(l.message)) continue
    const k = l.conn ?? ''
    m.set(k, [...(m.get(k) ?? []), l])
  }
  return m
}

function evidence(ls: readonly LogLine[], redact: (s: string) => string): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const l of ls) {
    const key = `${l.conn ?? ''} ${l.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(redact(l.raw.trim()))
    if (out.length >= MAX_EVIDENCE) break
  }
  return out
}

function withTunnel(tunnel: string): { tunnel?: string } {
  return tunnel === '' ? {} : { tunnel }
}

function diagnoseLog(lines: readonly LogLine[], redact: (s: string) => string, out: Diagnosis[]): void {
  for (const [conn, ls] of byConn(lines, PROPOSAL.match)) {
    out.push({ id: PROPOSAL.id, severity: PROPOSAL.severity, ...withTunnel(conn), cause: PROPOSAL.cause, evidence: evidence(ls, redact), fix: PROPOSAL.fix })
  }

  const psk = byConn(lines, PSK_LINES)
  const pskConns = [...psk.keys()].filter((k) => k !== '')
  if (pskConns.length >= 2) {
    out.push({
      id: 'psk-swapped',
      severity: 'error',
      tunnel: pskConns.join(', '),
      cause: 'Both tunnels fail to decrypt the peer\'s IKE messages: the two PSKs are most likely swapped between the tunnels (or both wrong).',
      evidence: pskConns.flatMap((c) => evidence(psk.get(c) ?? [], redact).slice(0, 2)).slice(0, MAX_EVIDENCE),
      fix: 'Pair each pre-shared key (PSK) with its own tunnel outside IP exactly as in the provider\'s configuration (Tunnel 1 PSK ↔ Tunnel 1 IP).',
    })
  } else {
    for (const [conn, ls] of psk) {
      out.push({
        id: 'psk-mismatch',
        severity: 'error',
        ...withTunnel(conn),
        cause: 'The pre-shared keys differ: the peer\'s encrypted IKE messages cannot be decrypted (IKEv1 shows this as "decryption failed?").',
        evidence: evidence(ls, redact),
        fix: 'Re-enter the pre-shared key (PSK) of this tunnel from the provider\'s configuration; check it belongs to this tunnel\'s outside IP.',
      })
    }
  }

  // INVALID_ID_INFORMATION before the IKE SA is up is an identity problem; after it (quick mode) a selector one.
  const established = new Set<string>()
  const idLines = new Map<string, LogLine[]>()
  const selLines = new Map<string, LogLine[]>()
  const add = (m: Map<string, LogLine[]>, l: LogLine) => m.set(l.conn ?? '', [...(m.get(l.conn ?? '') ?? []), l])
  for (const l of lines) {
    const k = l.conn ?? ''
    if (/IKE_SA .* established between|ISAKMP SA established|IKE SA established/.test(l.message)) established.add(k)
    if (/INVALID_ID_INFORMATION/.test(l.message)) add(established.has(k) ? selLines : idLines, l)
    else if (ID_LINES.test(l.message)) add(idLines, l)
    else if (SELECTOR_LINES.test(l.message)) add(selLines, l)
  }
  for (const [conn, ls] of idLines) {
    out.push({
      id: 'id-mismatch',
      severity: 'error',
      ...withTunnel(conn),
      cause: 'The IKE identities do not match: behind NAT the gateway must present its public IP as its ID (not its private address), and the remote ID must be the AWS outside IP.',
      evidence: evidence(ls, redact),
      fix: 'Set the local ID (leftid / local.id) to the gateway\'s public IP as the provider has it on file, and the remote ID to the tunnel outside IP.',
    })
  }
  for (const [conn, ls] of selLines) {
    out.push({
      id: 'selector-mismatch',
      severity: 'error',
      ...withTunnel(conn),
      cause: 'Phase 1 is up but phase 2 is refused: the traffic selectors (local/remote subnets) differ from what the peer has configured.',
      evidence: evidence(ls, redact),
      fix: 'Use exactly one selector pair per tunnel: your (summarized) private CIDR ↔ the provider\'s subnet, as in the details file.',
    })
  }

  const named = new Set(out.flatMap((d) => (d.tunnel ?? '').split(', ')))
  const heard = new Set(lines.filter((l) => /received packet|parsed \S+ (?:response|request)/.test(l.message)).map((l) => l.conn ?? ''))
  // Behind NAT: the peer answered on UDP 500, charon moved to UDP 4500 (NAT-T) and from then on hears nothing.
  // Port 500 passing is what sends people to the wrong port, so this is named before "no answer" is.
  for (const [conn, ls] of byConn(lines, /./)) {
    if (named.has(conn)) continue
    const attempt = lastNattAttempt(ls)
    if (attempt === undefined) continue
    named.add(conn)
    out.push({
      id: 'natt-no-answer',
      severity: 'error',
      ...withTunnel(conn),
      cause: 'AWS answers IKE on UDP 500, but after the switch to UDP 4500 (NAT-T, used because there is NAT on the path) nothing comes back: UDP 4500 is blocked between the gateway and AWS.',
      evidence: evidence(attempt, redact),
      fix: 'Allow UDP 4500 in both directions between the gateway (and the NAT device in front of it) and both AWS outside IPs; behind NAT, IKE and the tunnel traffic (ESP in UDP) both travel on it.',
    })
  }
  for (const [conn, ls] of byConn(lines, NO_ANSWER)) {
    // Retransmits also follow a PSK or proposal failure; only silence from the peer means a blocked path.
    if (established.has(conn) || named.has(conn) || heard.has(conn)) continue
    out.push({
      id: 'ike-no-answer',
      severity: 'error',
      ...withTunnel(conn),
      cause: 'IKE requests go unanswered: UDP 500/4500 to or from the peer is blocked upstream, or the peer address is wrong.',
      evidence: evidence(ls, redact),
      fix: 'Allow UDP 500 and 4500 (and ESP, IP protocol 50) between the gateway and both AWS outside IPs on every firewall in the path.',
    })
  }
}

function policyFor(conns: readonly ConnPolicy[], t: TunnelStatus): ConnPolicy | undefined {
  return conns.find((c) => c.peer === t.peer) ?? conns.find((c) => c.name === t.name)
}

function diagnoseSnapshot(now: StatusSnapshot, prev: StatusSnapshot | undefined, lines: readonly LogLine[], conns: readonly ConnPolicy[], out: Diagnosis[]): void {
  for (const t of now.tunnels) {
    if (t.ikeSaCount > 1 || t.childSaCount > 1) {
      out.push({
        id: 'extra-sas',
        severity: 'warning',
        tunnel: t.name,
        cause: 'More than one SA to this peer: AWS allows one SA pair per tunnel and deletes extras after about 10 s (several subnets under IKEv1, or rekey/reauth collisions).',
        evidence: [`${t.peer}: ${t.ikeSaCount} IKE SA(s), ${t.childSaCount} installed CHILD SA(s)`],
        fix: 'Use one selector pair per tunnel (summarize the CIDRs or go route-based); if it persists past the rekey window, align lifetimes (28800 s / 3600 s).',
      })
    }
    const before = prev?.tunnels.find((p) => p.peer === t.peer)
    const sameSa = before !== undefined && before.childUniqueId !== undefined && before.childUniqueId === t.childUniqueId
    if (t.up) {
      const outGrew = sameSa ? t.bytesOut > before.bytesOut : t.bytesOut > 0
      const inGrew = sameSa ? t.bytesIn > before.bytesIn : t.bytesIn > 0
      if (outGrew && !inGrew && t.bytesIn === 0) {
        out.push({
          id: 'inbound-zero',
          severity: 'error',
          tunnel: t.name,
          cause: 'The tunnel is up and sends, but nothing comes back: ESP (IP protocol 50) or UDP 4500 is dropped on the way in, or the far side has no route back.',
          evidence: [`${t.name} SPI ${t.spiIn ?? '?'}: in ${t.bytesIn} bytes / out ${t.bytesOut} bytes`],
          fix: 'Allow ESP and UDP 4500 from the AWS outside IP inbound; check that the provider routes your CIDR to this tunnel.',
        })
      } else if (inGrew && !outGrew && t.bytesOut === 0) {
        out.push({
          id: 'outbound-zero',
          severity: 'error',
          tunnel: t.name,
          cause: 'The tunnel is up but nothing is sent into it: a NAT/MASQUERADE rule likely rewrites the source before IPsec, or LAN traffic is not routed to the gateway.',
          evidence: [`${t.name} SPI ${t.spiOut ?? '?'}: in ${t.bytesIn} bytes / out ${t.bytesOut} bytes`],
          fix: 'Exempt traffic to the provider\'s subnet from source NAT (an IPsec policy match before MASQUERADE) and route it via this gateway.',
        })
      }
      continue
    }
    // Standing by beside the active tunnel (policy-based): down on purpose, and keepup.sh starts it when needed.
    if (t.standby) continue
    const policy = policyFor(conns, t)
    const passive = policy && (policy.startAction === 'none' || policy.startAction === 'add' || policy.dpdAction === 'clear' || policy.closeAction === 'none' || policy.closeAction === 'clear')
    const gone = lines.filter((l) => (l.conn === t.name || l.conn === undefined) && /received DELETE for IKE_SA|deleting IKE_SA|DPD.*dead|peer is not responding|closing IKE_SA/i.test(l.message))
    const lastGone = gone.length > 0 ? lines.indexOf(gone.at(-1) as LogLine) : -1
    const retried = lines.some((l, i) => i > lastGone && l.conn === t.name && /initiating (?:Main Mode|Aggressive Mode|IKE_SA)/.test(l.message))
    if (passive || (gone.length > 0 && !retried)) {
      out.push({
        id: 'not-reinitiated',
        severity: 'error',
        tunnel: t.name,
        cause: 'The tunnel is down and nothing brings it back: AWS never initiates IKEv1, so after DPD, a DELETE or maintenance the gateway itself must restart it.',
        evidence: [
          ...(policy ? [`${policy.name}: start_action=${policy.startAction ?? '?'} dpd_action=${policy.dpdAction ?? '?'} close_action=${policy.closeAction ?? '?'}`] : []),
          ...gone.slice(-2).map((l) => l.raw.trim()),
        ].slice(0, MAX_EVIDENCE),
        fix: 'Set start_action=start (auto=start), dpd_action=restart, close_action=restart (keyingtries=%forever) and initiate the tunnel now.',
      })
    }
  }
}

function near(x: number, target: number, slack: number): boolean {
  return Math.abs(x - target) <= slack
}

function diagnoseHistory(snaps: readonly StatusSnapshot[], out: Diagnosis[]): void {
  const peers = new Set(snaps.flatMap((s) => s.tunnels.map((t) => t.peer)))
  for (const peer of peers) {
    const drops: { at: number; idle: boolean }[] = []
    let name = peer
    for (let i = 1; i < snaps.length; i++) {
      const a = snaps[i - 1]?.tunnels.find((t) => t.peer === peer)
      const b = snaps[i]?.tunnels.find((t) => t.peer === peer)
      if (b) name = b.name
      if (a?.up && !b?.up) {
        const older = snaps[i - 2]?.tunnels.find((t) => t.peer === peer)
        const idle = older !== undefined && older.childUniqueId === a.childUniqueId && older.bytesIn === a.bytesIn && older.bytesOut === a.bytesOut
        drops.push({ at: (snaps[i] as StatusSnapshot).at, idle })
      }
    }
    if (drops.length < 2) continue
    const gaps = drops.slice(1).map((d, i) => (d.at - (drops[i] as { at: number }).at) / 1000)
    const hourly = gaps.every((g) => near(g, 3600, 300))
    const eightHourly = gaps.every((g) => near(g, 28800, 900))
    if (hourly || eightHourly) {
      out.push({
        id: 'lifetime-mismatch',
        severity: 'warning',
        tunnel: name,
        cause: `The tunnel drops every ${hourly ? 'hour' : '8 hours'}: the phase ${hourly ? '2 (3600 s)' : '1 (28800 s)'} lifetime differs between the peers, so one side expires the SA before the other rekeys.`,
        evidence: gaps.slice(0, MAX_EVIDENCE).map((g) => `down again after ${Math.round(g)} s`),
        fix: 'Set phase 1 lifetime 28800 s and phase 2 lifetime 3600 s, rekeyed by the gateway before expiry (Libreswan defaults to 8 h for both).',
      })
    } else if (drops.filter((d) => d.idle).length >= 2) {
      out.push({
        id: 'idle-flapping',
        severity: 'warning',
        tunnel: name,
        cause: 'The tunnel drops while idle: AWS tears down idle tunnels (DPD on no traffic), and nothing keeps it busy.',
        evidence: drops.filter((d) => d.idle).slice(0, MAX_EVIDENCE).map((d) => `down at ${new Date(d.at).toISOString()} with counters unchanged before`),
        fix: 'Keep traffic flowing (a ping every 5 s to a host behind the tunnel, as AWS\'s own templates do) and answer DPD (dpd_delay 10 s).',
      })
    }
  }
}
