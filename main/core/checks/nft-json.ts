// Parser of `nft -j list ruleset` (libnftables-json(5), schema version 1) into the firewall-neutral rule model.
import { parseIpv4 } from '../net/cidr'
import { toProtoName } from './evaluate'
import type { Action, AddrRange, Chain, Effect, Hook, Match, Rule, Ruleset } from './model'

type Json = unknown
type Obj = Record<string, Json>

function isObj(x: Json): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

const HOOKS: readonly Hook[] = ['ingress', 'prerouting', 'input', 'forward', 'output', 'postrouting']

/** An nft table seen in the ruleset, with whether iptables-nft wrote it (opaque `xt` expressions inside). */
export interface NftTable {
  readonly family: string
  readonly name: string
  readonly hasXt: boolean
}

/** The parsed ruleset plus the tables in it. */
export interface NftRuleset extends Ruleset {
  readonly tables: readonly NftTable[]
}

interface SetDef {
  readonly family: string
  readonly table: string
  readonly name: string
  readonly elems: readonly Json[]
}

/** Renders an nft JSON value (right-hand side) as nft text. */
function toValueText(v: Json): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v)
  if (typeof v === 'boolean') return v ? 'exists' : 'missing'
  if (Array.isArray(v)) return v.map(toValueText).join(',')
  if (isObj(v)) {
    if (isObj(v['prefix'])) return `${toValueText(v['prefix']['addr'])}/${toValueText(v['prefix']['len'])}`
    if (Array.isArray(v['range'])) return v['range'].map(toValueText).join('-')
    if (Array.isArray(v['set'])) return `{ ${v['set'].map((e) => (Array.isArray(e) ? `${toValueText(e[0])} : ${toExprText(e[1])}` : toValueText(e))).join(', ')} }`
    if (isObj(v['elem'])) return toValueText(v['elem']['val'])
    return toExprText(v)
  }
  return JSON.stringify(v)
}

/** Renders an nft JSON left-hand expression as nft text. */
function toKeyText(l: Json): string {
  if (!isObj(l)) return JSON.stringify(l)
  if (isObj(l['payload'])) return `${String(l['payload']['protocol'])} ${String(l['payload']['field'])}`
  if (isObj(l['meta'])) {
    const k = String(l['meta']['key'])
    return ['iifname', 'oifname', 'iif', 'oif'].includes(k) ? k : `meta ${k}`
  }
  if (isObj(l['ct'])) return `ct ${String(l['ct']['key'])}`
  if (isObj(l['rt'])) return `rt ${String(l['rt']['key'])}`
  if (isObj(l['fib'])) return `fib ${[l['fib']['flags']].flat().join(' . ')} ${String(l['fib']['result'])}`
  return JSON.stringify(l)
}

/** Renders one nft JSON statement (match, verdict, counter…) as nft text. */
function toExprText(e: Json): string {
  if (!isObj(e)) return JSON.stringify(e)
  const [k, v] = Object.entries(e)[0] ?? ['?', null]
  switch (k) {
    case 'match': {
      const m = v as Obj
      const op = m['op'] === '==' || m['op'] === 'in' ? '' : `${String(m['op'])} `
      return `${toKeyText(m['left'])} ${op}${toValueText(m['right'])}`
    }
    case 'accept':
    case 'drop':
    case 'return':
    case 'continue':
    case 'masquerade':
      return k
    case 'reject':
      return 'reject'
    case 'jump':
    case 'goto':
      return `${k} ${String((v as Obj)['target'])}`
    case 'counter':
      return isObj(v) ? `counter packets ${String(v['packets'])} bytes ${String(v['bytes'])}` : 'counter'
    case 'vmap':
      return isObj(v) ? `${toKeyText(v['key'])} vmap ${toValueText(v['data'])}` : 'vmap'
    case 'mangle':
      return isObj(v) ? `${toMangleKey(v['key'])} set ${isObj(v['value']) ? toKeyText(v['value']) : toValueText(v['value'])}` : 'mangle'
    case 'xt':
      return isObj(v) ? `xt ${String(v['type'])} "${String(v['name'])}"` : 'xt'
    case 'limit':
      return isObj(v) ? `limit rate ${String(v['rate'])}/${String(v['per'])}` : 'limit'
    case 'snat':
    case 'dnat':
      return isObj(v) ? `${k} to ${toValueText(v['addr'])}` : k
    default:
      return `${k} ${v === null ? '' : JSON.stringify(v)}`.trim()
  }
}

