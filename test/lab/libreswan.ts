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
