// Parser of `iptables-save` / `iptables-nft-save` / `iptables-legacy-save` into the firewall-neutral rule model.
import { parseIpv4 } from '../net/cidr'
import { toProtoName } from './evaluate'
import type { Action, AddrRange, Chain, Effect, Hook, Match, Rule, RuleSource, Ruleset } from './model'

/** Built-in chains per table: their hook and the priority the kernel gives that table. */
const BUILTIN: Readonly<Record<string, Readonly<Record<string, { hook: Hook; prio: number }>>>> = {
  raw: { PREROUTING: { hook: 'prerouting', prio: -300 }, OUTPUT: { hook: 'output', prio: -300 } },
  mangle: {
    PREROUTING: { hook: 'prerouting', prio: -150 },
    INPUT: { hook: 'input', prio: -150 },
    FORWARD: { hook: 'forward', prio: -150 },
    OUTPUT: { hook: 'output', prio: -150 },
    POSTROUTING: { hook: 'postrouting', prio: -150 },
  },
  nat: {
    PREROUTING: { hook: 'prerouting', prio: -100 },
    INPUT: { hook: 'input', prio: 100 },
    OUTPUT: { hook: 'output', prio: -100 },
    POSTROUTING: { hook: 'postrouting', prio: 100 },
  },
  filter: { INPUT: { hook: 'input', prio: 0 }, FORWARD: { hook: 'forward', prio: 0 }, OUTPUT: { hook: 'output', prio: 0 } },
  security: { INPUT: { hook: 'input', prio: 50 }, FORWARD: { hook: 'forward', prio: 50 }, OUTPUT: { hook: 'output', prio: 50 } },
}

/** Splits an iptables-save rule line into words, honouring double quotes (comments). */
export function toWords(line: string): string[] {
  const out: string[] = []
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!)
  return out
}

function toAddrRanges(text: string): AddrRange[] | undefined {
  const out: AddrRange[] = []
  for (const part of text.split(',')) {
    const [addr, mask] = part.split('/')
    const n = addr === undefined ? undefined : parseIpv4(addr)
    if (n === undefined) return undefined
    let len = 32
    if (mask !== undefined) {
      const dotted = parseIpv4(mask)
      if (dotted !== undefined) {
        const b = dotted.toString(2).padStart(32, '0')
        if (!/^1*0*$/.test(b)) return undefined
        len = b.indexOf('0') === -1 ? 32 : b.indexOf('0')
      } else if (/^\d{1,2}$/.test(mask) && Number(mask) <= 32) len = Number(mask)
      else return undefined
    }
    const size = 1n << BigInt(32 - len)
    out.push({ first: (n / size) * size, last: (n / size) * size + size - 1n })
  }
  return out
}

const PORT_NAMES: Readonly<Record<string, number>> = { isakmp: 500, 'ipsec-nat-t': 4500, ssh: 22 }

function toPortRanges(text: string): [number, number][] | undefined {
  const out: [number, number][] = []
  for (const part of text.split(',')) {
    const [a, b] = part.split(':')
    const x = a === '' || a === undefined ? 0 : PORT_NAMES[a] ?? (/^\d+$/.test(a) ? Number(a) : NaN)
    const y = b === undefined ? x : b === '' ? 65535 : PORT_NAMES[b] ?? (/^\d+$/.test(b) ? Number(b) : NaN)
    if (!Number.isInteger(x) || !Number.isInteger(y)) return undefined
    out.push([x, y])
  }
  return out
}

/** Modules whose options this parser understands; any other `-m` makes the rule's match opaque. */
const KNOWN_MODULES = new Set(['tcp', 'udp', 'multiport', 'conntrack', 'state', 'comment', 'policy', 'addrtype', 'esp'])