function toMangleKey(k: Json): string {
  if (isObj(k) && isObj(k['tcp option'])) return `tcp option ${String(k['tcp option']['name'])} ${String(k['tcp option']['field'])}`
  return toKeyText(k)
}

function toAddrRanges(v: Json, sets: readonly SetDef[], at: { family: string; table: string }): AddrRange[] | undefined {
  if (typeof v === 'string') {
    if (v.startsWith('@')) {
      const s = sets.find((x) => x.family === at.family && x.table === at.table && x.name === v.slice(1))
      return s === undefined ? undefined : toAddrRanges({ set: s.elems }, sets, at)
    }
    const n = parseIpv4(v)
    return n === undefined ? undefined : [{ first: n, last: n }]
  }
  if (!isObj(v)) return undefined
  if (isObj(v['prefix'])) {
    const n = typeof v['prefix']['addr'] === 'string' ? parseIpv4(v['prefix']['addr']) : undefined
    const len = v['prefix']['len']
    if (n === undefined || typeof len !== 'number' || len < 0 || len > 32) return undefined
    const size = 1n << BigInt(32 - len)
    return [{ first: (n / size) * size, last: (n / size) * size + size - 1n }]
  }
  if (Array.isArray(v['range']) && v['range'].length === 2) {
    const a = toAddrRanges(v['range'][0], sets, at)?.[0]
    const b = toAddrRanges(v['range'][1], sets, at)?.[0]
    return a && b ? [{ first: a.first, last: b.last }] : undefined
  }
  if (isObj(v['elem'])) return toAddrRanges(v['elem']['val'], sets, at)
  if (Array.isArray(v['set'])) {
    const out: AddrRange[] = []
    for (const e of v['set']) {
      const r = toAddrRanges(e, sets, at)
      if (r === undefined) return undefined
      out.push(...r)
    }
    return out
  }
  return undefined
}

function toPortRanges(v: Json, sets: readonly SetDef[], at: { family: string; table: string }): [number, number][] | undefined {
  if (typeof v === 'number') return [[v, v]]
  if (typeof v === 'string') {
    if (v.startsWith('@')) {
      const s = sets.find((x) => x.family === at.family && x.table === at.table && x.name === v.slice(1))
      return s === undefined ? undefined : toPortRanges({ set: s.elems }, sets, at)
    }
    // nft prints well-known ports by name only with -S; JSON keeps numbers, but accept the IPsec names anyway.
    const named: Record<string, number> = { isakmp: 500, 'ipsec-nat-t': 4500 }
    return named[v] === undefined ? undefined : [[named[v], named[v]]]
  }
  if (Array.isArray(v)) return v.every((x) => typeof x === 'number') ? v.map((x) => [x, x] as [number, number]) : undefined
  if (!isObj(v)) return undefined
  if (Array.isArray(v['range']) && typeof v['range'][0] === 'number' && typeof v['range'][1] === 'number') return [[v['range'][0], v['range'][1]]]
  if (isObj(v['elem'])) return toPortRanges(v['elem']['val'], sets, at)
  if (Array.isArray(v['set'])) {
    const out: [number, number][] = []
    for (const e of v['set']) {
      const r = toPortRanges(e, sets, at)
      if (r === undefined) return undefined
      out.push(...r)
    }
    return out
  }
  return undefined
}

