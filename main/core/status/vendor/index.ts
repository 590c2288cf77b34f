// Read-only status of the vendor devices (Cisco ASA/IOS, PAN-OS, FortiOS, Junos, Windows Server) over SSH, as pure
// functions: the command catalog (what to run, how to turn paging off, what the SSH side must allow),
// and the parsers that turn the outputs into the same snapshots and diagnoses the Linux stacks get.
//
// A session (status/vendor/ssh.ts; the watch in workflow/vendor-status.ts) runs toVendorStatusCommands'
// commands, then the follow-ups toVendorFollowUpCommands derives from their outputs (Junos: per-SA counters), and
// hands the outputs to readVendorStatus. Nothing here writes to a device: every command is a show/get
// (a test holds the catalog to that), and paging is turned off for the session only or avoided.
import type { Details } from '../../details/model'
import type { Secret } from '../../base/secret'
import { toSlug } from '../../details/slug'
import { isVendorKind, toTunnelNames, VENDOR_KINDS, type VendorKind } from '../../base/vocabulary'
import { containsAddress, parsePrefix } from '../../net/cidr'
import { diagnose, type Diagnosis } from '../diagnosis'
import { isIkeUp, toSnapshot, type IkeSaStatus, type StatusSnapshot, type TunnelStatus } from '../model'
import { mergeCiscoPeers, parseAsaIsakmpSa, parseAsaSessiondbL2l, parseCiscoIpsecSa, parseIkev2Sa, parseIosCryptoSession, parseIosIsakmpSa } from './cisco'
import { parseFortiosTunnelSummary } from './fortigate'
import { mergeJunos, parseJunosIkeSa, parseJunosInactiveTunnels, parseJunosIpsecSa, parseJunosIpsecStatistics, parseJunosSt0, toJunosSaIndexes } from './juniper'
import { mergePanos, parsePanosIkeSa, parsePanosIpsecSa } from './paloalto'
import { isReadOnlyPowerShellLine, parseWindowsStatus, WINDOWS_STATUS_COMMANDS } from './windows'

/** The vendor kinds whose status is read over SSH: every vendor kind the app renders a configuration for. */
export type VendorStatusKind = VendorKind

/** Every vendor kind whose status is read over SSH, in the order the faces offer them (the vocabulary's list). */
export const VENDOR_STATUS_KINDS: readonly VendorStatusKind[] = VENDOR_KINDS

/** True for a vendor kind whose status is read over SSH. */
export function isVendorStatusKind(s: string | undefined): s is VendorStatusKind {
  return s !== undefined && isVendorKind(s)
}

/** Which vendor kind a status came from (the snapshot's own source is 'vendor'). */
export type VendorStatusSource = VendorStatusKind

/** One show command of a sample: an id for its output and the line typed at the device's prompt. */
export interface VendorCommand {
  readonly id: string
  readonly line: string
}

/** How to talk to a vendor CLI over SSH, read-only. */
export interface VendorSshProfile {
  /** shell: an interactive session (prompts, paging off first); exec: one command per exec channel (no pager; Windows: one powershell.exe each). */
  readonly mode: 'shell' | 'exec'
  /** These devices often offer keyboard-interactive only for passwords. */
  readonly keyboardInteractive: true
  /** Sent once after login, before the show commands: paging off for this session only (nothing saved). */
  readonly pagingOff?: string
  /** Privileged mode needed for the crypto show commands (Cisco): `enable`, then the enable password. */
  readonly enable?: { readonly command: string; readonly passwordPrompt: RegExp }
  /** The CLI prompt that ends a command's output. */
  readonly prompt: RegExp
  /** Older algorithms some releases still need; allowed only when the user allows them for this connection. */
  readonly legacyAlgorithms: { readonly kex: readonly string[]; readonly cipher: readonly string[]; readonly serverHostKey: readonly string[] }
}

/** Older SSH algorithms (SHA-1 key exchange, CBC ciphers, ssh-rsa host keys) seen on ASA 8.x/9.x, IOS 15, older PAN-OS and FortiOS. */
const LEGACY = { kex: ['diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group1-sha1'], cipher: ['aes256-cbc', 'aes128-cbc', '3des-cbc'], serverHostKey: ['ssh-rsa'] } as const

