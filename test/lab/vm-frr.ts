// FRR in a lab VM, as `apt install frr frr-pythontools` leaves a Debian 12 machine: the two packages' files
// at Debian's own paths (the trees prepare-frr.sh unpacked, shared read-only into the guest and copied into
// its / at the first boot, as dpkg would unpack them), then what frr's postinst does (system users and
// groups frr and frrvty, /etc/frr and /var/log/frr owned frr: without o+rwx), then bgpd enabled in
// /etc/frr/daemons as an admin does. Started at every boot as frr.service would (`systemctl start frr`:
// guest/systemctl-frr.sh runs /usr/lib/frr/frrinit.sh → watchfrr → zebra, bgpd, staticd).
// Nothing is installed on this machine: the guest writes into its own overlay.
import { existsSync, realpathSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { FRR_ROOT } from '../support/frr'
import { type GuestFile, type GuestShare } from './vm-guest'

/** What frr's postinst does (8.4.4-1.1~deb12u2: users, groups, folder owners without o+rwx), then bgpd enabled as an admin does. */
export const FRR_POSTINST_SH: readonly string[] = [
  'groupadd --system frrvty',
  'groupadd --system frr',
  "useradd --system --gid frr --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin --comment 'Frr routing suite' frr",
  'usermod -a -G frrvty frr',
  'mkdir -m 0755 -p /var/log/frr /etc/frr',
  'find /etc/frr /var/log/frr -uid 0 -gid 0 -exec chown frr: {} + -exec chmod o-rwx {} +',
  "sed -i 's/^bgpd=no$/bgpd=yes/' /etc/frr/daemons",
  "grep -q '^bgpd=yes$' /etc/frr/daemons",
]

/** frr-pythontools unpacked by prepare-frr.sh (frr-reload.py: what `systemctl reload frr` runs). */
export const FRR_PYTHONTOOLS_ROOT = resolve(FRR_ROOT, '../frr-pythontools')

/** AWS's default ASN for a virtual private gateway, and the customer gateway ASN the lab's details give AWS. */
export const AWS_ASN = 64512
export const CUSTOMER_ASN = 65000

/** AWS's BGP timers on a VPN tunnel: keepalive 10 s, hold 30 s. */
export const AWS_BGP_TIMERS = { keepalive: 10, hold: 30 } as const

/** The BGP facts of the lab's details (the BGP variant). */
export const LAB_BGP = { awsAsn: AWS_ASN, customerAsn: CUSTOMER_ASN, holdTime: AWS_BGP_TIMERS.hold } as const

/** watchfrr's restart-job timeout in the guests (`-T`; FRR's default 20 s is too short under TCG). */
export const WATCHFRR_RESTART_TIMEOUT_S = 120

// Where the two package trees are mounted in the guest (read-only 9p, every boot).
const FRR_SHARE = '/run/tw-frr'
const FRR_PY_SHARE = '/run/tw-frr-py'

/** Why FRR cannot go into a lab VM here, or undefined. */
export function frrVmMissing(): string | undefined {
  if (!existsSync(join(FRR_ROOT, 'usr/lib/frr/frrinit.sh')) || !existsSync(join(FRR_ROOT, 'usr/lib/frr/bgpd'))) return 'FRR is not unpacked in .lab-cache/frr: run `bash test/lab/prepare-frr.sh`'
  if (!existsSync(join(FRR_PYTHONTOOLS_ROOT, 'usr/lib/frr/frr-reload.py'))) return 'frr-pythontools is not unpacked in .lab-cache/frr-pythontools: run `bash test/lab/prepare-frr.sh`'
  if (!existsSync('/usr/bin/python3')) return "frr-reload.py needs /usr/bin/python3 (Debian's python3) on this machine: the guests run its userland"
  return undefined
}

/** What FRR adds to a guest: its two package trees as shares, the provisioning, and an frr.conf of the node's own. */
export interface FrrGuest {
  readonly shares: readonly GuestShare[]
  readonly provision: string
  readonly files: readonly GuestFile[]
}

/**
 * FRR for one guest. `conf`: the node's /etc/frr/frr.conf (frr:frr 0640, as FRR itself saves it); without
 * it the package's own frr.conf stays, as a fresh install has it.
 */
export function frrGuest(conf?: string): FrrGuest {
  const why = frrVmMissing()
  if (why) throw new Error(why)
  const provision = [
    '# FRR as `apt install frr frr-pythontools` leaves it: what dpkg unpacks from both packages,',
    `for t in ${FRR_SHARE} ${FRR_PY_SHARE}; do for d in etc lib usr var; do if [ -d "$t/$d" ]; then cp -a "$t/$d/." "/$d/"; fi; done; done`,
    "# then frr's postinst (8.4.4-1.1~deb12u2): system users and groups, its folders owned frr: without o+rwx;",
    '# and an admin enables bgpd (Debian ships every protocol daemon off).',
    ...FRR_POSTINST_SH,
    '# TCG quirk: starting the daemons and loading frr.conf takes longer than watchfrr allows its restart jobs',
    '# (-T, 20 s): it kills `watchfrr.sh restart all` half-way and bgpd runs without its config (FRRouting/frr#12049,',
    '# a slow CPU; the fix given there). A slow machine\'s admin sets the same.',
    `sed -i 's/^#watchfrr_options=""$/watchfrr_options="-T ${WATCHFRR_RESTART_TIMEOUT_S}"/' /etc/frr/daemons`,
    `grep -q '^watchfrr_options="-T ${WATCHFRR_RESTART_TIMEOUT_S}"$' /etc/frr/daemons`,
    '',
  ].join('\n')
  return {
    shares: [
      { tag: 'frr', hostPath: realpathSync(FRR_ROOT), guestPath: FRR_SHARE },
      { tag: 'frr-py', hostPath: realpathSync(FRR_PYTHONTOOLS_ROOT), guestPath: FRR_PY_SHARE },
    ],
    provision,
    files: conf === undefined ? [] : [{ path: '/etc/frr/frr.conf', data: conf, mode: 0o640, owner: 'frr:frr' }],
  }
}

/** One AWS BGP session: AWS's inside address (router id of the first), the customer's, and the interface it runs over. */
export interface AwsBgpNeighbour {
  readonly awsIp: string
  readonly customerIp: string
}

/**
 * The aws VM's frr.conf, shaped like AWS's side of a VPN with dynamic routing: AS 64512, one eBGP neighbour
 * per tunnel on the customer's inside address (over that tunnel's XFRM interface), timers 10/30, the
 * dedicated CIDR advertised, everything the customer announces accepted (AWS filters by its own limits,
 * not by a route-map the customer sees), and one best path back to the customer, not ECMP over both tunnels
 * (a virtual private gateway has no ECMP; AS path and MED from the customer decide, as at AWS).
 */
export function renderAwsFrrConf(o: { readonly asn: number; readonly customerAsn: number; readonly neighbours: readonly AwsBgpNeighbour[]; readonly networks: readonly string[] }): string {
  return [
    'frr defaults traditional',
    'hostname aws',
    'log syslog informational',
    '!',
    `router bgp ${o.asn}`,
    ` bgp router-id ${o.neighbours[0]?.awsIp ?? '169.254.0.1'}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
    ...o.neighbours.flatMap((n) => [` neighbor ${n.customerIp} remote-as ${o.customerAsn}`, ` neighbor ${n.customerIp} timers ${AWS_BGP_TIMERS.keepalive} ${AWS_BGP_TIMERS.hold}`]),
    ' !',
    ' address-family ipv4 unicast',
    ...o.networks.map((n) => `  network ${n}`),
    '  maximum-paths 1',
    ' exit-address-family',
    'exit',
    '!',
    '',
  ].join('\n')
}
