// The Linux gateway firewall/NAT/kernel check: the read-only commands it needs, and the findings from their output.
import type { CommandOutputs, GatewayCommand } from '../gateway/commands'
import { parsePrefix, parseIpv4 } from '../net/cidr'
import { evaluateHooks, toChainName, type ChainResult, type HookResult } from './evaluate'
import { parseIptablesSave, toIptablesSource } from './iptables-save'
import { parseAddrShow, parseRouteGet, parseSysctl, parseXfrmStat, toKernelFindings, toNatFinding, toNatState, toXfrmFinding, type RouteGet } from './kernel'
import type { AddrRange, Chain, Direction, Finding, FirewallCheckInput, Fix, Flow, Packet, Ruleset, Severity } from './model'
import { parseNftJson, withoutTables } from './nft-json'
import { checkPfsense, toPfsenseFirewallCommands } from './pfsense-check'

/** The representative address of a prefix (first host) for route lookups. */
function toProbeAddress(cidr: string): string | undefined {
  const p = parsePrefix(cidr)
  if (p === undefined) return undefined
  const n = p.bits >= 31 ? p.first : p.first + 1n
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.')
}

/**
 * The read-only commands of the check, all for ONE round trip (run them in one batch; each may fail alone).
 * Needs root (nft, iptables-save, ufw). Peers and prefixes are validated IPv4 text from the details.
 */
export function toFirewallCommands(input: Pick<FirewallCheckInput, 'peers' | 'dedicatedCidrs' | 'device'>): GatewayCommand[] {
  if (input.device === 'pfsense') return toPfsenseFirewallCommands()
  const probe = input.dedicatedCidrs.map(toProbeAddress).find((x) => x !== undefined)
  return [
    { id: 'nft', argv: ['nft', '-j', 'list', 'ruleset'] },
    { id: 'iptables-version', argv: ['iptables', '-V'] },
    { id: 'iptables-nft-save', argv: ['iptables-nft-save'] },
    { id: 'iptables-legacy-save', argv: ['iptables-legacy-save'] },
    // Older distributions (iptables < 1.8) have only iptables-save, which is then legacy.
    { id: 'iptables-save', argv: ['iptables-save'] },
    { id: 'firewalld-state', argv: ['firewall-cmd', '--state'] },
    { id: 'firewalld-zones', argv: ['firewall-cmd', '--get-active-zones'] },
    // --get-active-zones lists only zones bound to an interface or source (nothing on a stock install):
    // unbound traffic goes to the default zone.
    { id: 'firewalld-default-zone', argv: ['firewall-cmd', '--get-default-zone'] },
    { id: 'ufw', argv: ['ufw', 'status', 'verbose'] },
    // The kernel's IPsec drop counters (XfrmInTmplMismatch: AWS answering on the tunnel the policy does not name).
    { id: 'xfrm-stat', argv: ['cat', '/proc/net/xfrm_stat'] },
    { id: 'sysctl', argv: ['sysctl', '-a', '-r', '^net\\.ipv4\\.(ip_forward|conf\\.[^.]+\\.(rp_filter|disable_policy|disable_xfrm))$'] },
    { id: 'addr', argv: ['ip', '-j', '-4', 'addr', 'show'] },
    ...input.peers.filter((p) => parseIpv4(p) !== undefined).map((p) => ({ id: `route-get:${p}`, argv: ['ip', '-j', '-4', 'route', 'get', p] })),
    ...(probe === undefined ? [] : [{ id: 'route-get-dedicated', argv: ['ip', '-j', '-4', 'route', 'get', probe] }]),
  ]
}

function out(outputs: CommandOutputs, id: string): string | undefined {
  const o = outputs[id]
  return o !== undefined && o.exitCode === 0 && o.stdout.trim() !== '' ? o.stdout : undefined
}

function toRange(ip: string): AddrRange | undefined {
  const n = parseIpv4(ip)
  return n === undefined ? undefined : { first: n, last: n }
}

const FLOWS: readonly Flow[] = ['udp500', 'udp4500', 'esp']
const FLOW_TEXT: Readonly<Record<Flow, string>> = { udp500: 'UDP 500 (IKE)', udp4500: 'UDP 4500 (NAT-T)', esp: 'ESP (IP protocol 50)' }

