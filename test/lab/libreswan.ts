// The Libreswan gateway: Debian's libreswan 4.10, downloaded and unpacked by prepare.sh (it conflicts
// with strongSwan's packages), laid over /usr inside this node only. strongSwan's files are hidden in the
// node so detection by binaries sees a Libreswan box. Without kernel ESP pluto gets IKE SAs but cannot
// install CHILD SAs; addconn --checkconfig and algparse validate for real.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { type GatewayContext, type GatewaySetup, logTail } from './gateways'
import { type DaemonNode } from './node'
import { PARTNER_NAME, type PartnerConf } from './peer2'
import { repoRoot } from './registry'
import { waitFor } from './proc'
import { startSshd } from './sshd'
import { type ChildSa, type IkeSa } from './strongswan'
import { ADDR } from './topology'

/** Where prepare.sh unpacks Libreswan. */
export const LIBRESWAN_ROOT = resolve(repoRoot(), '.lab-cache/libreswan')

/** The existing connection in Libreswan 4 syntax (IKEv2). */
export function renderPartnerLibreswan(p: PartnerConf): string {
  return `# Existing site-to-site connection to the partner office (not managed by Tunnelwright)
conn ${PARTNER_NAME}
    ikev2=insist
    authby=secret
    left=%defaultroute
    leftid=@${p.gwId}
    leftsubnet=${ADDR.lanCidr}
    right=${ADDR.peer2}
    rightid=@${p.peerId}
    rightsubnet=${ADDR.peer2Cidr}
    ike=aes256-sha2_256;modp2048
    esp=aes256-sha2_256;modp2048
    auto=start
`
}

// A stand-in for systemctl, for the ipsec unit only: the lab nodes have no systemd. It runs what Debian's
// ipsec.service runs (ExecStartPre checks, pluto --nofork as a background process, whack --shutdown).
const SYSTEMCTL_STANDIN = `#!/bin/sh
# STAND-IN: this is not systemd. The Tunnelwright lab has no init system, so this script does for the
# "ipsec" unit what Debian's libreswan ipsec.service does; any other unit is refused.
verb="$1"; unit="\${2%.service}"
[ "$unit" = ipsec ] || { echo "lab systemctl stand-in: unit $2 not known here" >&2; exit 5; }
running() { [ -f /run/pluto/pluto.pid ] && kill -0 "$(cat /run/pluto/pluto.pid)" 2>/dev/null; }
start() {
  running && return 0
  /usr/libexec/ipsec/addconn --config /etc/ipsec.conf --checkconfig || return 1
  /usr/sbin/ipsec --checknss >/dev/null || return 1
  setsid /usr/libexec/ipsec/pluto --leak-detective --config /etc/ipsec.conf --nofork --logfile /var/log/pluto.log </dev/null >>/var/log/pluto.out 2>&1 &
  i=0; while [ ! -S /run/pluto/pluto.ctl ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
  [ -S /run/pluto/pluto.ctl ]
}
stop() {
  running || return 0
  pid=$(cat /run/pluto/pluto.pid)
  /usr/libexec/ipsec/whack --shutdown >/dev/null 2>&1
  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
  rm -f /run/pluto/pluto.ctl /run/pluto/pluto.pid
}
case "$verb" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  reload|try-reload-or-restart|reload-or-restart) running && /usr/sbin/ipsec auto --rereadall || start ;;
  is-active) if running; then echo active; else echo inactive; exit 3; fi ;;
  status) if running; then echo "ipsec.service - lab stand-in (pluto pid $(cat /run/pluto/pluto.pid))"; echo "   Active: active (running)"; else echo "   Active: inactive (dead)"; exit 3; fi ;;
  is-enabled) echo enabled ;;
  *) echo "lab systemctl stand-in: $verb not supported" >&2; exit 1 ;;
esac
`

