// strongSwan in lab nodes: charon with kernel-libipsec (this kernel has no ESP), the aws responder's
// swanctl.conf, and a reader for `swanctl --list-sas --raw`.
import { type DaemonNode } from './node'
import { waitFor } from './proc'

/** charon's file log (`charon-logging.conf`) as every lab node writes it: ike at level 2, flushed per line. */
export function charonLoggingConf(path: string): string {
  return [
    'charon {',
    '    filelog {',
    '        lab {',
    `            path = ${path}`,
    '            time_format = %b %e %T',
    '            ike_name = yes',
    '            default = 1',
    '            ike = 2',
    '            cfg = 1',
    '            flush_line = yes',
    '        }',
    '    }',
    '}',
    '',
  ].join('\n')
}

/** The node-local strongSwan settings: load kernel-libipsec (ESP in user space) and log to a file. */
export function prepareCharon(node: DaemonNode): void {
  // Debian ships kernel-libipsec with `load = no`; this kernel has no CONFIG_INET_ESP, so the lab needs it.
  node.writeFile(
    '/etc/strongswan.d/charon/kernel-libipsec.conf',
    'kernel-libipsec {\n    # tunnelwright lab: this kernel has no ESP, so ESP runs in user space (always UDP-encapsulated)\n    load = yes\n}\n',
  )
  node.writeFile('/etc/strongswan.d/charon-logging.conf', charonLoggingConf('/var/log/charon.log'))
}

/** Starts charon (swanctl style) in the node and waits for its VICI socket. */
export async function startCharon(node: DaemonNode): Promise<number> {
  const pid = node.spawnDaemon('charon', ['/usr/lib/ipsec/charon'])
  await node.waitForPath('/run/charon.vici')
  return pid
}

/** The algorithms the aws node accepts, one IKEv1 proposal per combination. */
export function awsProposals(govcloud: boolean, withPfs: boolean): string {
  const integ = govcloud ? ['sha256'] : ['sha256', 'sha1']
  const dh = govcloud ? ['modp2048'] : ['modp2048', 'modp1024']
  const out: string[] = []
  for (const e of ['aes128', 'aes256']) {
    for (const i of integ) {
      if (withPfs) for (const d of dh) out.push(`${e}-${i}-${d}`)
      else out.push(`${e}-${i}`)
    }
  }
  return out.join(',')
}

/** One AWS tunnel as the aws node configures it. */
export interface AwsTunnelConf {
  readonly name: string
  readonly outsideIp: string
  readonly psk: string
  readonly customerIp: string
  readonly localTs: string
  readonly remoteTs: string
  /** XFRM interface id of the CHILD SA (the VM lab's aws node routes through one interface per tunnel, like AWS's VTIs). */
  readonly ifId?: number
  /** charon's updown script for the CHILD SA (the VM lab's aws node moves its routes with it). */
  readonly updown?: string
  /** Also answer IKEv2 (an AWS tunnel can allow both; cloud.gov's allow IKEv1 only, the default). */
  readonly ikev2?: boolean
}

/**
 * The aws node's swanctl.conf: IKEv1 main mode, PSK per tunnel, aes128/aes256 + sha256 (+ sha1) + modp2048
 * (+ modp1024), phase 1 28800 s, phase 2 3600 s, DPD 10 s / 30 s action clear, never initiates (no start,
 * no rekey, no reauth: the gateway must rekey before the hard lifetime), one selector pair per tunnel.
 */
export function renderAwsSwanctl(tunnels: readonly AwsTunnelConf[], govcloud: boolean): string {
  const conns = tunnels.map((t) =>
    [
      `  ${t.name} {`,
      // version 0: as a responder charon answers IKEv1 and IKEv2.
      `    version = ${t.ikev2 ? 0 : 1}`,
      '    aggressive = no',
      `    local_addrs = ${t.outsideIp}`,
      `    remote_addrs = ${t.customerIp}`,
      `    proposals = ${awsProposals(govcloud, true)}`,
      '    dpd_delay = 10s',
      '    dpd_timeout = 30s',
      '    rekey_time = 0s',
      '    reauth_time = 0s',
      '    over_time = 28800s',
      '    unique = replace',
      '    local {',
      '      auth = psk',
      `      id = ${t.outsideIp}`,
      '    }',
      '    remote {',
      '      auth = psk',
      `      id = ${t.customerIp}`,
      '    }',
      '    children {',
      `      ${t.name} {`,
      `        local_ts = ${t.localTs}`,
      `        remote_ts = ${t.remoteTs}`,
      `        esp_proposals = ${awsProposals(govcloud, true)}`,
      '        rekey_time = 0s',
      // rand_time defaults to life_time - rekey_time: with rekey_time 0 that is a rekey at a random moment
      // in the past, so a real kernel's SA soft-expires at once and charon rekeys in a loop.
      '        rand_time = 0s',
      '        life_time = 3600s',
      '        dpd_action = clear',
      '        close_action = none',
      '        start_action = none',
      ...(t.ifId === undefined ? [] : [`        if_id_in = ${t.ifId}`, `        if_id_out = ${t.ifId}`]),
      ...(t.updown === undefined ? [] : [`        updown = ${t.updown}`]),
      '      }',
      '    }',
      '  }',
    ].join('\n'),
  )
  const secrets = tunnels.map(
    (t) => `  ike-${t.name} {\n    id-local = ${t.outsideIp}\n    id-remote = ${t.customerIp}\n    secret = "${t.psk}"\n  }`,
  )
  return `# tunnelwright lab: an AWS Site-to-Site VPN endpoint pair as configured for cloud.gov\nconnections {\n${conns.join('\n')}\n}\nsecrets {\n${secrets.join('\n')}\n}\n`
}