/** One zone of `firewall-cmd --get-active-zones` with what is bound to it. */
export interface FirewalldZone {
  readonly zone: string
  readonly interfaces: readonly string[]
  readonly sources: readonly string[]
}

/** Parses `firewall-cmd --get-active-zones` (a zone name, then indented `interfaces:` / `sources:` lines). */
export function parseActiveZones(text: string): FirewalldZone[] {
  const zones: { zone: string; interfaces: string[]; sources: string[] }[] = []
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) zones.push({ zone: line.trim(), interfaces: [], sources: [] })
    const m = /^\s+(interfaces|sources):\s*(.*)$/.exec(line)
    const z = zones.at(-1)
    if (m !== null && z !== undefined) z[m[1] as 'interfaces' | 'sources'].push(...m[2]!.split(/\s+/).filter((x) => x !== ''))
  }
  return zones
}

/** The rule sets in force, read from every source (nft native, iptables-nft, iptables-legacy). */
export interface GatewayFirewall {
  readonly rulesets: readonly Ruleset[]
  readonly sources: readonly string[]
  readonly firewalld: boolean
  /** firewalld's default zone: where traffic no interface/source binding claims goes. */
  readonly firewalldZone?: string
  readonly firewalldZones: readonly FirewalldZone[]
  readonly ufw: boolean
  /** ufw has an IPv4 rule of its own (`ufw insert 1` is valid only then). */
  readonly ufwHasUserRules: boolean
  /** The command that edits legacy tables on this system. */
  readonly legacyCommand: 'iptables' | 'iptables-legacy'
}

const CT_DNAT = /^ct status dnat$/

/**
 * firewalld quirk: its filter_INPUT accepts `ct status dnat` (its own forward-ports) before any zone; the nft
 * parser leaves it opaque, so every inbound flow on a stock firewalld came out undecided. Where no rule anywhere
 * does DNAT or redirect, nothing carries that status: the rule never matches.
 */
function withoutUnusedDnatAccepts(rs: Ruleset, anyDnat: boolean): Ruleset {
  if (anyDnat) return rs
  const chains = rs.chains.map((c) => ({ ...c, rules: c.rules.filter((r) => !r.matches.some((m) => m.kind === 'opaque' && CT_DNAT.test(m.text))) }))
  const left = new Set(chains.flatMap((c) => c.rules.flatMap((r) => r.matches.flatMap((m) => (m.kind === 'opaque' ? [m.text] : [])))))
  return { ...rs, chains, unsupported: rs.unsupported.filter((u) => left.has(u) || !CT_DNAT.test(u)) }
}

/** Reads every firewall source from the command outputs. */
export function toGatewayFirewall(outputs: CommandOutputs): GatewayFirewall {
  const rulesets: Ruleset[] = []
  const sources: string[] = []
  const nftSave = out(outputs, 'iptables-nft-save')
  let legacySave = out(outputs, 'iptables-legacy-save')
  const plain = out(outputs, 'iptables-save')
  let iptNft = nftSave === undefined ? undefined : parseIptablesSave(nftSave, 'iptables-nft')
  if (plain !== undefined) {
    // iptables-save is whichever variant `iptables` is; use it only where the explicit tool was missing.
    if (toIptablesSource(plain) === 'iptables-nft') iptNft ??= parseIptablesSave(plain, 'iptables-nft')
    else legacySave ??= plain
  }
  const nft = out(outputs, 'nft')
  const nftRs = nft === undefined ? undefined : parseNftJson(nft)
  if (nftRs !== undefined) {
    // iptables-nft tables show up in nft JSON with opaque `xt` blobs: evaluate them from iptables-nft-save instead.
    const own = iptNft === undefined ? [] : iptNft.tables.map((name) => ({ family: 'ip', name }))
    const native = withoutTables(nftRs, own)
    if (native.chains.length > 0) {
      rulesets.push(native)
      sources.push(`nft (${native.tables.map((t) => `${t.family} ${t.name}`).join(', ')})`)
    }
  }
  if (iptNft !== undefined && iptNft.chains.some((c) => c.rules.length > 0 || c.policy === 'drop')) {
    rulesets.push(iptNft)
    sources.push(`iptables-nft (${iptNft.tables.join(', ')})`)
  }
  if (legacySave !== undefined) {
    const legacy = parseIptablesSave(legacySave, 'iptables-legacy')
    if (legacy.chains.some((c) => c.rules.length > 0 || c.policy === 'drop')) {
      rulesets.push(legacy)
      sources.push(`iptables-legacy (${legacy.tables.join(', ')})`)
    }
  }
  const anyDnat = rulesets.some((r) => r.chains.some((c) => c.rules.some((x) => x.action.kind === 'nat' && /dnat|redirect/i.test(x.action.how))))
  const decided = rulesets.map((r) => (r.source === 'nft' ? withoutUnusedDnatAccepts(r, anyDnat) : r))
  const firewalld = (out(outputs, 'firewalld-state') ?? '').trim() === 'running'
  const firewalldZones = parseActiveZones(out(outputs, 'firewalld-zones') ?? '')
  const zone = out(outputs, 'firewalld-default-zone')?.trim().split(/\s+/)[0]
  const ufwText = out(outputs, 'ufw') ?? ''
  const ufw = /^Status:\s*active/m.test(ufwText) || rulesets.some((r) => r.chains.some((c) => c.name.startsWith('ufw-')))
  // ufw quirk: `ufw insert 1` fails ("Invalid position '1'") unless an IPv4 rule exists; rules of every direction
  // (in, out, route) share one numbering, so any of them makes position 1 valid.
  const ufwHasUserRules = rulesets.some((r) => r.chains.some((c) => /^ufw-user-(input|output|forward)$/.test(c.name) && c.rules.length > 0))
  const legacyCommand = /legacy/.test(out(outputs, 'iptables-version') ?? '') ? 'iptables' : 'iptables-legacy'
  return { rulesets: decided, sources, firewalld, ...(zone === undefined ? {} : { firewalldZone: zone }), firewalldZones, ufw, ufwHasUserRules, legacyCommand }
}