/** Reads `ipsec whack --showstates` into the same shape as strongSwan's SAs (IKE SAs and their children). */
export function parseShowstates(text: string): IkeSa[] {
  const byConn = new Map<string, { ike?: string; states: string[]; children: ChildSa[] }>()
  for (const line of text.split('\n')) {
    const m = /^(?:\d{3} )?#(\d+): "([^"]+)"(?:\[\d+\])?(?:[^ ]*)? (STATE_\w+) \(([^)]*)\)/.exec(line.trim())
    if (!m) continue
    const [, , conn, state, desc] = m as unknown as [string, string, string, string, string]
    const e = byConn.get(conn) ?? { states: [], children: [] }
    byConn.set(conn, e)
    e.states.push(state)
    if (/IPsec SA established|ESTABLISHED_CHILD_SA/.test(`${state} ${desc}`)) {
      e.children.push({ name: conn, state: 'INSTALLED', encap: false, localTs: [], remoteTs: [], bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0, raw: { state, desc } })
    } else if (/IKE SA established|ISAKMP SA established|ESTABLISHED_IKE_SA|MAIN_I4|MAIN_R3/.test(`${state} ${desc}`)) {
      e.ike = state
    }
  }
  return [...byConn.entries()].map(([name, e]) => ({
    name,
    state: e.ike ? 'ESTABLISHED' : 'CONNECTING',
    version: e.states.some((s) => s.startsWith('STATE_V2')) ? 2 : 1,
    localHost: '',
    remoteHost: '',
    localPort: 0,
    remotePort: 0,
    localId: '',
    remoteId: '',
    natAny: false,
    children: e.children,
    raw: { states: e.states },
  }))
}

