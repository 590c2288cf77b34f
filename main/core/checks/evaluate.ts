// Walks netfilter chains for one packet, in three-valued logic: a rule that cannot be decided forks the walk.
//
// Netfilter semantics (nft(8) "VERDICT STATEMENT"): accept ends only the current base chain; every other base
// chain on the same hook (another table, another priority) still runs, and a drop anywhere is final. So a
// packet passes only when every base chain on every hook of its path ends in accept.
import type { Action, Chain, Effect, Hook, Match, Packet, Rule, Ruleset, Tri } from './model'

/** How one walk through a base chain ended. */
export interface PathOutcome {
  readonly verdict: 'accept' | 'drop' | 'unknown'
  /** The rule that decided; undefined = the chain's policy. */
  readonly rule?: Rule
  /** Undecidable matches this path assumed true or false, as sentences. */
  readonly assumptions: readonly string[]
  readonly effects: readonly { readonly rule: Rule; readonly effect: Effect }[]
  /** The NAT rule that took the packet on this path, if any. */
  readonly nat?: Rule
}

/** The verdict of one base chain for the packet. */
export interface ChainResult {
  readonly chain: Chain
  readonly verdict: 'accept' | 'drop' | 'unknown'
  /** The deciding rule (first path without assumptions preferred); undefined = policy. */
  readonly rule?: Rule
  readonly reasons: readonly string[]
  readonly paths: readonly PathOutcome[]
}

/** The verdict over every base chain on the given hooks. */
export interface HookResult {
  readonly verdict: 'allowed' | 'blocked' | 'unknown'
  /** Chains that certainly drop the packet, in the order the packet meets them. */
  readonly blockers: readonly ChainResult[]
  /** Chains that may drop it (undecidable rules). */
  readonly uncertain: readonly ChainResult[]
  readonly chains: readonly ChainResult[]
}

const HOOK_ORDER: readonly Hook[] = ['ingress', 'prerouting', 'input', 'forward', 'output', 'postrouting']
const MAX_PATHS = 256
const MAX_DEPTH = 16

interface MatchResult {
  readonly tri: Tri
  readonly reason?: string
}

function flip(t: Tri, neg: boolean): Tri {
  if (!neg || t === 'maybe') return t
  return t === 'yes' ? 'no' : 'yes'
}

function ifaceMatches(pattern: string, name: string): boolean {
  // nft writes wildcards as `eth*`, iptables as `eth+`.
  if (pattern.endsWith('*') || pattern.endsWith('+')) return name.startsWith(pattern.slice(0, -1))
  return pattern === name
}

const PROTO_ALIASES: Readonly<Record<string, string>> = { '17': 'udp', '6': 'tcp', '50': 'esp', '51': 'ah', '1': 'icmp', ipsec_esp: 'esp' }

/** Normalises a protocol name or number (`50`, `esp`, `ESP`) to its lower-case name. */
export function toProtoName(p: string): string {
  const l = p.toLowerCase()
  return PROTO_ALIASES[l] ?? l
}