/** The firewalld zone that takes the peer's packets: a source binding first, then the interface's zone, then the default. */
export function toFirewalldZone(fw: GatewayFirewall, peer: string, dev: string | undefined): string {
  const ip = parseIpv4(peer)
  const bySource = fw.firewalldZones.find((z) =>
    z.sources.some((s) => {
      const p = parsePrefix(s.includes('/') ? s : `${s}/32`)
      return p !== undefined && ip !== undefined && p.first <= ip && ip <= p.last
    }),
  )
  const byIface = dev === undefined ? undefined : fw.firewalldZones.find((z) => z.interfaces.includes(dev))
  return bySource?.zone ?? byIface?.zone ?? fw.firewalldZone ?? 'public'
}

function flowParts(flow: Flow): { proto: 'udp' | 'esp'; port?: number } {
  return flow === 'esp' ? { proto: 'esp' } : { proto: 'udp', port: flow === 'udp500' ? 500 : 4500 }
}

/** The fix that lets one flow through the chains that block it, in each firewall's own words. */
export function toFlowFix(fw: GatewayFirewall, chains: readonly Chain[], peer: string, flow: Flow, direction: Direction, dev?: string): Fix {
  const { proto, port } = flowParts(flow)
  const inbound = direction === 'inbound'
  const nftMatch = `ip ${inbound ? 'saddr' : 'daddr'} ${peer} ${proto === 'esp' ? 'meta l4proto esp' : `udp dport ${port}`}`
  const iptMatch = `${inbound ? '-s' : '-d'} ${peer}/32 -p ${proto}${port === undefined ? '' : ` --dport ${port}`}`
  const nft: string[] = []
  const ipt: string[] = []
  let inFirewalld = false
  for (const c of chains) {
    if (c.source === 'nft') {
      if (c.family === 'inet' && c.table === 'firewalld') inFirewalld = true
      nft.push(`nft 'insert rule ${c.family} ${c.table} ${c.name} ${nftMatch} accept'`)
    } else {
      const cmd = c.source === 'iptables-legacy' ? fw.legacyCommand : 'iptables'
      ipt.push(`${cmd}${c.table === 'filter' ? '' : ` -t ${c.table}`} -I ${c.name} ${iptMatch} -j ACCEPT`)
    }
  }
  const fix: { -readonly [K in keyof Fix]: Fix[K] } = {}
  if (nft.length > 0) fix.nft = nft.join('\n')
  if (ipt.length > 0) fix.iptables = ipt.join('\n')
  if (inFirewalld || fw.firewalld) {
    const zone = toFirewalldZone(fw, peer, dev)
    const what = proto === 'esp' ? 'protocol value="esp"' : `port port="${port}" protocol="udp"`
    if (inbound) {
      const rich = `'rule family="ipv4" source address="${peer}" ${what} accept'`
      fix.firewalld = `firewall-cmd --zone=${zone} --add-rich-rule=${rich} && firewall-cmd --permanent --zone=${zone} --add-rich-rule=${rich}`
    }
  }
  if (fw.ufw) {
    const head = fw.ufwHasUserRules ? 'ufw insert 1 allow' : 'ufw allow'
    fix.ufw = inbound
      ? `${head} in proto ${proto} from ${peer} to any${port === undefined ? '' : ` port ${port}`}`
      : `${head} out proto ${proto} to ${peer}${port === undefined ? '' : ` port ${port}`}`
  }
  return fix
}

