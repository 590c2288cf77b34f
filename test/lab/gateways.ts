// Gateway kinds: what runs on the gateway node besides sshd, and how its daemon is read.
import { type DaemonNode, type PidSink } from './node'
import { PARTNER_NAME, renderPartnerIpsecConf, renderPartnerSecrets, renderPartnerSwanctl, type PartnerConf } from './peer2'
import { startSshd, type LoginOptions, type SshCredentials } from './sshd'
import { type IkeSa, listSas, prepareCharon, startCharon, waitForSas } from './strongswan'
import { setupLibreswan } from './libreswan'
import { setupPfsense } from './pfsense'

/** The gateway kinds the lab can build. */
export type GatewayKind = 'swanctl' | 'starter' | 'libreswan' | 'pfsense'

/** What a gateway kind needs to know. */
export interface GatewayContext {
  readonly run: PidSink
  readonly login: LoginOptions
  readonly partner: PartnerConf | undefined
  readonly pfsenseVersion: string
  /** pfSense: the FRR package's frr.inc (stand-in) is installed. */
  readonly pfsenseFrr?: boolean
  readonly wanIp: string
  readonly wanIf: string
  readonly lanIf: string
  /** Resolves when the partner peer is ready to answer (load the existing connection only after it). */
  readonly partnerReady: Promise<void>
  /** Laid over the node's /usr (swanctl gateways: FRR's packages, ns-frr.ts). */
  readonly usrLayer?: string
}

/** A started gateway. */
export interface GatewaySetup {
  readonly creds: Omit<SshCredentials, 'port' | 'knownHostsLine'>
  readonly hostPublicKey: string
  /** The gateway daemon's IKE SAs. */
  listSas(): Promise<IkeSa[]>
  /** Resolves once the existing (partner) connection is up. */
  waitExisting(): Promise<void>
}

/** Waits until the partner connection shows an installed CHILD SA on a strongSwan gateway. */
export async function waitPartnerUp(node: DaemonNode): Promise<void> {
  try {
    await waitForSas(node, 'the existing partner connection', (sas) =>
      sas.some((s) => s.name === PARTNER_NAME && s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED')),
    )
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- gateway charon log (tail) ---\n${logTail(node, '/var/log/charon.log')}`, { cause: e })
  }
}

/** The last lines of a log inside a node, for error messages. */
export function logTail(node: DaemonNode, path: string, lines = 40): string {
  try {
    return node.readFile(path).split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

async function setupSwanctl(node: DaemonNode, ctx: GatewayContext): Promise<GatewaySetup> {
  await node.start(ctx.usrLayer ? { usrLayer: ctx.usrLayer } : {})
  prepareCharon(node)
  if (ctx.partner) node.writeFile('/etc/swanctl/conf.d/partner.conf', renderPartnerSwanctl(ctx.partner), 0o600)
  const [ssh] = await Promise.all([
    startSshd(node, ctx.login),
    (async () => {
      await startCharon(node)
      await ctx.partnerReady
      await node.mustExec(['swanctl', '--load-all', '--noprompt'])
    })(),
  ])
  return {
    creds: ssh.creds,
    hostPublicKey: ssh.hostPublicKey,
    listSas: () => listSas(node),
    waitExisting: () => waitPartnerUp(node),
  }
}

/** Debian's stock /etc/ipsec.conf of strongswan-starter (what a starter gateway starts from). */
export const STOCK_IPSEC_CONF = `# ipsec.conf - strongSwan IPsec configuration file

# basic configuration

config setup
\t# strictcrlpolicy=yes
\t# uniqueids = no

# Add connections here.

`

/** Debian's stock /etc/ipsec.secrets of strongswan-starter. */
export const STOCK_IPSEC_SECRETS = '# This file holds shared secrets or RSA private keys for authentication.\n\n'

async function setupStarter(node: DaemonNode, ctx: GatewayContext): Promise<GatewaySetup> {
  await node.start()
  prepareCharon(node)
  const conns = ctx.partner ? renderPartnerIpsecConf(ctx.partner, 'strongswan') : ''
  node.writeFile('/etc/ipsec.conf', STOCK_IPSEC_CONF + conns)
  node.writeFile(
    '/etc/ipsec.secrets',
    STOCK_IPSEC_SECRETS + (ctx.partner ? renderPartnerSecrets(ctx.partner) : ''),
    0o600,
  )
  const [ssh] = await Promise.all([
    startSshd(node, ctx.login),
    (async () => {
      await ctx.partnerReady
      // starter in the foreground (our child); it starts charon and feeds it ipsec.conf over stroke.
      node.spawnDaemon('starter', ['/usr/lib/ipsec/starter', '--nofork'])
      await node.waitForPath('/run/charon.ctl')
      await node.waitForPath('/run/charon.vici')
    })(),
  ])
  return {
    creds: ssh.creds,
    hostPublicKey: ssh.hostPublicKey,
    listSas: () => listSas(node),
    waitExisting: () => waitPartnerUp(node),
  }
}

/** Builds the gateway node of the given kind (sshd included). */
export function setupGateway(kind: GatewayKind, node: DaemonNode, ctx: GatewayContext): Promise<GatewaySetup> {
  switch (kind) {
    case 'swanctl':
      return setupSwanctl(node, ctx)
    case 'starter':
      return setupStarter(node, ctx)
    case 'libreswan':
      return setupLibreswan(node, ctx)
    case 'pfsense':
      return setupPfsense(node, ctx)
    default: {
      const never: never = kind
      throw new Error(`unknown gateway kind ${String(never)}`)
    }
  }
}