/** Parses the words after `-A CHAIN` into matches, action and effects. */
function toRuleParts(words: readonly string[], proto: { value?: string }): { matches: Match[]; action: Action; effects: Effect[] } {
  const matches: Match[] = []
  const effects: Effect[] = []
  let action: Action = { kind: 'continue' }
  let neg = false
  let module = ''
  let policy: { dir?: string; pol?: string } | undefined
  const header = (): 'udp' | 'tcp' | 'other' => (proto.value === 'udp' || proto.value === 'tcp' ? proto.value : 'other')
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    const next = () => words[++i] ?? ''
    if (w === '!') {
      neg = true
      continue
    }
    const n = neg
    neg = false
    switch (w) {
      case '-s':
      case '--source':
      case '-d':
      case '--destination': {
        const v = next()
        const ranges = toAddrRanges(v)
        matches.push(ranges === undefined ? { kind: 'opaque', text: `${w} ${v}` } : { kind: 'addr', field: w.startsWith('-s') || w === '--source' ? 'src' : 'dst', neg: n, ranges })
        break
      }
      case '-p':
      case '--protocol': {
        const v = toProtoName(next())
        if (v !== 'all' && v !== '0') {
          proto.value = n ? undefined : v
          matches.push({ kind: 'proto', neg: n, protos: [v] })
        }
        break
      }
      case '-i':
      case '--in-interface':
      case '-o':
      case '--out-interface':
        matches.push({ kind: 'iface', field: w === '-i' || w === '--in-interface' ? 'iif' : 'oif', neg: n, names: [next()] })
        break
      case '-m':
      case '--match':
        module = next()
        if (!KNOWN_MODULES.has(module)) matches.push({ kind: 'opaque', text: `-m ${module}` })
        if (module === 'policy') policy = {}
        break
      case '--dport':
      case '--destination-port':
      case '--sport':
      case '--source-port':
      case '--dports':
      case '--destination-ports':
      case '--sports':
      case '--source-ports':
      case '--ports': {
        const v = next()
        const ranges = toPortRanges(v)
        const field = w.startsWith('--d') ? 'dport' : w.startsWith('--s') ? 'sport' : 'either'
        matches.push(ranges === undefined ? { kind: 'opaque', text: `${w} ${v}` } : { kind: 'port', field, header: header(), neg: n, ranges })
        break
      }
      case '--ctstate':
      case '--state':
        matches.push({ kind: 'ct', neg: n, states: next().toLowerCase().split(',') })
        break
      case '--tcp-flags':
        i += 2
        break
      case '--syn':
      case '--comment':
        if (w === '--comment') next()
        break
      case '--dir':
        if (policy) policy.dir = next()
        break
      case '--pol':
        if (policy) policy.pol = next()
        break
      case '--dst-type': {
        const v = next()
        matches.push(v === 'LOCAL' ? { kind: 'local-dst', neg: n } : { kind: 'opaque', text: `--dst-type ${v}` })
        break
      }
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        const t = next()
        const rest = words.slice(i + 1)
        i = words.length
        if (w === '-g' || w === '--goto') action = { kind: 'goto', target: t }
        else if (t === 'ACCEPT' || t === 'DROP' || t === 'REJECT' || t === 'RETURN') action = { kind: t === 'ACCEPT' ? 'accept' : t === 'RETURN' ? 'return' : t === 'DROP' ? 'drop' : 'reject' }
        else if (t === 'MASQUERADE' || t === 'SNAT' || t === 'DNAT' || t === 'REDIRECT') action = { kind: 'nat', how: t }
        else if (t === 'TCPMSS') {
          const at = rest.indexOf('--set-mss')
          const mss = at >= 0 ? Number(rest[at + 1]) : NaN
          if (rest.includes('--clamp-mss-to-pmtu')) effects.push({ kind: 'mss', value: 'pmtu' })
          else if (Number.isInteger(mss)) effects.push({ kind: 'mss', value: mss })
        } else if (['LOG', 'NFLOG', 'MARK', 'CONNMARK', 'CT', 'NOTRACK', 'TRACE', 'CLASSIFY', 'DSCP', 'TOS', 'TTL'].includes(t)) action = { kind: 'continue' }
        else if (/^[A-Z][A-Z_]*$/.test(t) && ['QUEUE', 'NFQUEUE', 'TPROXY', 'SET', 'AUDIT'].includes(t)) action = { kind: 'unknown', text: `-j ${t}` }
        else action = { kind: 'jump', target: t }
        break
      }
      default:
        if (module !== '' && w.startsWith('--')) {
          // An option of a module we do not model (e.g. --espspi, --limit): the rule may or may not match.
          const v = words[i + 1] !== undefined && !words[i + 1]!.startsWith('-') ? ` ${next()}` : ''
          matches.push({ kind: 'opaque', text: `-m ${module} ${w}${v}` })
        } else if (w.startsWith('-')) matches.push({ kind: 'opaque', text: w })
    }
  }
  if (policy?.pol !== undefined) matches.push({ kind: 'ipsec', dir: policy.dir === 'in' ? 'in' : 'out', present: policy.pol === 'ipsec' })
  return { matches, action, effects }
}