function toEvidence(r: HookResult): string[] {
  const lines: string[] = []
  for (const c of r.chains) {
    const name = toChainName(c.chain)
    if (c.verdict === 'unknown') lines.push(`${name}: undecided — ${c.reasons.join('; ')}`)
    else if (c.rule !== undefined) lines.push(`${name}: ${c.verdict} by ${c.rule.where}: ${c.rule.text}${c.rule.counter ? ` [${c.rule.counter.packets} packets]` : ''}`)
    else lines.push(`${name}: ${c.verdict} by policy ${c.chain.policy ?? 'accept'}`)
  }
  return lines
}

function describeBlock(c: ChainResult): string {
  return c.rule === undefined ? `the ${c.chain.policy} policy of ${toChainName(c.chain)}` : `${c.rule.where} (${c.rule.text})`
}

/** Judges one flow (peer, flow, direction) against every base chain on its path. */
export function toFlowFinding(fw: GatewayFirewall, peer: string, flow: Flow, direction: Direction, ctx: { local: string; dev?: string; natted?: boolean }): Finding {
  const { proto, port } = flowParts(flow)
  const peerR = toRange(peer)!
  const localR = toRange(ctx.local) ?? peerR
  const inbound = direction === 'inbound'
  const packet: Packet = {
    src: inbound ? peerR : localR,
    dst: inbound ? localR : peerR,
    proto,
    ...(port === undefined ? {} : { sport: port, dport: port }),
    // IKE_SA_INIT / Main Mode and AWS-initiated rekeys are NEW to conntrack: replies-only rules do not count.
    ct: 'new',
    ...(inbound ? { iif: ctx.dev, oif: 'none' } : { iif: 'none', oif: ctx.dev }),
    ipsecOut: false,
    ipsecIn: false,
    dstIsLocal: inbound,
  }
  const r = evaluateHooks(fw.rulesets, inbound ? ['ingress', 'prerouting', 'input'] : ['output', 'postrouting'], packet)
  const id = `fw.${direction}.${flow}.${peer}`
  const subject = { peer, flow, direction }
  const evidence = [...toEvidence(r), ...(ctx.dev === undefined ? ['the interface toward the peer is unknown (no route lookup)'] : [`interface toward the peer: ${ctx.dev} (from ip route get)`])]
  const needed = flow !== 'udp4500' || ctx.natted === true
  const what = `${FLOW_TEXT[flow]} ${inbound ? `from ${peer}` : `to ${peer}`}`
  if (r.verdict === 'allowed') {
    return { id, severity: 'ok', subject, verdict: 'allowed', evidence: evidence.length > 0 ? evidence : ['no firewall rules are loaded'], why: `${what} passes every firewall chain on its path.` }
  }
  const severity: Severity = flow === 'udp4500' ? (ctx.natted === true ? 'error' : 'warning') : flow === 'esp' && ctx.natted === true ? 'warning' : 'error'
  const role =
    flow === 'udp500'
      ? 'IKE cannot start or rekey'
      : flow === 'udp4500'
        ? needed
          ? 'the gateway is behind NAT, so IKE and ESP both travel in UDP 4500'
          : 'AWS recommends it open: NAT-T is used as soon as any NAT appears on the path'
        : ctx.natted === true
          ? 'behind NAT ESP travels inside UDP 4500, but raw ESP is used if NAT goes away'
          : 'IKE may come up but no traffic passes the tunnel'
  if (r.verdict === 'blocked') {
    const first = r.blockers[0]!
    const established = r.blockers.some((c) => c.chain.rules.some((x) => x.action.kind === 'accept' && x.matches.some((m) => m.kind === 'ct' && !m.neg && m.states.includes('established'))))
    return {
      id,
      severity,
      subject,
      verdict: 'blocked',
      evidence,
      why:
        `${what} is dropped by ${describeBlock(first)}${r.blockers.length > 1 ? ` (and by ${r.blockers.slice(1).map(describeBlock).join(', ')})` : ''}: ${role}.` +
        (established ? ' Replies to packets the gateway sent pass by the conntrack rule, but packets AWS starts (rekeys, DPD, AWS-initiated IKE) are NEW and are dropped.' : ''),
      fix: toFlowFix(fw, [...r.blockers, ...r.uncertain].map((c) => c.chain), peer, flow, direction, ctx.dev),
    }
  }
  return {
    id,
    severity: 'warning',
    subject,
    verdict: 'unknown',
    evidence,
    why: `Cannot decide whether ${what} passes: ${r.uncertain.flatMap((c) => c.reasons).join('; ')}. If it is dropped, ${role}.`,
    fix: toFlowFix(fw, r.uncertain.map((c) => c.chain), peer, flow, direction, ctx.dev),
  }
}