/** Decides one match for the packet. */
export function matchPacket(m: Match, p: Packet): MatchResult {
  switch (m.kind) {
    case 'addr': {
      const v = m.field === 'src' ? p.src : p.dst
      if (m.ranges.some((r) => r.first <= v.first && v.last <= r.last)) return { tri: flip('yes', m.neg) }
      if (!m.ranges.some((r) => r.first <= v.last && v.first <= r.last)) return { tri: flip('no', m.neg) }
      return { tri: 'maybe', reason: `the rule's ${m.field === 'src' ? 'source' : 'destination'} covers only part of the traffic` }
    }
    case 'proto': {
      if (p.proto === 'any') return { tri: 'maybe', reason: `the rule matches only protocol ${m.neg ? 'not ' : ''}${m.protos.join(',')}` }
      return { tri: flip(m.protos.includes(p.proto) ? 'yes' : 'no', m.neg) }
    }
    case 'family':
      return { tri: m.ipv4 ? 'yes' : 'no' }
    case 'port': {
      if (p.proto === 'any') return { tri: 'maybe', reason: 'the rule matches only some ports' }
      if (m.header === 'th' && p.proto === 'esp') return { tri: 'maybe', reason: '`th` port match reads the ESP SPI bytes' }
      if (m.header === 'other' || (m.header !== 'th' && m.header !== p.proto) || p.proto === 'esp') return { tri: 'no' }
      const ports = m.field === 'sport' ? [p.sport] : m.field === 'dport' ? [p.dport] : [p.sport, p.dport]
      if (ports.some((x) => x === undefined)) return { tri: 'maybe', reason: 'the port of the packet is not known' }
      const hit = ports.some((x) => m.ranges.some(([a, b]) => a <= x! && x! <= b))
      return { tri: flip(hit ? 'yes' : 'no', m.neg) }
    }
    case 'ct':
      return { tri: flip(m.states.includes(p.ct) ? 'yes' : 'no', m.neg) }
    case 'iface': {
      const name = m.field === 'iif' ? p.iif : p.oif
      if (name === undefined) return { tri: 'maybe', reason: `cannot tell whether the packet's ${m.field === 'iif' ? 'input' : 'output'} interface is ${m.names.join(',')}` }
      const real = name === 'none' ? '' : name
      return { tri: flip(m.names.some((n) => ifaceMatches(n, real)) ? 'yes' : 'no', m.neg) }
    }
    case 'ipsec': {
      const v = m.dir === 'out' ? p.ipsecOut : p.ipsecIn
      if (v === undefined) return { tri: 'maybe', reason: `cannot tell whether an IPsec policy applies (${m.dir})` }
      return { tri: v === m.present ? 'yes' : 'no' }
    }
    case 'local-dst':
      return { tri: flip(p.dstIsLocal ? 'yes' : 'no', m.neg) }
    case 'opaque':
      return { tri: 'maybe', reason: `cannot evaluate ${m.text}` }
  }
}

/** Decides all matches of a rule (and-ed). */
export function matchRule(matches: readonly Match[], p: Packet): MatchResult {
  let maybe: string | undefined
  for (const m of matches) {
    const r = matchPacket(m, p)
    if (r.tri === 'no') return { tri: 'no' }
    if (r.tri === 'maybe') maybe ??= r.reason ?? 'undecidable match'
  }
  return maybe === undefined ? { tri: 'yes' } : { tri: 'maybe', reason: maybe }
}

interface State {
  readonly assumptions: readonly string[]
  readonly effects: readonly { readonly rule: Rule; readonly effect: Effect }[]
}

type End = (PathOutcome & { readonly ret?: false }) | { readonly ret: true; readonly state: State }

interface Ctx {
  readonly lookup: (chain: Chain, name: string) => Chain | undefined
  budget: number
}

function withAssumption(s: State, text: string): State {
  return { ...s, assumptions: [...s.assumptions, text] }
}

function runFrom(chain: Chain, i: number, p: Packet, s: State, ctx: Ctx, depth: number): End[] {
  if (--ctx.budget < 0) return [{ verdict: 'unknown', assumptions: [...s.assumptions, 'too many undecidable rules to follow'], effects: s.effects }]
  for (; i < chain.rules.length; i++) {
    const rule = chain.rules[i]!
    const m = matchRule(rule.matches, p)
    if (m.tri === 'no') continue
    if (m.tri === 'maybe') {
      const why = `${m.reason} (${rule.where}: ${rule.text})`
      return [
        ...apply(chain, i, rule, rule.action, p, withAssumption(s, `if it matches: ${why}`), ctx, depth),
        ...runFrom(chain, i + 1, p, withAssumption(s, `if it does not match: ${why}`), ctx, depth),
      ]
    }
    return apply(chain, i, rule, rule.action, p, s, ctx, depth)
  }
  return [{ ret: true, state: s }]
}