function toStrings(v: Json): string[] | undefined {
  if (typeof v === 'string') return [v]
  if (typeof v === 'number') return [String(v)]
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string' || typeof x === 'number') ? v.map(String) : undefined
  if (isObj(v) && Array.isArray(v['set'])) return toStrings(v['set'])
  return undefined
}

function opaque(text: string): Match {
  return { kind: 'opaque', text }
}

/** Maps one nft `match` expression to the neutral model (opaque when not understood). */
function toMatch(m: Obj, sets: readonly SetDef[], at: { family: string; table: string }): Match {
  const text = toExprText({ match: m })
  const op = m['op']
  const left = m['left']
  const right = m['right']
  const neg = op === '!='
  if (op !== '==' && op !== '!=' && op !== 'in') {
    // Port comparisons (udp dport >= 500) become ranges; anything else is opaque.
    if (isObj(left) && isObj(left['payload']) && typeof right === 'number' && ['sport', 'dport'].includes(String(left['payload']['field']))) {
      const r: [number, number] | undefined =
        op === '<' ? [0, right - 1] : op === '<=' ? [0, right] : op === '>' ? [right + 1, 65535] : op === '>=' ? [right, 65535] : undefined
      if (r !== undefined) return toPortMatch(left['payload'], [r], false)
    }
    return opaque(text)
  }
  if (!isObj(left)) return opaque(text)
  if (isObj(left['payload'])) {
    const proto = String(left['payload']['protocol'])
    const field = String(left['payload']['field'])
    if (proto === 'ip6') return { kind: 'family', ipv4: false }
    if (proto === 'ip' && (field === 'saddr' || field === 'daddr')) {
      const ranges = toAddrRanges(right, sets, at)
      return ranges === undefined ? opaque(text) : { kind: 'addr', field: field === 'saddr' ? 'src' : 'dst', neg, ranges }
    }
    if (proto === 'ip' && field === 'protocol') {
      const p = toStrings(right)
      return p === undefined ? opaque(text) : { kind: 'proto', neg, protos: p.map(toProtoName) }
    }
    if (field === 'sport' || field === 'dport') {
      const ranges = toPortRanges(right, sets, at)
      return ranges === undefined ? opaque(text) : toPortMatch(left['payload'], ranges, neg)
    }
    // tcp flags and other tcp header fields: at least it must be TCP.
    if (proto === 'tcp' && field === 'flags') return { kind: 'proto', neg: false, protos: ['tcp'] }
    // An icmp/icmpv6 header match (firewalld's `icmpv6 type …` neighbour-discovery accepts) holds only for that protocol.
    if (proto === 'icmp' || proto === 'icmpv6') return { kind: 'proto', neg: false, protos: [proto === 'icmp' ? 'icmp' : 'ipv6-icmp'] }
    return opaque(text)
  }
  if (isObj(left['meta'])) {
    const key = String(left['meta']['key'])
    if (key === 'l4proto') {
      const p = toStrings(right)
      return p === undefined ? opaque(text) : { kind: 'proto', neg, protos: p.map(toProtoName) }
    }
    if (key === 'nfproto') {
      const p = toStrings(right)
      return p === undefined ? opaque(text) : { kind: 'family', ipv4: p.includes('ipv4') !== neg }
    }
    if (key === 'iifname' || key === 'oifname' || key === 'iif' || key === 'oif') {
      const names = toStrings(right)
      return names === undefined ? opaque(text) : { kind: 'iface', field: key.startsWith('i') ? 'iif' : 'oif', neg, names }
    }
    if ((key === 'secpath' || key === 'ipsec') && typeof right === 'boolean') return { kind: 'ipsec', dir: 'in', present: right !== neg }
    return opaque(text)
  }
  if (isObj(left['ct']) && left['ct']['key'] === 'state' && left['ct']['dir'] === undefined) {
    const states = toStrings(right)
    return states === undefined ? opaque(text) : { kind: 'ct', neg, states }
  }
  if (isObj(left['rt']) && left['rt']['key'] === 'ipsec' && typeof right === 'boolean') return { kind: 'ipsec', dir: 'out', present: right !== neg }
  if (isObj(left['fib']) && left['fib']['result'] === 'type' && [left['fib']['flags']].flat().includes('daddr') && right === 'local') return { kind: 'local-dst', neg }
  return opaque(text)
}