/** Checks that no SNAT/masquerade rewrites agency → dedicated traffic before IPsec (policy-based). */
export function toMasqueradeFinding(fw: GatewayFirewall, input: FirewallCheckInput, oif: string | undefined): Finding {
  const subject = { topic: 'nat-before-ipsec' }
  const evidence: string[] = []
  const rewrites: string[] = []
  const maybes: string[] = []
  const chains = new Map<string, Chain>()
  for (const a of input.agencyCidrs) {
    for (const d of input.dedicatedCidrs) {
      const src = parsePrefix(a)
      const dst = parsePrefix(d)
      if (src === undefined || dst === undefined) continue
      const packet: Packet = {
        src,
        dst,
        proto: 'any',
        ct: 'new',
        ...(oif === undefined ? {} : { oif }),
        // Policy-based: the XFRM policy matches this traffic, so `rt ipsec` / `--pol ipsec` hold; route-based: unknown.
        ...(input.routing === 'policy' ? { ipsecOut: true } : {}),
        ipsecIn: false,
        dstIsLocal: false,
      }
      const rs = fw.rulesets.map((r) => ({ ...r, chains: r.chains.filter((c) => c.hook !== 'postrouting' || c.type === 'nat') }))
      const r = evaluateHooks(rs, ['postrouting'], packet)
      for (const c of r.chains) {
        const natPaths = c.paths.filter((p) => p.nat !== undefined)
        if (natPaths.length === 0) continue
        const line = `${a} → ${d}: ${natPaths[0]!.nat!.where}: ${natPaths[0]!.nat!.text}`
        chains.set(toChainName(c.chain), c.chain)
        if (natPaths.length === c.paths.length) rewrites.push(line)
        else maybes.push(`${line} (if ${natPaths[0]!.assumptions.join('; ')})`)
      }
    }
  }
  evidence.push(...rewrites, ...maybes)
  if (rewrites.length === 0 && maybes.length === 0) {
    return { id: 'nat.masquerade', severity: 'ok', subject, verdict: 'ok', evidence: ['no SNAT/masquerade rule takes agency → dedicated traffic'], why: 'Agency traffic keeps its source address, so it matches the IPsec policy.' }
  }
  const nft: string[] = []
  const ipt: string[] = []
  for (const c of chains.values()) {
    for (const a of input.agencyCidrs) {
      for (const d of input.dedicatedCidrs) {
        if (c.source === 'nft') nft.push(`nft 'insert rule ${c.family} ${c.table} ${c.name} ip saddr ${a} ip daddr ${d} accept'`)
        else ipt.push(`${c.source === 'iptables-legacy' ? fw.legacyCommand : 'iptables'} -t nat -I ${c.name} -s ${a} -d ${d} -j ACCEPT`)
      }
    }
  }
  const fix: { -readonly [K in keyof Fix]: Fix[K] } = {}
  if (nft.length > 0) fix.nft = nft.join('\n')
  if (ipt.length > 0) fix.iptables = ipt.join('\n')
  const definite = rewrites.length > 0
  return {
    id: 'nat.masquerade',
    severity: definite ? 'error' : 'warning',
    subject,
    verdict: definite ? 'problem' : 'unknown',
    evidence,
    why: `A source NAT rule ${definite ? 'rewrites' : 'may rewrite'} agency → dedicated traffic before IPsec: the rewritten source no longer matches the tunnel's selectors, so the tunnel is up but sends 0 bytes (or the traffic leaves unencrypted). Exempt it (accept before the NAT rule, or \`rt ipsec missing\` / \`-m policy --dir out --pol none\` on the NAT rule).`,
    fix,
  }
}