function apply(chain: Chain, i: number, rule: Rule, action: Action, p: Packet, s0: State, ctx: Ctx, depth: number): End[] {
  const s: State = rule.effects.length === 0 ? s0 : { ...s0, effects: [...s0.effects, ...rule.effects.map((effect) => ({ rule, effect }))] }
  const end = (verdict: PathOutcome['verdict'], extra: Partial<PathOutcome> = {}): End[] => [{ verdict, rule, assumptions: s.assumptions, effects: s.effects, ...extra }]
  switch (action.kind) {
    case 'accept':
      return end('accept')
    case 'drop':
    case 'reject':
      return end('drop')
    case 'nat':
      return end('accept', { nat: rule })
    case 'return':
      return [{ ret: true, state: s }]
    case 'continue':
      return runFrom(chain, i + 1, p, s, ctx, depth)
    case 'unknown':
      return end('unknown', { assumptions: [...s.assumptions, `cannot evaluate the verdict ${action.text} (${rule.where})`] })
    case 'jump':
    case 'goto': {
      const target = ctx.lookup(chain, action.target)
      if (target === undefined || depth >= MAX_DEPTH) return end('unknown', { assumptions: [...s.assumptions, `cannot follow ${action.kind} ${action.target} (${rule.where})`] })
      const sub = runFrom(target, 0, p, s, ctx, depth + 1)
      if (action.kind === 'goto') return sub
      return sub.flatMap((o) => (o.ret === true ? runFrom(chain, i + 1, p, o.state, ctx, depth) : [o]))
    }
    case 'vmap': {
      let st = s
      const out: End[] = []
      for (const e of action.entries) {
        const r = matchPacket(e.match, p)
        if (r.tri === 'no') continue
        if (r.tri === 'yes') return [...out, ...apply(chain, i, { ...rule, effects: [] }, e.action, p, st, ctx, depth)]
        out.push(...apply(chain, i, { ...rule, effects: [] }, e.action, p, withAssumption(st, `if the map key matches: ${r.reason} (${rule.where})`), ctx, depth))
        st = withAssumption(st, `if the map key does not match: ${r.reason} (${rule.where})`)
      }
      return [...out, ...runFrom(chain, i + 1, p, st, ctx, depth)]
    }
  }
}

/** Evaluates one base chain for the packet; regular chains are found with `lookup`. */
export function evaluateChain(chain: Chain, p: Packet, lookup: Ctx['lookup']): ChainResult {
  const ctx: Ctx = { lookup, budget: MAX_PATHS }
  const ends = runFrom(chain, 0, p, { assumptions: [], effects: [] }, ctx, 0)
  const policy = chain.policy ?? 'accept'
  const paths: PathOutcome[] = ends.map((e) => (e.ret === true ? { verdict: policy, assumptions: e.state.assumptions, effects: e.state.effects } : e))
  const verdicts = new Set(paths.map((o) => o.verdict))
  const verdict = verdicts.size === 1 ? paths[0]!.verdict : 'unknown'
  const decisive = paths.find((o) => o.assumptions.length === 0) ?? paths[0]!
  const reasons = verdict === 'unknown' ? [...new Set(paths.flatMap((o) => o.assumptions.map((a) => a.replace(/^if (it|the map key) (does not match|matches): /, ''))))] : []
  return { chain, verdict, ...(decisive.rule === undefined ? {} : { rule: decisive.rule }), reasons, paths }
}

/** Finds a regular chain by name in the same source, family and table as `from`. */
export function toChainLookup(rulesets: readonly Ruleset[]): Ctx['lookup'] {
  return (from, name) => rulesets.find((r) => r.source === from.source)?.chains.find((c) => c.family === from.family && c.table === from.table && c.name === name)
}

/** Evaluates every IPv4 base chain on the hooks (in path order, then priority) for the packet. */
export function evaluateHooks(rulesets: readonly Ruleset[], hooks: readonly Hook[], p: Packet): HookResult {
  const lookup = toChainLookup(rulesets)
  const base = rulesets
    .flatMap((r) => r.chains)
    .filter((c) => c.hook !== undefined && hooks.includes(c.hook) && ['ip', 'inet', 'netdev'].includes(c.family))
    .filter((c) => c.device === undefined || p.iif === undefined || c.device === p.iif)
    .sort((a, b) => HOOK_ORDER.indexOf(a.hook!) - HOOK_ORDER.indexOf(b.hook!) || (a.prio ?? 0) - (b.prio ?? 0))
  const chains = base.map((c) => evaluateChain(c, p, lookup))
  const blockers = chains.filter((c) => c.verdict === 'drop')
  const uncertain = chains.filter((c) => c.verdict === 'unknown')
  const verdict = blockers.length > 0 ? 'blocked' : uncertain.length > 0 ? 'unknown' : 'allowed'
  return { verdict, blockers, uncertain, chains }
}

/** Names a chain the way its firewall does: `inet filter input` or `iptables-legacy filter INPUT`. */
export function toChainName(c: Chain): string {
  return c.source === 'nft' ? `${c.family} ${c.table} ${c.name}` : `${c.source} -t ${c.table} ${c.name}`
}