/** Which front end wrote a save file, from its header (`iptables-nft-save v1.8.9 (nf_tables)`); legacy otherwise. */
export function toIptablesSource(text: string): RuleSource {
  return /nf_tables|iptables-nft-save/.test(text) ? 'iptables-nft' : 'iptables-legacy'
}

/** An iptables table seen in the save output (for hiding iptables-nft's tables from the nft walk). */
export interface IptablesRuleset extends Ruleset {
  readonly tables: readonly string[]
  /** Tables iptables-nft-save shows empty because nft-native chains live in them (evaluate those from nft). */
  readonly incompatible: readonly string[]
}

/** Parses iptables-save output (with or without -c counters); never throws. */
export function parseIptablesSave(text: string, source: RuleSource = toIptablesSource(text)): IptablesRuleset {
  const chains = new Map<string, { table: string; name: string; policy?: 'accept' | 'drop'; rules: Rule[] }>()
  const tables: string[] = []
  const incompatible: string[] = []
  const unsupported = new Set<string>()
  let table = ''
  const counts = new Map<string, number>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    // iptables-nft-save quirk: a table holding nft-native base chains is printed empty, with only this comment.
    const odd = /^# Table `([^']+)' contains incompatible base-chains/.exec(line)
    if (odd) incompatible.push(odd[1]!)
    if (line === '' || line.startsWith('#')) continue
    if (line.startsWith('*')) {
      table = line.slice(1)
      tables.push(table)
      continue
    }
    if (line === 'COMMIT') continue
    const chainDecl = /^:(\S+)\s+(\S+)/.exec(line)
    if (chainDecl) {
      const [, name, pol] = chainDecl
      chains.set(`${table}/${name}`, { table, name: name!, ...(pol === 'DROP' ? { policy: 'drop' as const } : pol === 'ACCEPT' ? { policy: 'accept' as const } : {}), rules: [] })
      continue
    }
    const counted = /^\[(\d+):(\d+)\]\s+(.*)$/.exec(line)
    const body = counted ? counted[3]! : line
    const words = toWords(body)
    if ((words[0] !== '-A' && words[0] !== '-I') || words[1] === undefined) continue
    const chainName = words[1]
    const key = `${table}/${chainName}`
    const c = chains.get(key) ?? { table, name: chainName, rules: [] }
    chains.set(key, c)
    const parts = toRuleParts(words.slice(2), {})
    for (const m of parts.matches) if (m.kind === 'opaque') unsupported.add(m.text)
    const index = (counts.get(key) ?? 0) + 1
    counts.set(key, index)
    const cmd = source === 'iptables-legacy' ? 'iptables-legacy' : 'iptables'
    c.rules.push({
      ...parts,
      text: body,
      where: `${cmd} -t ${table} ${chainName} rule ${index}`,
      ...(counted ? { counter: { packets: Number(counted[1]), bytes: Number(counted[2]) } } : {}),
    })
  }
  const out: Chain[] = [...chains.values()].filter((c) => !incompatible.includes(c.table)).map((c) => {
    const b = BUILTIN[c.table]?.[c.name]
    return {
      source,
      family: 'ip',
      table: c.table,
      name: c.name,
      ...(b === undefined ? {} : { hook: b.hook, prio: b.prio, policy: c.policy ?? 'accept', type: c.table }),
      rules: c.rules,
    }
  })
  return { source, chains: out, unsupported: [...unsupported], tables: tables.filter((t) => !incompatible.includes(t)), incompatible }
}