/** Checks for an MSS clamp on agency ↔ dedicated TCP: AWS has no PMTUD (≤ 1382 with NAT-T, ≤ 1398 without). */
export function toMssFinding(fw: GatewayFirewall, input: FirewallCheckInput, natted: boolean | undefined, oif: string | undefined): Finding {
  const limit = natted === true ? 1382 : 1398
  const subject = { topic: 'mss' }
  const results: { dir: string; ok: boolean; pmtuOnly: boolean; rules: string[]; wrong: { where: string; text: string }[] }[] = []
  const a = parsePrefix(input.agencyCidrs[0] ?? '')
  const d = parsePrefix(input.dedicatedCidrs[0] ?? '')
  if (a === undefined || d === undefined) return { id: 'mss.clamp', severity: 'warning', subject, verdict: 'unknown', evidence: [], why: 'No valid agency/dedicated prefixes to check the MSS clamp for.' }
  for (const [dir, src, dst, iface] of [
    ['agency → dedicated', a, d, { oif }],
    ['dedicated → agency', d, a, { iif: oif }],
  ] as const) {
    const packet: Packet = { src, dst, proto: 'tcp', ct: 'new', ...iface, ...(input.routing === 'policy' ? { ipsecOut: dir.startsWith('agency') } : {}), dstIsLocal: false }
    const r = evaluateHooks(fw.rulesets, ['forward', 'postrouting'], packet)
    const rules = new Set<string>()
    const wrong = new Map<string, { where: string; text: string }>()
    let good = false
    let pmtu = false
    for (const c of r.chains) {
      for (const p of c.paths) {
        for (const e of p.effects) {
          rules.add(`${e.rule.where}: ${e.rule.text}`)
          // nft `set` overwrites the option; iptables TCPMSS only ever lowers it, so a higher iptables value is harmless.
          const overwrites = c.chain.source === 'nft'
          if (typeof e.effect.value === 'number' && e.effect.value <= limit) good = true
          else if (e.effect.value === 'pmtu') pmtu = true
          if (overwrites && (e.effect.value === 'pmtu' || e.effect.value > limit)) wrong.set(e.rule.where, { where: e.rule.where, text: e.rule.text })
          else if (!overwrites && e.effect.value !== 'pmtu' && e.effect.value > limit) wrong.set(e.rule.where, { where: e.rule.where, text: e.rule.text })
        }
      }
    }
    const ok = good && ![...wrong.values()].some((w) => / handle \d+$/.test(w.where))
    results.push({ dir, ok, pmtuOnly: !good && pmtu, rules: [...rules], wrong: [...wrong.values()] })
  }
  const evidence = results.map((x) => `${x.dir}: ${x.rules.length === 0 ? 'no MSS clamp rule' : x.rules.join(' | ')}`)
  const problems = results.filter((x) => !x.ok)
  if (problems.length === 0) return { id: 'mss.clamp', severity: 'ok', subject, verdict: 'ok', evidence, why: `TCP MSS is clamped to ≤ ${limit} both ways.` }
  const onlyPmtu = problems.every((x) => x.pmtuOnly)
  const wrong = [...new Map(problems.flatMap((x) => x.wrong).map((w) => [w.where, w] as const)).values()]
  const nft = [
    ...wrong.filter((w) => / handle \d+$/.test(w.where)).map((w) => `nft 'delete rule ${w.where}'`),
    `nft 'add table inet tunnelwright'`,
    `nft 'add chain inet tunnelwright forward { type filter hook forward priority mangle; policy accept; }'`,
    `nft 'add rule inet tunnelwright forward ip saddr ${a.cidr} ip daddr ${d.cidr} tcp flags syn tcp option maxseg size set ${limit}'`,
    `nft 'add rule inet tunnelwright forward ip saddr ${d.cidr} ip daddr ${a.cidr} tcp flags syn tcp option maxseg size set ${limit}'`,
  ]
  const ipt = [
    `iptables -t mangle -A FORWARD -s ${a.cidr} -d ${d.cidr} -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss ${limit}`,
    `iptables -t mangle -A FORWARD -s ${d.cidr} -d ${a.cidr} -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss ${limit}`,
  ]
  const usesIptables = fw.rulesets.some((r) => r.source !== 'nft')
  const usesNft = fw.rulesets.some((r) => r.source === 'nft') || !usesIptables
  return {
    id: 'mss.clamp',
    severity: onlyPmtu && input.routing === 'route' ? 'info' : 'warning',
    subject,
    verdict: onlyPmtu && input.routing === 'route' ? 'unknown' : 'problem',
    evidence,
    why: onlyPmtu
      ? `MSS is clamped to the route MTU only: AWS does no path MTU discovery, so this is right only if the tunnel interface MTU is low enough (≤ ${limit + 40}); ${input.routing === 'policy' ? 'policy-based traffic leaves by the WAN interface (MTU 1500), so large TCP transfers stall' : 'check the tunnel interface MTU'}. Clamp to ${limit}.`
      : `TCP through the tunnel is not clamped to ≤ ${limit} ${natted === true ? '(NAT-T)' : '(no NAT-T)'} in ${problems.map((x) => x.dir).join(' and ')}: AWS does no path MTU discovery, so large transfers stall while pings work.`,
    fix: { ...(usesNft ? { nft: nft.join('\n') } : {}), ...(usesIptables ? { iptables: ipt.join('\n') } : {}) },
  }
}