function toPortMatch(payload: Obj, ranges: [number, number][], neg: boolean): Match {
  const proto = String(payload['protocol'])
  const header = proto === 'udp' || proto === 'tcp' || proto === 'th' ? proto : 'other'
  return { kind: 'port', field: payload['field'] === 'sport' ? 'sport' : 'dport', header, neg, ranges }
}

function toVerdict(v: Json): Action | undefined {
  if (!isObj(v)) return undefined
  for (const k of ['accept', 'drop', 'reject', 'return', 'continue'] as const) if (k in v) return { kind: k }
  for (const k of ['jump', 'goto'] as const) if (isObj(v[k]) && typeof v[k]['target'] === 'string') return { kind: k, target: v[k]['target'] }
  return undefined
}

/** Maps a vmap key + entry value to a match (ct state, l4proto, ports, addresses, interfaces). */
function toVmapEntryMatch(key: Json, value: Json, sets: readonly SetDef[], at: { family: string; table: string }): Match {
  return toMatch({ op: '==', left: key, right: value }, sets, at)
}

/** Maps one nft rule (list of statements) to a neutral rule. */
function toRule(r: Obj, sets: readonly SetDef[]): Rule {
  const at = { family: String(r['family']), table: String(r['table']) }
  const exprs = Array.isArray(r['expr']) ? r['expr'] : []
  const matches: Match[] = []
  const effects: Effect[] = []
  let action: Action = { kind: 'continue' }
  let counter: Rule['counter']
  for (const e of exprs) {
    if (!isObj(e)) continue
    const key = Object.keys(e)[0] ?? ''
    const v = e[key]
    const verdict = toVerdict(e)
    if (verdict !== undefined) {
      action = verdict
      continue
    }
    switch (key) {
      case 'match':
        matches.push(isObj(v) ? toMatch(v, sets, at) : opaque(toExprText(e)))
        break
      case 'counter':
        if (isObj(v) && typeof v['packets'] === 'number' && typeof v['bytes'] === 'number') counter = { packets: v['packets'], bytes: v['bytes'] }
        break
      case 'log':
      case 'notrack':
        break
      case 'masquerade':
      case 'snat':
      case 'dnat':
      case 'redirect':
        action = { kind: 'nat', how: key }
        break
      case 'mangle': {
        const m = v as Obj
        if (isObj(m['key']) && isObj(m['key']['tcp option']) && m['key']['tcp option']['name'] === 'maxseg') {
          const val = m['value']
          if (typeof val === 'number') effects.push({ kind: 'mss', value: val })
          else if (isObj(val) && isObj(val['rt']) && val['rt']['key'] === 'mtu') effects.push({ kind: 'mss', value: 'pmtu' })
        }
        // Other mangles (meta mark set, ct mark set) do not change the verdict.
        break
      }
      case 'vmap': {
        const vm = v as Obj
        const data = isObj(vm) && isObj(vm['data']) && Array.isArray(vm['data']['set']) ? vm['data']['set'] : undefined
        if (data === undefined) {
          action = { kind: 'unknown', text: toExprText(e) }
          break
        }
        action = {
          kind: 'vmap',
          entries: data.map((pair) => {
            const [k, a] = Array.isArray(pair) ? pair : [undefined, undefined]
            return { match: toVmapEntryMatch(vm['key'], k, sets, at), action: toVerdict(a) ?? { kind: 'unknown', text: JSON.stringify(a) } }
          }),
        }
        break
      }
      case 'xt':
        // iptables-nft writes its extensions as opaque `xt` blobs: the JSON does not say what they match.
        if (isObj(v) && v['type'] === 'target') action = { kind: 'unknown', text: toExprText(e) }
        else matches.push(opaque(`${toExprText(e)} (written by iptables-nft; read iptables-nft-save instead)`))
        break
      case 'limit':
      case 'quota':
      case 'meter':
        matches.push(opaque(toExprText(e)))
        break
      case 'queue':
        action = { kind: 'unknown', text: toExprText(e) }
        break
      default:
        // A statement we do not know might match or decide: stay conservative.
        matches.push(opaque(toExprText(e)))
    }
  }
  const text = exprs.map(toExprText).join(' ')
  const where = `${at.family} ${at.table} ${String(r['chain'])} handle ${String(r['handle'])}`
  return { matches, action, effects, text, where, ...(counter === undefined ? {} : { counter }) }
}

