// `ipsec statusall` / `ipsec status` of strongSwan's legacy starter (stroke) → IkeSaStatus.
import { type ChildSaStatus, type IkeSaStatus } from './model'

type MutableChild = { -readonly [K in keyof ChildSaStatus]: ChildSaStatus[K] }
type MutableIke = { -readonly [K in keyof IkeSaStatus]: IkeSaStatus[K] }

const UNIT_SECONDS: Record<string, number> = { second: 1, seconds: 1, minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 }

/** "4 seconds" / "57 minutes" / "7 hours" → seconds (stroke rounds to the largest unit). */
function human(n: string, unit: string): number | undefined {
  const f = UNIT_SECONDS[unit]
  return f === undefined ? undefined : Number(n) * f
}

// stroke prints every SA line as "%12s[%d]: …" (IKE) or "%12s{%d}:  …" (CHILD): the name right-aligned in 12
// columns, so the indent is 12 minus the name's length (none past 12). IKE and CHILD lines differ by [N] / {N}.
const IKE_STATE = /^ *(\S+?)\[(\d+)\]: ([A-Z_]+) (\d+) (\w+) ago, ([^[]+)\[(.*?)\]\.\.\.([^[]+)\[(.*?)\]/
const IKE_STATE_BARE = /^ *(\S+?)\[(\d+)\]: ([A-Z_]+)(?:,| )/
const IKE_SPIS = /^ *(\S+?)\[(\d+)\]: IKEv([12]) SPIs: ([0-9a-f]{16})_i(\*?) ([0-9a-f]{16})_r(\*?)(?:, (?:rekeying|reauthentication) in (\d+) (\w+))?/
const IKE_PROPOSAL = /^ *(\S+?)\[(\d+)\]: IKE proposal: (\S+)/
const CHILD_STATE = /^ *(\S+?)\{(\d+)\}: {2}([A-Z_]+), ([A-Z_]+), reqid \d+, (ESP|AH)( in UDP)? SPIs: ([0-9a-f]+)_i(?: \([^)]*\))? ([0-9a-f]+)_o/
const CHILD_TRAFFIC = /^ *(\S+?)\{(\d+)\}: {2}(\S+?), (\d+) bytes_i(?: \((\d+) pkts?, (\d+)s ago\))?, (\d+) bytes_o(?: \((\d+) pkts?, (\d+)s ago\))?(?:, rekeying in (\d+) (\w+))?/
const CHILD_TS = /^ *(\S+?)\{(\d+)\}: {3}(.+) === (.+)$/

/** Parses the "Security Associations" part of `ipsec statusall` (or `ipsec status`). */
export function parseStrokeStatus(text: string): IkeSaStatus[] {
  const ikes = new Map<string, MutableIke>()
  const children = new Map<string, MutableChild>()
  let inSas = false
  for (const line of text.split('\n')) {
    if (/^Security Associations/.test(line)) {
      inSas = true
      continue
    }
    if (!inSas) continue
    let m = IKE_STATE.exec(line)
    if (m) {
      const ike: MutableIke = {
        name: m[1] as string,
        uniqueId: m[2] as string,
        state: m[3] as string,
        localHost: (m[6] as string).trim(),
        localId: m[7] as string,
        remoteHost: (m[8] as string).trim(),
        remoteId: m[9] as string,
        natT: false,
        children: [],
      }
      const age = human(m[4] as string, m[5] as string)
      if (age !== undefined) ike.establishedSec = age
      ikes.set(`${m[1]}[${m[2]}]`, ike)
      continue
    }
    m = IKE_STATE_BARE.exec(line)
    if (m && !ikes.has(`${m[1]}[${m[2]}]`) && !/: IKE/.test(line)) {
      const hosts = /, ([^[\s]+)\[(.*?)\]\.\.\.([^[]+)\[(.*?)\]/.exec(line)
      ikes.set(`${m[1]}[${m[2]}]`, {
        name: m[1] as string,
        uniqueId: m[2] as string,
        state: m[3] as string,
        remoteHost: hosts ? (hosts[3] as string).trim() : '',
        ...(hosts ? { localHost: hosts[1] as string } : {}),
        natT: false,
        children: [],
      })
      continue
    }
    m = IKE_SPIS.exec(line)
    if (m) {
      const ike = ikes.get(`${m[1]}[${m[2]}]`)
      if (ike) {
        ike.version = m[3] === '1' ? 1 : 2
        ike.ikeSpiInitiator = m[4] as string
        ike.ikeSpiResponder = m[6] as string
        ike.initiator = m[5] === '*'
        if (m[8] !== undefined) {
          const s = human(m[8], m[9] as string)
          if (s !== undefined) ike.rekeyInSec = s
        }
      }
      continue
    }
    m = IKE_PROPOSAL.exec(line)
    if (m) {
      const ike = ikes.get(`${m[1]}[${m[2]}]`)
      if (ike) ike.algorithms = m[3] as string
      continue
    }
    m = CHILD_STATE.exec(line)
    if (m) {
      const key = `${m[1]}{${m[2]}}`
      const child: MutableChild = {
        name: m[1] as string,
        uniqueId: m[2] as string,
        state: m[3] as string,
        mode: m[4] as string,
        protocol: m[5] as string,
        encap: m[6] !== undefined,
        spiIn: m[7] as string,
        spiOut: m[8] as string,
        bytesIn: 0,
        packetsIn: 0,
        bytesOut: 0,
        packetsOut: 0,
        localTs: [],
        remoteTs: [],
      }
      children.set(key, child)
      // A CHILD SA belongs to the IKE SA printed just before it.
      const ike = [...ikes.values()].at(-1)
      if (ike) {
        ike.children = [...ike.children, child]
        if (child.encap) ike.natT = true
      }
      continue
    }
    m = CHILD_TRAFFIC.exec(line)
    if (m) {
      const c = children.get(`${m[1]}{${m[2]}}`)
      if (c) {
        c.algorithms = m[3] as string
        c.bytesIn = Number(m[4])
        c.packetsIn = Number(m[5] ?? 0)
        if (m[6] !== undefined) c.lastInSec = Number(m[6])
        c.bytesOut = Number(m[7])
        c.packetsOut = Number(m[8] ?? 0)
        if (m[9] !== undefined) c.lastOutSec = Number(m[9])
        if (m[10] !== undefined) {
          const s = human(m[10], m[11] as string)
          if (s !== undefined) c.rekeyInSec = s
        }
      }
      continue
    }
    m = CHILD_TS.exec(line)
    if (m) {
      const c = children.get(`${m[1]}{${m[2]}}`)
      if (c) {
        c.localTs = (m[3] as string).trim().split(/\s+/)
        c.remoteTs = (m[4] as string).trim().split(/\s+/)
      }
    }
  }
  return [...ikes.values()]
}