/** The SSH side of each vendor CLI. */
export const VENDOR_SSH: Readonly<Record<VendorStatusKind, VendorSshProfile>> = {
  // ASA: "terminal pager 0" affects this session only ("pager lines" in the config is untouched).
  'cisco-asa': { mode: 'shell', keyboardInteractive: true, pagingOff: 'terminal pager 0', enable: { command: 'enable', passwordPrompt: /Password:\s*$/ }, prompt: /^[\w.-]+(\/[\w-]+)?[>#]\s*$/m, legacyAlgorithms: LEGACY },
  'cisco-ios': { mode: 'shell', keyboardInteractive: true, pagingOff: 'terminal length 0', enable: { command: 'enable', passwordPrompt: /Password:\s*$/ }, prompt: /^[\w.-]+[>#]\s*$/m, legacyAlgorithms: LEGACY },
  // PAN-OS: "set cli pager off" is an operational-mode setting of this CLI session, not configuration.
  paloalto: { mode: 'shell', keyboardInteractive: true, pagingOff: 'set cli pager off', prompt: /^[\w.@-]+[>#]\s*$/m, legacyAlgorithms: LEGACY },
  // FortiOS pages on the console only when "config system console / set output more"; changing that is a
  // config write, so commands run one per exec channel, which has no pager.
  fortigate: { mode: 'exec', keyboardInteractive: true, prompt: /^[\w.-]+( \([\w-]+\))? [#$]\s*$/m, legacyAlgorithms: LEGACY },
  // Junos: "| no-more" on each command turns the pager off for that command.
  'juniper-srx': { mode: 'shell', keyboardInteractive: true, prompt: /^[\w.@-]+[>#]\s*$/m, legacyAlgorithms: LEGACY },
  // Windows OpenSSH (password or key login) runs an exec request through its DefaultShell; no prompt is read.
  'windows-server': { mode: 'exec', keyboardInteractive: true, prompt: /^PS [^>]*>\s*$/m, legacyAlgorithms: LEGACY },
}

/** ssh2 algorithm lists for one connection: the library's defaults, plus the legacy ones only when allowed; with the sentence to show. */
export function toVendorSshAlgorithms(kind: VendorStatusKind, allowLegacy: boolean): { readonly append?: VendorSshProfile['legacyAlgorithms']; readonly notice?: string } {
  if (!allowLegacy) return {}
  const l = VENDOR_SSH[kind].legacyAlgorithms
  return { append: l, notice: `This connection to the ${kind} also allows older SSH algorithms (${[...l.kex, ...l.cipher, ...l.serverHostKey].join(', ')}) because you allowed them for it; they are weaker, and no other connection uses them.` }
}

/** The show commands of one status sample for a vendor kind (Junos: per-command no-more; IOS/Junos: the tunnel interfaces Tunnelwright renders). */
export function toVendorStatusCommands(kind: VendorStatusKind): VendorCommand[] {
  switch (kind) {
    case 'cisco-asa':
      return [
        { id: 'isakmp', line: 'show crypto isakmp sa' },
        { id: 'ikev2', line: 'show crypto ikev2 sa' },
        { id: 'sessiondb', line: 'show vpn-sessiondb detail l2l' },
        { id: 'ipsec', line: 'show crypto ipsec sa' },
      ]
    case 'cisco-ios':
      return [
        { id: 'session', line: 'show crypto session detail' },
        { id: 'isakmp', line: 'show crypto isakmp sa' },
        { id: 'ikev2', line: 'show crypto ikev2 sa' },
        { id: 'ipsec', line: 'show crypto ipsec sa' },
      ]
    case 'paloalto':
      return [
        { id: 'ike', line: 'show vpn ike-sa' },
        { id: 'ipsec', line: 'show vpn ipsec-sa' },
      ]
    case 'fortigate':
      return [{ id: 'summary', line: 'get vpn ipsec tunnel summary' }]
    case 'juniper-srx':
      return [
        { id: 'ike', line: 'show security ike security-associations | no-more' },
        { id: 'ipsec', line: 'show security ipsec security-associations | no-more' },
        { id: 'inactive', line: 'show security ipsec inactive-tunnels | no-more' },
        { id: 'st0-101', line: 'show interfaces st0.101 | no-more' },
        { id: 'st0-102', line: 'show interfaces st0.102 | no-more' },
      ]
    case 'windows-server':
      return WINDOWS_STATUS_COMMANDS.map((c) => ({ id: c.id, line: c.line }))
  }
}

/** Junos SAs whose counters are read per sample: two AWS tunnels, with room for a rekey's overlap, and no more. */
const MAX_JUNOS_SA_INDEXES = 8

/**
 * The show commands that depend on what the catalog's outputs said (run after them, same session): on Junos the
 * per-SA ESP counters, `show security ipsec statistics index N`, for each SA index the IPsec SA table lists (the
 * table itself has no counters). Indexes are digits taken from the device's own output, at most eight.
 */
export function toVendorFollowUpCommands(kind: VendorStatusKind, outputs: Readonly<Record<string, string>>): VendorCommand[] {
  if (kind !== 'juniper-srx') return []
  return toJunosSaIndexes(outputs.ipsec ?? '').slice(0, MAX_JUNOS_SA_INDEXES).map((id) => ({ id: `ipsec-stats-${id}`, line: `show security ipsec statistics index ${id} | no-more` }))
}

/** True for a line that only reads: a show/get command, turning this session's pager off, or one listed Get- cmdlet (Windows). */
export function isReadOnlyVendorLine(line: string): boolean {
  if (isReadOnlyPowerShellLine(line)) return true
  return /^(show|get) [\w .|:/-]+$/.test(line) && !/\b(clear|delete|set|request|execute|config|commit|write|copy|reload|diagnose)\b/.test(line.replace(/^(show|get) /, '')) || /^(terminal pager 0|terminal length 0|set cli pager off)$/.test(line)
}

/** Parses one sample's outputs (by command id) into IKE SAs of the status model. */
export function parseVendorStatus(kind: VendorStatusKind, outputs: Readonly<Record<string, string>>, details?: Pick<Details, 'remote'>): IkeSaStatus[] {
  const out = (id: string) => outputs[id] ?? ''
  const peers = details?.remote.tunnels.map((t) => t.outsideIp) ?? []
  switch (kind) {
    case 'cisco-asa':
      return mergeCiscoPeers(parseAsaIsakmpSa(out('isakmp')), parseIkev2Sa(out('ikev2')), parseAsaSessiondbL2l(out('sessiondb')), parseCiscoIpsecSa(out('ipsec')))
    case 'cisco-ios':
      return mergeCiscoPeers(parseIosCryptoSession(out('session')), parseIosIsakmpSa(out('isakmp'), peers), parseIkev2Sa(out('ikev2')), parseCiscoIpsecSa(out('ipsec')))
    case 'paloalto':
      return mergePanos(parsePanosIkeSa(out('ike')), parsePanosIpsecSa(out('ipsec')))
    case 'fortigate':
      return parseFortiosTunnelSummary(out('summary'))
    case 'juniper-srx': {
      const merged = mergeJunos(parseJunosIkeSa(out('ike')), parseJunosIpsecSa(out('ipsec')))
      // A tunnel Junos lists as inactive gets the device's reason (e.g. "No response from peer"); one with no IKE
      // row at all is still being tried (its SAs are pending), so it reads as negotiating, not as never started.
      const inactive = parseJunosInactiveTunnels(out('inactive'))
      const sas = [
        ...merged.map((sa) => {
          const row = inactive.find((r) => r.peer === sa.remoteHost)
          return row && !isIkeUp(sa.state) ? { ...sa, deviceState: `${sa.deviceState ?? 'inactive'}: ${row.reason}` } : sa
        }),
        ...inactive.filter((r) => !merged.some((sa) => sa.remoteHost === r.peer)).map((r): IkeSaStatus => ({ name: r.peer, uniqueId: `inactive:${r.id}`, state: 'CONNECTING', deviceState: `inactive: ${r.reason}`, remoteHost: r.peer, natT: false, children: [] })),
      ]
      // Counters, best first: the SA's own ESP statistics (bytes and packets, by SA index); else the packet
      // counters of the st0 unit whose /30 is the tunnel's inside CIDR (packets only).
      const units = Object.keys(outputs).filter((k) => k.startsWith('st0')).map((id) => parseJunosSt0(out(id)))
      return sas.map((sa) => {
        const tunnel = details?.remote.tunnels.find((t) => t.outsideIp === sa.remoteHost)
        const st0 = tunnel && units.find((u) => u?.destination !== undefined && u.destination === parsePrefix(tunnel.insideCidr)?.cidr)
        let counted = false
        const children = sa.children.map((c) => {
          const stats = parseJunosIpsecStatistics(out(`ipsec-stats-${c.uniqueId.split(':')[0]}`))
          if (!stats) return c
          counted = true
          return { ...c, ...stats }
        })
        const [first, ...rest] = children
        if (counted || !first || !st0) return { ...sa, children }
        return { ...sa, children: [{ ...first, packetsIn: st0.packetsIn, packetsOut: st0.packetsOut }, ...rest] }
      })
    }
    case 'windows-server':
      return parseWindowsStatus(outputs)
  }
}

/** A vendor status sample: the snapshot (same model as the Linux stacks), where it came from, and the diagnoses. */
export interface VendorStatusReading {
  readonly source: VendorStatusSource
  readonly snapshot: StatusSnapshot
  readonly diagnoses: readonly Diagnosis[]
}

/**
 * Turns one sample's outputs into the snapshot of both AWS tunnels (a tunnel with no SA is listed down under
 * its name) and the diagnoses: the shared snapshot rules (extra SAs, one-way bytes) plus what the show
 * commands tell that logs would on Linux (IKE stuck negotiating, phase 1 up without phase 2, one-way packets).
 */
export function readVendorStatus(
  kind: VendorStatusKind,
  details: Pick<Details, 'remote' | 'name'>,
  outputs: Readonly<Record<string, string>>,
  opts: { readonly at: number; readonly previous?: readonly StatusSnapshot[]; readonly secrets?: readonly Secret[] },
): VendorStatusReading {
  return toVendorReading(kind, parseVendorStatus(kind, outputs, details), details, opts)
}

function toVendorReading(
  kind: VendorStatusSource,
  parsed: readonly IkeSaStatus[],
  details: Pick<Details, 'remote' | 'name'>,
  opts: { readonly at: number; readonly previous?: readonly StatusSnapshot[]; readonly secrets?: readonly Secret[] },
): VendorStatusReading {
  const peers = details.remote.tunnels.map((t) => t.outsideIp)
  const names = toTunnelNames(toSlug(details.name))
  // Each SA is named after its tunnel (agency-t1/-t2 by outside IP), as the Linux stacks' connections are,
  // so the board and the diagnoses say the same name whatever the device calls its peer.
  const sas = parsed
    .filter((s) => peers.includes(s.remoteHost))
    .map((s) => ({ ...s, name: names[peers.indexOf(s.remoteHost)] ?? s.name }))
  const prev = opts.previous?.at(-1)
  // The snapshot says "vendor" (polled show commands); which device kind travels beside it (VendorStatusReading.source).
  const snapshot = toSnapshot(sas, { at: opts.at, source: 'vendor', expected: peers.map((peer, i) => ({ peer, name: names[i]! })), ...(prev ? { previous: prev } : {}) })
  const shared = diagnose({ snapshots: [...(opts.previous ?? []), snapshot], ...(opts.secrets ? { secrets: opts.secrets } : {}) })
  return { source: kind, snapshot, diagnoses: [...shared, ...diagnoseVendor(kind, snapshot, sas)] }
}

function diagnoseVendor(kind: VendorStatusSource, snap: StatusSnapshot, sas: readonly IkeSaStatus[]): Diagnosis[] {
  const out: Diagnosis[] = []
  for (const t of snap.tunnels) {
    const raw = sas.find((s) => s.remoteHost === t.peer)
    const said = raw?.deviceState ? ` (${kind} says ${raw.deviceState})` : raw?.algorithms ? ` (${kind} says ${raw.algorithms})` : ''
    if (!t.up && t.ikeState === 'CONNECTING') {
      out.push({ id: 'ike-no-answer', severity: 'error', tunnel: t.name, cause: `IKE to ${t.peer} never completes${said}: UDP 500/4500 is blocked on the way, or the peer refuses the proposal or the PSK.`, evidence: [`${t.peer}: IKE state ${t.ikeState}${said}`], fix: 'Allow UDP 500 and 4500 (and ESP) to and from both AWS outside IPs; then compare the proposal (aes256/sha256/DH14) and the pre-shared key with the provider\'s, matched by outside IP.' })
    } else if (!t.up && t.ikeState === 'ESTABLISHED' && t.childSaCount === 0) {
      out.push({ id: 'selector-mismatch', severity: 'error', tunnel: t.name, cause: `Phase 1 to ${t.peer} is up but no IPsec SA exists: phase 2 is refused (selectors, PFS group or ESP proposal differ) or was never started.`, evidence: [`${t.peer}: IKE ESTABLISHED, 0 IPsec SAs${said}`], fix: 'Use one selector pair per tunnel (0.0.0.0/0 route-based), PFS group 14 and aes256/sha256 for ESP, exactly as the provider configured.' })
    } else if (!t.up && kind === 'fortigate' && raw?.state === 'DOWN') {
      // FortiOS's summary says only how many phase-2 selectors are up, not whether phase 1 is.
      out.push({ id: 'not-reinitiated', severity: 'error', tunnel: t.name, cause: `The FortiGate lists its tunnel '${raw.uniqueId}' to ${t.peer} with no phase-2 selector up${said}: the tunnel is down, and AWS never initiates IKEv1, so the FortiGate has to bring it up itself. The summary does not say whether phase 1 is up.`, evidence: [`${t.peer}: '${raw.uniqueId}'${said}`], fix: 'Enable auto-negotiate (and keepalive) on the phase 2 so the FortiGate starts the tunnel without traffic; if it still stays down, look at phase 1 on the FortiGate (its IKE gateway list and IKE debug) for a proposal or PSK mismatch, and make sure UDP 500/4500 leave the device.' })
    } else if (!t.up && (raw === undefined || (raw.state === 'DOWN' && raw.children.length === 0))) {
      // Listed but down with nothing negotiating (RRAS Disconnected, an IOS crypto session DOWN): as good as absent.
      out.push({ id: 'not-reinitiated', severity: 'error', tunnel: t.name, cause: `No IKE SA to ${t.peer} at all: AWS never initiates IKEv1, so the device must start the tunnel (traffic or a keepalive ping into it), and keep restarting it after DPD or AWS maintenance.`, evidence: [`${t.peer}: no IKE or IPsec SA in the ${kind} output`], fix: 'Make sure the tunnel configuration is loaded and something pings across it (the rendered configuration\'s SLA/monitor pings do), and that UDP 500 leaves the device.' })
    }
    if (t.up && t.bytesIn === 0 && t.bytesOut === 0) {
      if (t.packetsOut > 0 && t.packetsIn === 0) out.push({ id: 'inbound-zero', severity: 'error', tunnel: t.name, cause: 'The tunnel is up and sends, but nothing comes back: ESP or UDP 4500 is dropped on the way in, or AWS has no route back to your CIDR.', evidence: [`${t.peer}: ${t.packetsOut} packets out, 0 in`], fix: 'Allow ESP and UDP 4500 from the AWS outside IP inbound; check that the provider routes your CIDR to this tunnel.' })
      else if (t.packetsIn > 0 && t.packetsOut === 0) out.push({ id: 'outbound-zero', severity: 'error', tunnel: t.name, cause: 'The tunnel is up and receives, but nothing is sent into it: a NAT rule rewrites the source first, or LAN traffic is not routed into the tunnel.', evidence: [`${t.peer}: ${t.packetsIn} packets in, 0 out`], fix: 'Exempt traffic to the dedicated subnet from source NAT and route it into the tunnel interface.' })
    }
  }
  return out
}

/** The tunnel of a snapshot for one AWS peer (tests and future faces). */
export function toVendorTunnel(snapshot: StatusSnapshot, peer: string): TunnelStatus | undefined {
  return snapshot.tunnels.find((t) => t.peer === peer)
}

export { containsAddress }
