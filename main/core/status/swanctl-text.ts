// `swanctl --list-sas` human output (strongSwan 5.x; pfSense prints the same through its own swanctl) →
// IkeSaStatus. The fallback when SSH stream-local forwarding to the VICI socket is off.
import { type ChildSaStatus, type IkeSaStatus } from './model'

type MutableChild = { -readonly [K in keyof ChildSaStatus]: ChildSaStatus[K] }
type MutableIke = { -readonly [K in keyof IkeSaStatus]: IkeSaStatus[K] }

const IKE_HEAD = /^(\S.*?): #(\d+), ([A-Z_]+), IKEv([12])(?:, ([0-9a-f]{16})_i(\*?) ([0-9a-f]{16})_r(\*?))?/
const ENDPOINT = /^ {2}(local|remote) +'(.*)' @ (\S+?)\[(\d+)\]/
const CHILD_HEAD = /^ {2}(\S.*?): #(\d+), reqid (\d+), ([A-Z_]+), ([A-Z_]+?)(-in-UDP)?, ([A-Z]+):(\S+)/
const TRAFFIC = /^ {4}(in|out) +([0-9a-f]+)(?:\([^)]*\))?, +(\d+) bytes, +(\d+) packets(?:, +(\d+)s ago)?/
const TS = /^ {4}(local|remote) +(.*)$/

function secs(text: string, label: string): number | undefined {
  const m = new RegExp(`${label} (\\d+)s`).exec(text)
  return m ? Number(m[1]) : undefined
}

function setIf<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void {
  if (v !== undefined) o[k] = v
}

/** Parses `swanctl --list-sas` text into IKE SAs (unknown lines are skipped). */
export function parseSwanctlListSas(text: string): IkeSaStatus[] {
  const out: MutableIke[] = []
  let ike: MutableIke | undefined
  let child: MutableChild | undefined
  for (const line of text.split('\n')) {
    const head = IKE_HEAD.exec(line)
    if (head) {
      const initiator = head[6] === '*'
      ike = {
        name: head[1] as string,
        uniqueId: head[2] as string,
        state: head[3] as string,
        version: head[4] === '1' ? 1 : 2,
        remoteHost: '',
        natT: false,
        children: [],
        initiator,
      }
      setIf(ike, 'ikeSpiInitiator', head[5])
      setIf(ike, 'ikeSpiResponder', head[7])
      out.push(ike)
      child = undefined
      continue
    }
    if (!ike) continue
    const ep = ENDPOINT.exec(line)
    if (ep && !child) {
      const port = Number(ep[4])
      if (ep[1] === 'local') {
        ike.localId = ep[2] as string
        ike.localHost = ep[3] as string
        ike.localPort = port
      } else {
        ike.remoteId = ep[2] as string
        ike.remoteHost = ep[3] as string
        ike.remotePort = port
      }
      // This output has no NAT flags; IKE floated to 4500 is the sign of NAT-T (or of forced encapsulation).
      if (port === 4500) ike.natT = true
      continue
    }
    const ch = CHILD_HEAD.exec(line)
    if (ch) {
      child = {
        name: ch[1] as string,
        uniqueId: ch[2] as string,
        state: ch[4] as string,
        mode: ch[5] as string,
        protocol: ch[7] as string,
        encap: ch[6] !== undefined,
        algorithms: ch[8] as string,
        spiIn: '',
        spiOut: '',
        bytesIn: 0,
        packetsIn: 0,
        bytesOut: 0,
        packetsOut: 0,
        localTs: [],
        remoteTs: [],
      }
      ike.children = [...ike.children, child]
      continue
    }
    if (child) {
      const t = TRAFFIC.exec(line)
      if (t) {
        const ago = t[5] === undefined ? undefined : Number(t[5])
        if (t[1] === 'in') {
          child.spiIn = t[2] as string
          child.bytesIn = Number(t[3])
          child.packetsIn = Number(t[4])
          setIf(child, 'lastInSec', ago)
        } else {
          child.spiOut = t[2] as string
          child.bytesOut = Number(t[3])
          child.packetsOut = Number(t[4])
          setIf(child, 'lastOutSec', ago)
        }
        continue
      }
      if (/^ {4}installed /.test(line)) {
        setIf(child, 'installedSec', secs(line, 'installed'))
        setIf(child, 'rekeyInSec', secs(line, 'rekeying in'))
        setIf(child, 'expiresInSec', secs(line, 'expires in'))
        continue
      }
      const ts = TS.exec(line)
      if (ts) {
        const items = (ts[2] as string).trim().split(/\s+/).filter(Boolean)
        if (ts[1] === 'local') child.localTs = items
        else child.remoteTs = items
        continue
      }
    }
    if (/^ {2}established /.test(line)) {
      setIf(ike, 'establishedSec', secs(line, 'established'))
      setIf(ike, 'rekeyInSec', secs(line, 'rekeying in'))
      setIf(ike, 'reauthInSec', secs(line, 'reauth in'))
      continue
    }
    if (/^ {2}[A-Z0-9_]+(-\d+)?\/\S+$/.test(line) && !child) ike.algorithms = line.trim()
  }
  return out
}