/** A parsed `swanctl --list-sas --raw` section: scalar keys, lists and sub-sections. */
export interface RawSection {
  readonly [key: string]: string | string[] | RawSection
}

/** One CHILD SA from `swanctl --list-sas`. */
export interface ChildSa {
  readonly name: string
  readonly state: string
  readonly encap: boolean
  readonly localTs: readonly string[]
  readonly remoteTs: readonly string[]
  readonly bytesIn: number
  readonly bytesOut: number
  readonly packetsIn: number
  readonly packetsOut: number
  readonly raw: RawSection
}

/** One IKE SA from `swanctl --list-sas`, with its CHILD SAs. */
export interface IkeSa {
  readonly name: string
  readonly state: string
  readonly version: number
  readonly localHost: string
  readonly remoteHost: string
  readonly localPort: number
  readonly remotePort: number
  readonly localId: string
  readonly remoteId: string
  /** True when NAT-T is in use (charon saw a NAT, or faked one). */
  readonly natAny: boolean
  readonly children: readonly ChildSa[]
  readonly raw: RawSection
}

function tokenize(text: string): string[] {
  const tokens: string[] = []
  const re = /\s*([{}[\]]|[^\s{}[\]=]+=[^\s{}[\]]*|[^\s{}[\]]+)/gy
  let m: RegExpExecArray | null
  while ((m = re.exec(text)) !== null) tokens.push(m[1] as string)
  return tokens
}

/** Parses the `--raw` form of a VICI message (`name {key=value list [a b] sub {…}}`). */
export function parseRawVici(text: string): RawSection {
  const tokens = tokenize(text)
  let i = 0
  const section = (): RawSection => {
    const out: Record<string, string | string[] | RawSection> = {}
    while (i < tokens.length) {
      const t = tokens[i++] as string
      if (t === '}') return out
      const eq = t.indexOf('=')
      if (eq > 0) {
        const key = t.slice(0, eq)
        const value = t.slice(eq + 1)
        if (value === '' && tokens[i] === '[') {
          i++
          const items: string[] = []
          while (i < tokens.length && tokens[i] !== ']') items.push(tokens[i++] as string)
          i++
          out[key] = items
        } else {
          out[key] = value
        }
        continue
      }
      const next = tokens[i]
      if (next === '{') {
        i++
        out[t] = section()
      } else if (next === '[') {
        i++
        const list: string[] = []
        while (i < tokens.length && tokens[i] !== ']') list.push(tokens[i++] as string)
        i++
        out[t] = list
      }
    }
    return out
  }
  return section()
}

function str(s: RawSection, k: string): string {
  const v = s[k]
  return typeof v === 'string' ? v : ''
}

function list(s: RawSection, k: string): string[] {
  const v = s[k]
  return Array.isArray(v) ? v : []
}

/** Turns `swanctl --list-sas --raw` output (one `list-sa event {…}` line per IKE SA) into IKE SAs. */
export function parseListSas(text: string): IkeSa[] {
  const out: IkeSa[] = []
  for (const line of text.split('\n')) {
    const m = /^list-sa event \{(.*)\}\s*$/.exec(line.trim())
    if (!m) continue
    const top = parseRawVici(m[1] as string)
    for (const [name, v] of Object.entries(top)) {
      if (typeof v !== 'object' || Array.isArray(v)) continue
      const ike = v as RawSection
      const childSec = ike['child-sas']
      const children: ChildSa[] = []
      if (childSec && typeof childSec === 'object' && !Array.isArray(childSec)) {
        for (const c of Object.values(childSec as RawSection)) {
          if (typeof c !== 'object' || Array.isArray(c)) continue
          const cs = c as RawSection
          children.push({
            name: str(cs, 'name'),
            state: str(cs, 'state'),
            encap: str(cs, 'encap') === 'yes',
            localTs: list(cs, 'local-ts'),
            remoteTs: list(cs, 'remote-ts'),
            bytesIn: Number(str(cs, 'bytes-in') || 0),
            bytesOut: Number(str(cs, 'bytes-out') || 0),
            packetsIn: Number(str(cs, 'packets-in') || 0),
            packetsOut: Number(str(cs, 'packets-out') || 0),
            raw: cs,
          })
        }
      }
      out.push({
        name,
        state: str(ike, 'state'),
        version: Number(str(ike, 'version') || 0),
        localHost: str(ike, 'local-host'),
        remoteHost: str(ike, 'remote-host'),
        localPort: Number(str(ike, 'local-port') || 0),
        remotePort: Number(str(ike, 'remote-port') || 0),
        localId: str(ike, 'local-id'),
        remoteId: str(ike, 'remote-id'),
        natAny: str(ike, 'nat-any') === 'yes',
        children,
        raw: ike,
      })
    }
  }
  return out
}

/** Anything that runs a command as root on a node: a namespace node or a VM. */
export type NodeExec = Pick<DaemonNode, 'mustExec'>

/** Reads a charon node's SAs through swanctl. */
export async function listSas(node: NodeExec): Promise<IkeSa[]> {
  const out = await node.mustExec(['swanctl', '--list-sas', '--raw'])
  return parseListSas(out)
}

/** Waits until `pred` holds for the node's SAs; returns them. */
export async function waitForSas(
  node: NodeExec,
  what: string,
  pred: (sas: IkeSa[]) => boolean,
  timeoutMs = 30_000,
): Promise<IkeSa[]> {
  return waitFor(what, async () => {
    const sas = await listSas(node)
    return pred(sas) ? sas : undefined
  }, { timeoutMs, intervalMs: 100 })
}
