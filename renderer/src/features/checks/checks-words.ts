// The check results in a network admin's words: a title per cause, a word per matrix cell and gateway setting,
// the AWS endpoints by tunnel. No finding id reaches the screen.
import type { CheckCauseDto, CheckFinding, CheckFix } from '../../../../preload/api'

/** The three flows, named as an admin says them. */
export const FLOW_NAMES = { udp500: 'UDP 500 (IKE)', udp4500: 'UDP 4500 (NAT traversal)', esp: 'ESP (IP protocol 50)' } as const

/** Firewalls by the name their users know. */
export const FIREWALL_NAMES: Readonly<Record<Exclude<keyof CheckFix, 'upstream' | 'details'>, string>> = { nft: 'nftables', iptables: 'iptables', firewalld: 'firewalld', ufw: 'ufw', pfsense: 'pfSense', sysctl: 'sysctl' }

/** Titles of gateway-wide topics and daemon diagnoses: [when it is a problem, when it is undecided]. */
const TOPIC_TITLES: Readonly<Record<string, readonly [string, string]>> = {
  nat: ['The gateway is behind NAT', 'NAT in front of the gateway could not be checked'],
  'nat-before-ipsec': ['A NAT rule rewrites tunnel traffic before IPsec', 'A NAT rule may rewrite tunnel traffic before IPsec'],
  mss: ['TCP MSS is not clamped for the tunnel', 'TCP MSS is clamped to the route MTU only'],
  ip_forward: ['IP forwarding is off', 'IP forwarding could not be read'],
  rp_filter: ["Strict reverse-path filtering drops AWS's answers", 'Reverse-path filtering could not be read'],
  xfrm: ['The kernel drops traffic that arrives on the other tunnel', "The kernel's IPsec counters could not be read"],
  firewall: ['Some firewall rules could not be understood', 'Some firewall rules could not be understood'],
  'path-probe': ['A probe connection was left in charon', 'The path to AWS was not probed'],
  'pfsense-ipsec-tab': ['pfSense has no pass rule on the IPsec tab', 'pfSense IPsec tab rules could not be read'],
  'pfsense-vpn-rules': ["pfSense's automatic VPN rules are off", "pfSense's automatic VPN rules could not be read"],
  'proposal-mismatch': ['AWS refuses the encryption proposal', 'AWS may refuse the encryption proposal'],
  'psk-mismatch': ["The pre-shared key does not match AWS's", "The pre-shared key may not match AWS's"],
  'psk-swapped': ["The two tunnels' pre-shared keys are swapped", "The two tunnels' pre-shared keys may be swapped"],
  'id-mismatch': ["AWS refuses the gateway's identity", "AWS may refuse the gateway's identity"],
  'selector-mismatch': ['AWS refuses the traffic selectors', 'AWS may refuse the traffic selectors'],
  'ike-no-answer': ['AWS does not answer IKE', 'AWS may not answer IKE'],
  'natt-no-answer': ['AWS does not answer on UDP 4500 (NAT-T)', 'AWS may not answer on UDP 4500 (NAT-T)'],
  'extra-sas': ['More than one security association on a tunnel', 'More than one security association on a tunnel'],
  'not-reinitiated': ['A tunnel is not started again after it went down', 'A tunnel may not be started again after it goes down'],
  'lifetime-mismatch': ["Lifetimes differ from AWS's", "Lifetimes may differ from AWS's"],
  'idle-flapping': ['The tunnel drops when idle', 'The tunnel may drop when idle'],
  'mtu-stall': ['Large packets stall in the tunnel', 'Large packets may stall in the tunnel'],
  'libreswan-ikev1-refused': ['Libreswan refuses IKEv1', 'Libreswan may refuse IKEv1'],
  'inbound-zero': ['Nothing comes back through the tunnel', 'Nothing may come back through the tunnel'],
}

/** A topic id in words when it has no title of its own ("rp_filter" → "rp filter"). */
function topicWords(topic: string): string {
  return topic.replace(/[_-]+/g, ' ')
}

/** The title of a cause: what is wrong, in one line. */
export function toCauseTitle(c: Pick<CheckCauseDto, 'kind' | 'flow' | 'topic' | 'verdict'>): string {
  const undecided = c.verdict === 'unknown'
  if (c.kind === 'flow' && c.flow) return `${FLOW_NAMES[c.flow]} ${undecided ? 'may be' : 'is'} blocked by this gateway's firewall`
  if (c.kind === 'path' && c.flow) return undecided ? `${FLOW_NAMES[c.flow]} to AWS is not proven end to end` : `AWS does not answer on ${FLOW_NAMES[c.flow]}: blocked on the way`
  const t = TOPIC_TITLES[c.topic ?? '']
  return t ? t[undecided ? 1 : 0] : `${topicWords(c.topic ?? 'check')}: needs attention`
}

/** The AWS endpoints of the details by tunnel, to name a peer as "tunnel 1 (198.51.100.10)". */
export type PeerNames = ReadonlyMap<string, number>

/** "tunnel 1 (a) and tunnel 2 (b)", or the addresses alone when the tunnels are unknown. */
export function toPeersWords(peers: readonly string[], names: PeerNames, show: (t: string) => string): string {
  const parts = [...peers].sort((a, b) => (names.get(a) ?? 9) - (names.get(b) ?? 9)).map((p) => (names.has(p) ? `tunnel ${names.get(p)} (${show(p)})` : show(p)))
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
}