/** Runs the whole check over the captured outputs; never throws on odd output (unknown findings instead). */
export function checkFirewall(input: FirewallCheckInput, outputs: CommandOutputs): Finding[] {
  if (input.device === 'pfsense') return checkPfsense(input, outputs)
  const fw = toGatewayFirewall(outputs)
  const routes = new Map<string, RouteGet | undefined>(input.peers.map((p) => [p, parseRouteGet(out(outputs, `route-get:${p}`) ?? '')]))
  const addrs = parseAddrShow(out(outputs, 'addr') ?? '')
  const nat = toNatState(input.publicIp, [...routes.values()], addrs)
  const findings: Finding[] = [
    {
      id: 'fw.sources',
      severity: 'info',
      subject: { topic: 'firewall' },
      verdict: 'ok',
      evidence: [
        ...(fw.sources.length === 0 ? ['no firewall rules loaded (nft, iptables-nft, iptables-legacy)'] : fw.sources),
        ...(fw.firewalld ? ['firewalld is running'] : []),
        ...(fw.ufw ? ['ufw is active'] : []),
        ...fw.rulesets.flatMap((r) => r.unsupported.map((u) => `not understood: ${u}`)),
      ],
      why: 'These rule sources were read; every one of them must pass a packet.',
    },
    toNatFinding(input.publicIp, nat),
  ]
  for (const peer of input.peers) {
    if (parseIpv4(peer) === undefined) continue
    const rt = routes.get(peer)
    for (const direction of ['inbound', 'outbound'] as const) {
      for (const flow of FLOWS) {
        findings.push(
          toFlowFinding(fw, peer, flow, direction, {
            local: rt?.prefsrc ?? input.publicIp,
            ...(rt?.dev === undefined ? {} : { dev: rt.dev }),
            ...(nat.natted === undefined ? {} : { natted: nat.natted }),
          }),
        )
      }
    }
  }
  const dedicatedRoute = parseRouteGet(out(outputs, 'route-get-dedicated') ?? '')
  const oif = input.routing === 'policy' ? dedicatedRoute?.dev : undefined
  findings.push(toMasqueradeFinding(fw, input, oif))
  findings.push(toMssFinding(fw, input, nat.natted, oif))
  const sysctlText = out(outputs, 'sysctl')
  const wan = [...routes.values()].map((r) => r?.dev).filter((x): x is string => x !== undefined)
  findings.push(...toKernelFindings(parseSysctl(sysctlText ?? ''), { routing: input.routing, interfaces: [...new Set([...wan, ...(input.tunnelInterfaces ?? [])])] }))
  findings.push(toXfrmFinding(parseXfrmStat(out(outputs, 'xfrm-stat') ?? ''), { routing: input.routing }))
  return findings
}