/** Parses `nft -j list ruleset`; undefined when the text is not nft JSON. */
export function parseNftJson(text: string): NftRuleset | undefined {
  let doc: Json
  try {
    doc = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObj(doc) || !Array.isArray(doc['nftables'])) return undefined
  const items = doc['nftables'].filter(isObj)
  const sets: SetDef[] = []
  for (const it of items) {
    const s = it['set'] ?? it['map']
    if (isObj(s)) sets.push({ family: String(s['family']), table: String(s['table']), name: String(s['name']), elems: Array.isArray(s['elem']) ? s['elem'] : [] })
  }
  const chainDefs = items.map((it) => it['chain']).filter(isObj)
  const ruleDefs = items.map((it) => it['rule']).filter(isObj)
  const unsupported = new Set<string>()
  const chains: Chain[] = chainDefs.map((c) => {
    const family = String(c['family'])
    const table = String(c['table'])
    const name = String(c['name'])
    const rules = ruleDefs.filter((r) => r['family'] === family && r['table'] === table && r['chain'] === name).map((r) => toRule(r, sets))
    for (const r of rules) for (const m of r.matches) if (m.kind === 'opaque') unsupported.add(m.text)
    const hook = HOOKS.find((h) => h === c['hook'])
    const policy = c['policy'] === 'drop' ? 'drop' : c['policy'] === 'accept' ? 'accept' : undefined
    const device = typeof c['dev'] === 'string' ? c['dev'] : undefined
    return {
      source: 'nft',
      family,
      table,
      name,
      ...(hook === undefined ? {} : { hook, prio: typeof c['prio'] === 'number' ? c['prio'] : 0, policy: policy ?? 'accept' }),
      ...(typeof c['type'] === 'string' ? { type: c['type'] } : {}),
      ...(device === undefined ? {} : { device }),
      rules,
    }
  })
  const tables: NftTable[] = items
    .map((it) => it['table'])
    .filter(isObj)
    .map((t) => {
      const family = String(t['family'])
      const name = String(t['name'])
      const hasXt = ruleDefs.some((r) => r['family'] === family && r['table'] === name && Array.isArray(r['expr']) && r['expr'].some((e) => isObj(e) && 'xt' in e))
      return { family, name, hasXt }
    })
  return { source: 'nft', chains, unsupported: [...unsupported], tables }
}

/** The same ruleset without the given tables (those evaluated from iptables-save instead). */
export function withoutTables(rs: NftRuleset, drop: readonly { family: string; name: string }[]): NftRuleset {
  const gone = (f: string, n: string) => drop.some((d) => d.family === f && d.name === n)
  return {
    ...rs,
    chains: rs.chains.filter((c) => !gone(c.family, c.table)),
    tables: rs.tables.filter((t) => !gone(t.family, t.name)),
    unsupported: rs.unsupported.filter((u) => !u.includes('iptables-nft')),
  }
}