/** Which way traffic goes, as the admin reads it: from AWS to the gateway is inbound. */
export function toDirectionsWords(dirs: readonly ('inbound' | 'outbound')[]): string {
  if (dirs.length === 2) return 'both directions'
  return dirs[0] === 'inbound' ? 'from AWS to the gateway' : dirs[0] === 'outbound' ? 'from the gateway to AWS' : ''
}

/** The fix a cause leads with: the gateway's firewall in use, else kernel settings, else what to ask upstream or change in the details. */
export function toPrimaryFix(fix: CheckFix | undefined): { readonly kind: keyof CheckFix; readonly text: string } | undefined {
  if (!fix) return undefined
  for (const k of ['nft', 'iptables', 'firewalld', 'ufw', 'pfsense', 'sysctl', 'upstream', 'details'] as const) {
    const text = fix[k]
    if (text) return { kind: k, text }
  }
  return undefined
}

/** A matrix cell or setting: the word, and how it reads (good, bad, unsure, not applicable). */
export interface CellWord {
  readonly word: string
  readonly tone: 'ok' | 'bad' | 'warn' | 'none'
}

/** The word of one flow's firewall verdict. */
export function toFlowCell(f: CheckFinding | undefined): CellWord {
  if (!f) return { word: 'Not checked', tone: 'none' }
  if (f.verdict === 'allowed') return { word: 'Allowed', tone: 'ok' }
  if (f.verdict === 'blocked') return { word: 'Blocked', tone: f.severity === 'error' ? 'bad' : 'warn' }
  return { word: 'Unsure', tone: 'warn' }
}

/** The word of the end-to-end probe of one peer (before apply) or the daemon's view of it (after). */
export function toProbeCell(findings: readonly CheckFinding[], peer: string): CellWord & { readonly findingId?: string } {
  const by = (id: string) => findings.find((f) => f.id === id)
  const ike = by(`path.ike.${peer}`)
  const u500 = by(`path.udp500.${peer}`)
  const u4500 = by(`path.udp4500.${peer}`)
  const daemon = findings.find((f) => f.id.startsWith('daemon.') && f.subject.peer === peer && f.verdict !== 'ok')
  const up = by(`daemon.tunnel.${peer}`)
  if (daemon) return { word: 'Tunnel has a problem', tone: 'bad', findingId: daemon.id }
  if (up) return { word: /standing by/.test(up.evidence[0] ?? '') ? 'Standing by' : 'Tunnel up', tone: 'ok' }
  if (ike && ike.verdict !== 'ok') return { word: 'Answers, IKE fails', tone: 'bad', findingId: ike.id }
  if (u500?.verdict === 'blocked') return { word: 'No answer', tone: 'bad', findingId: u500.id }
  if (u4500?.verdict === 'blocked') return { word: 'No answer on 4500', tone: 'bad', findingId: u4500.id }
  if (ike?.verdict === 'ok') return { word: 'IKE completes', tone: 'ok' }
  if (u500?.verdict === 'allowed') return { word: 'Answers', tone: 'ok' }
  return { word: 'Not probed', tone: 'none' }
}

/** The gateway-wide settings the matrix shows under the paths, in order, with their words. */
export const SETTINGS: readonly { readonly id: string; readonly label: string; readonly words: Readonly<Record<string, string>> }[] = [
  { id: 'nat.detect', label: 'NAT', words: { ok: 'None: sends from its public IP', problem: 'Behind NAT', unknown: 'Unknown' } },
  { id: 'kernel.ip_forward', label: 'IP forwarding', words: { ok: 'On', problem: 'Off', unknown: 'Unknown' } },
  { id: 'mss.clamp', label: 'TCP MSS clamp', words: { ok: 'Clamped', problem: 'Not clamped', unknown: 'Route MTU only' } },
  { id: 'nat.masquerade', label: 'NAT before IPsec', words: { ok: 'No rewrite', problem: 'Rewrites tunnel traffic', unknown: 'May rewrite' } },
  { id: 'kernel.rp_filter', label: 'Reverse-path filter', words: { ok: 'Loose or off', problem: 'Strict', unknown: 'Unknown' } },
  { id: 'kernel.xfrm_stat', label: 'IPsec policy drops', words: { ok: 'None', problem: 'Dropping', unknown: 'Not readable' } },
]

/** A setting's cell. */
export function toSettingCell(f: CheckFinding | undefined, words: Readonly<Record<string, string>>): CellWord {
  if (!f) return { word: 'Not checked', tone: 'none' }
  const word = words[f.verdict] ?? f.verdict
  if (f.verdict === 'ok') return { word, tone: 'ok' }
  return { word, tone: f.severity === 'error' ? 'bad' : f.severity === 'warning' ? 'warn' : 'none' }
}

/** One finding's own line for the "every check" list: what it is about, in words. */
export function toFindingLine(f: CheckFinding, names: PeerNames, show: (t: string) => string): string {
  const s = f.subject
  const peer = s.peer ? toPeersWords([s.peer], names, show) : ''
  if (s.flow && f.id.startsWith('fw.')) return `${FLOW_NAMES[s.flow]} ${s.direction === 'inbound' ? `from ${peer} to the gateway` : `from the gateway to ${peer}`}`
  if (s.flow) return `${FLOW_NAMES[s.flow]} end to end with ${peer}`
  const setting = SETTINGS.find((x) => x.id === f.id)
  if (setting) return setting.label
  if (s.topic === 'ike') return `IKE with ${peer}`
  if (s.topic === 'tunnel') return `Tunnel to ${peer}`
  if (s.topic === 'firewall') return 'Firewall rules read'
  const title = TOPIC_TITLES[s.topic ?? '']
  return `${title ? title[0] : topicWords(s.topic ?? 'check')}${peer ? ` (${peer})` : ''}`
}
