// VICI list-sa events (from the client, or from `swanctl --list-sas --pretty` text) → IkeSaStatus.
import { type ViciMessage, type ViciValue } from '../vici/wire'
import { type ChildSaStatus, type IkeSaStatus } from './model'

function isSection(v: ViciValue | undefined): v is ViciMessage {
  return typeof v === 'object' && !Array.isArray(v)
}

function s(m: ViciMessage, k: string): string | undefined {
  const v = m[k]
  return typeof v === 'string' ? v : undefined
}

function n(m: ViciMessage, k: string): number | undefined {
  const v = s(m, k)
  if (v === undefined || !/^\d+$/.test(v)) return undefined
  return Number(v)
}

function list(m: ViciMessage, k: string): string[] {
  const v = m[k]
  return Array.isArray(v) ? [...(v as readonly string[])] : typeof v === 'string' ? [v] : []
}

function yes(m: ViciMessage, k: string): boolean {
  return s(m, k) === 'yes'
}

function algorithms(m: ViciMessage, withPrf: boolean): string | undefined {
  const encr = s(m, 'encr-alg')
  if (encr === undefined) return undefined
  const size = s(m, 'encr-keysize')
  const parts = [size === undefined ? encr : `${encr}-${size}`]
  for (const k of ['integ-alg', ...(withPrf ? ['prf-alg'] : []), 'dh-group']) {
    const v = s(m, k)
    if (v !== undefined) parts.push(v)
  }
  return parts.join('/')
}

function opt<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V }
}

function toChild(key: string, c: ViciMessage): ChildSaStatus {
  return {
    name: s(c, 'name') ?? key,
    uniqueId: s(c, 'uniqueid') ?? key,
    state: s(c, 'state') ?? 'UNKNOWN',
    ...opt('mode', s(c, 'mode')),
    ...opt('protocol', s(c, 'protocol')),
    encap: yes(c, 'encap'),
    spiIn: s(c, 'spi-in') ?? '',
    spiOut: s(c, 'spi-out') ?? '',
    ...opt('algorithms', algorithms(c, false)),
    bytesIn: n(c, 'bytes-in') ?? 0,
    packetsIn: n(c, 'packets-in') ?? 0,
    bytesOut: n(c, 'bytes-out') ?? 0,
    packetsOut: n(c, 'packets-out') ?? 0,
    ...opt('lastInSec', n(c, 'use-in')),
    ...opt('lastOutSec', n(c, 'use-out')),
    ...opt('installedSec', n(c, 'install-time')),
    ...opt('rekeyInSec', n(c, 'rekey-time')),
    ...opt('expiresInSec', n(c, 'life-time')),
    localTs: list(c, 'local-ts'),
    remoteTs: list(c, 'remote-ts'),
  }
}

/** Turns one IKE SA section (as in a list-sa or ike-updown event) into the model. */
export function toIkeSaStatus(name: string, ike: ViciMessage): IkeSaStatus {
  const children = ike['child-sas']
  const version = n(ike, 'version')
  return {
    name,
    uniqueId: s(ike, 'uniqueid') ?? '',
    ...(version === 1 || version === 2 ? { version } : {}),
    state: s(ike, 'state') ?? 'UNKNOWN',
    ...opt('localHost', s(ike, 'local-host')),
    ...opt('localPort', n(ike, 'local-port')),
    ...opt('localId', s(ike, 'local-id')),
    remoteHost: s(ike, 'remote-host') ?? '',
    ...opt('remotePort', n(ike, 'remote-port')),
    ...opt('remoteId', s(ike, 'remote-id')),
    initiator: yes(ike, 'initiator'),
    ...opt('ikeSpiInitiator', s(ike, 'initiator-spi')),
    ...opt('ikeSpiResponder', s(ike, 'responder-spi')),
    natT: yes(ike, 'nat-any') || yes(ike, 'nat-local') || yes(ike, 'nat-remote'),
    ...opt('algorithms', algorithms(ike, true)),
    ...opt('establishedSec', n(ike, 'established')),
    ...opt('rekeyInSec', n(ike, 'rekey-time')),
    ...opt('reauthInSec', n(ike, 'reauth-time')),
    children: isSection(children) ? Object.entries(children).filter(([, v]) => isSection(v)).map(([k, v]) => toChild(k, v as ViciMessage)) : [],
  }
}

/** Parses list-sa event messages (each `{<ike name>: {...}}`) into IKE SAs. */
export function parseViciListSas(events: readonly ViciMessage[]): IkeSaStatus[] {
  const out: IkeSaStatus[] = []
  for (const ev of events) {
    for (const [name, ike] of Object.entries(ev)) if (isSection(ike)) out.push(toIkeSaStatus(name, ike))
  }
  return out
}

/**
 * Parses `swanctl --list-sas --pretty` (the VICI messages printed one element per line) back into the
 * list-sa event messages. Lines: `list-sa event {`, `name {`, `key = value`, `key = [`, items, `]`, `}`.
 */
export function parseSwanctlPretty(text: string): ViciMessage[] {
  const events: ViciMessage[] = []
  type Sec = Record<string, ViciValue>
  let stack: Sec[] = []
  let listKey: string | undefined
  let items: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    if (listKey !== undefined) {
      if (line === ']') {
        const top = stack[stack.length - 1]
        if (top) top[listKey] = items
        listKey = undefined
      } else items.push(line)
      continue
    }
    if (stack.length === 0) {
      const ev = /^(\S+) event \{$/.exec(line)
      if (ev && ev[1] === 'list-sa') stack = [{}]
      continue
    }
    const top = stack[stack.length - 1] as Sec
    if (line === '}') {
      const done = stack.pop()
      if (stack.length === 0 && done) events.push(done)
      continue
    }
    const sec = /^(.+?) \{$/.exec(line)
    if (sec) {
      const child: Sec = {}
      top[sec[1] as string] = child
      stack.push(child)
      continue
    }
    const lst = /^(\S+) = \[$/.exec(line)
    if (lst) {
      listKey = lst[1] as string
      items = []
      continue
    }
    const kv = /^(\S+) = (.*)$/.exec(line)
    if (kv) top[kv[1] as string] = kv[2] as string
  }
  return events
}