/** Builds a Libreswan gateway node. */
export async function setupLibreswan(node: DaemonNode, ctx: GatewayContext): Promise<GatewaySetup> {
  if (!existsSync(`${LIBRESWAN_ROOT}/usr/libexec/ipsec/pluto`)) {
    throw new Error(`Libreswan is not unpacked in ${LIBRESWAN_ROOT}: run \`npm run lab:prepare\` (test/lab/prepare.sh)`)
  }
  await node.start({ usrLayer: `${LIBRESWAN_ROOT}/usr` })
  // Hide strongSwan inside this node (whiteouts in the node's tmpfs layers) and install Libreswan's /etc.
  await node.sh(
    [
      'set -e',
      'rm -rf /etc/swanctl /etc/strongswan.conf /etc/strongswan.d /etc/ipsec.d /etc/ipsec.conf /etc/ipsec.secrets',
      'rm -rf /usr/sbin/swanctl /usr/sbin/charon-systemd /usr/lib/ipsec /usr/share/strongswan /usr/sbin/charon-cmd',
      `cp -a ${LIBRESWAN_ROOT}/etc/ipsec.conf ${LIBRESWAN_ROOT}/etc/ipsec.secrets ${LIBRESWAN_ROOT}/etc/ipsec.d /etc/`,
      'mkdir -p /run/pluto /var/lib/ipsec/nss /usr/local/sbin',
      '/usr/sbin/ipsec --checknss >/dev/null',
    ].join('\n'),
  )
  node.writeFile('/usr/local/sbin/systemctl', SYSTEMCTL_STANDIN, 0o755)
  if (ctx.partner) {
    node.writeFile('/etc/ipsec.d/partner.conf', renderPartnerLibreswan(ctx.partner))
    node.writeFile('/etc/ipsec.d/partner.secrets', `@${ctx.partner.gwId} @${ctx.partner.peerId} : PSK "${ctx.partner.psk}"\n`, 0o600)
  }
  const [ssh] = await Promise.all([
    startSshd(node, ctx.login),
    (async () => {
      await ctx.partnerReady
      const r = await node.exec(['/usr/local/sbin/systemctl', 'start', 'ipsec'])
      if (r.code !== 0) throw new Error(`pluto did not start: ${r.stderr}${r.stdout}\n${logTail(node, '/var/log/pluto.log')}`)
    })(),
  ])
  const listSas = async () => parseShowstates((await node.exec(['ipsec', 'whack', '--showstates'])).stdout)
  return {
    creds: ssh.creds,
    hostPublicKey: ssh.hostPublicKey,
    listSas,
    // Libreswan cannot install the CHILD SA here (no kernel ESP), and IKEv2 then deletes the IKE SA and
    // revives the connection every few seconds: "up" here means pluto has established the IKE SA once.
    waitExisting: async () => {
      try {
        await waitFor('the existing partner IKE SA (libreswan)', () => /"partner" #\d+: initiator established IKE SA/.test(logTail(node, '/var/log/pluto.log', 400)), {
          timeoutMs: 30_000,
          intervalMs: 50,
        })
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${logTail(node, '/var/log/pluto.log')}`, { cause: e })
      }
    },
  }
}

/** The kernel's SA counters by SPI (`ip -s xfrm state`, keys filtered out on the node). */
export function parseXfrmSaCounters(text: string): Map<number, { src: string; dst: string; bytes: number; packets: number }> {
  const out = new Map<number, { src: string; dst: string; bytes: number; packets: number }>()
  let cur: { src: string; dst: string; spi?: number } | undefined
  for (const line of text.split('\n')) {
    const head = /^src (\S+) dst (\S+)/.exec(line)
    const spi = /^\s+proto esp spi 0x([0-9a-f]+)/.exec(line)
    const n = /^\s+(\d+)\(bytes\), (\d+)\(packets\)$/.exec(line)
    if (head) cur = { src: head[1]!, dst: head[2]! }
    else if (spi && cur) cur.spi = parseInt(spi[1]!, 16)
    else if (n && cur?.spi !== undefined) out.set(cur.spi, { src: cur.src, dst: cur.dst, bytes: Number(n[1]), packets: Number(n[2]) })
  }
  return out
}

interface PlutoChild {
  conn: string
  state: string
  port: number
  established: boolean
  parent: string
  spiOut?: number
  spiIn?: number
}

/**
 * Reads `ipsec whack --status` (conn lines, state lines, the SPIs of each IPsec SA) and the kernel's
 * counters into the same shape as strongSwan's SAs: one entry per IKE SA state, its IPsec SAs as children
 * with the kernel's packet and byte counters (pluto shows bytes only). The lab's own parser, independent
 * of the app's status parser.
 */
export function parseLibreswanVmSas(status: string, xfrm: string): IkeSa[] {
  const hosts = new Map<string, { local: string; remote: string; localTs: string; remoteTs: string }>()
  const ikes = new Map<string, { conn: string; state: string; port: number; established: boolean; v2: boolean }>()
  const children = new Map<string, PlutoChild>()
  for (const raw of status.split('\n')) {
    const line = raw.replace(/^\d{3} /, '').trim()
    const conn = /^"([^"]+)"(?:\[\d+\])?: (?:(\S+?)===)?(\S+?)\.\.\.(\S+?)(?:===(\S+?))?;/.exec(line)
    if (conn) {
      const [, name, lts, lhost, rhost, rts] = conn
      hosts.set(name!, { local: (lhost ?? '').split('---')[0]!.replace(/\[.*$/, ''), remote: (rhost ?? '').split('---').pop()!.replace(/\[.*$/, ''), localTs: lts ?? '', remoteTs: rts ?? '' })
      continue
    }
    const traffic = /^#(\d+): "[^"]+"(?:\[\d+\])? esp\.([0-9a-f]+)@\S+ esp\.([0-9a-f]+)@/.exec(line)
    if (traffic) {
      const c = children.get(traffic[1]!)
      if (c) {
        c.spiOut = parseInt(traffic[2]!, 16)
        c.spiIn = parseInt(traffic[3]!, 16)
      }
      continue
    }
    const st = /^#(\d+): "([^"]+)"(?:\[\d+\])?(?::(\d+))? (\S+) \(([^)]*)\)(.*)$/.exec(line)
    if (!st) continue
    const [, serial, name, port, state, desc, rest] = st
    const text = `${state} ${desc}`
    if (/IPsec SA|CHILD_SA|QUICK/.test(text)) {
      children.set(serial!, { conn: name!, state: state!, port: Number(port ?? 500), established: /IPsec SA established|ESTABLISHED_CHILD_SA/.test(text), parent: /(?:ISAKMP|IKE) SA #(\d+)/.exec(rest ?? '')?.[1] ?? '' })
    } else {
      ikes.set(serial!, { conn: name!, state: state!, port: Number(port ?? 500), established: /ISAKMP SA established|IKE SA established|MAIN_I4|MAIN_R3|ESTABLISHED_IKE_SA/.test(text), v2: /V2|IKE_SA/.test(state!) })
    }
  }
  const kernel = parseXfrmSaCounters(xfrm)
  const toChild = (c: PlutoChild, serial: string): ChildSa => {
    const h = hosts.get(c.conn)
    const inSa = c.spiIn === undefined ? undefined : kernel.get(c.spiIn)
    const outSa = c.spiOut === undefined ? undefined : kernel.get(c.spiOut)
    return {
      name: c.conn,
      state: c.established ? 'INSTALLED' : c.state,
      encap: c.port === 4500,
      localTs: h?.localTs ? [h.localTs] : [],
      remoteTs: h?.remoteTs ? [h.remoteTs] : [],
      bytesIn: inSa?.bytes ?? 0,
      bytesOut: outSa?.bytes ?? 0,
      packetsIn: inSa?.packets ?? 0,
      packetsOut: outSa?.packets ?? 0,
      raw: { serial, state: c.state, 'spi-in': c.spiIn?.toString(16) ?? '', 'spi-out': c.spiOut?.toString(16) ?? '' },
    }
  }
  const out: IkeSa[] = []
  const used = new Set<string>()
  for (const [serial, ike] of ikes) {
    const h = hosts.get(ike.conn)
    const kids = [...children].filter(([, c]) => c.parent === serial)
    for (const [k] of kids) used.add(k)
    out.push({
      name: ike.conn,
      state: ike.established ? 'ESTABLISHED' : 'CONNECTING',
      version: ike.v2 ? 2 : 1,
      localHost: h?.local ?? '',
      remoteHost: h?.remote ?? '',
      localPort: ike.port,
      remotePort: ike.port,
      localId: '',
      remoteId: '',
      natAny: ike.port === 4500,
      children: kids.map(([k, c]) => toChild(c, k)),
      raw: { serial, state: ike.state },
    })
  }
  // An IPsec SA whose ISAKMP SA is gone (IKEv1 allows that) under a placeholder.
  for (const [k, c] of children) {
    if (used.has(k)) continue
    const h = hosts.get(c.conn)
    out.push({ name: c.conn, state: 'DELETED', version: 1, localHost: h?.local ?? '', remoteHost: h?.remote ?? '', localPort: c.port, remotePort: c.port, localId: '', remoteId: '', natAny: c.port === 4500, children: [toChild(c, k)], raw: {} })
  }
  return out
}

/** `ip -s xfrm state` filtered down to addresses, SPIs and counters (the keys stay on the node). */
export const XFRM_COUNTERS_SH = "ip -s xfrm state 2>/dev/null | grep -E '^src |^[[:space:]]+proto [a-z0-9]+ spi 0x[0-9a-f]+|^[[:space:]]+[0-9]+[(]bytes[)], [0-9]+[(]packets[)]$'"

/** The IKE and IPsec SAs of a Libreswan VM gateway (pluto's states, the kernel's counters). */
export async function listLibreswanSas(node: { exec(argv: readonly string[]): Promise<{ stdout: string }> }): Promise<IkeSa[]> {
  const [status, xfrm] = await Promise.all([node.exec(['ipsec', 'whack', '--status']), node.exec(['sh', '-c', XFRM_COUNTERS_SH])])
  return parseLibreswanVmSas(status.stdout, xfrm.stdout)
}
