// Detection: what the gateway is (OS, IPsec stack and version, paths, kernel features), in one round trip.
//
// One read-only POSIX sh script prints tagged sections; parseDetect turns them into GatewayFacts.
// Detection goes by binaries, config folders and versions, never by unit names alone (strongSwan
// before 5.8 called its *legacy* unit strongswan.service; RHEL names the control script `strongswan`).
import type { DeviceKind } from '../base/vocabulary'
import { compareVersions } from '../render'
import { parseNameMarkers, type NameMarker } from '../details/slug'
import { quoteSh } from '../ssh/quote'

/** Everything the app needs to know about a gateway before rendering and applying. */
export interface GatewayFacts {
  readonly os: { readonly id: string; readonly name: string; readonly version: string; readonly family: 'debian' | 'rhel' | 'freebsd' | 'other' }
  readonly kernel: string
  /** The IPsec stack the app will drive. */
  readonly stack: { readonly kind: DeviceKind | 'none'; readonly version: string; readonly detail: string }
  /** strongSwan: swanctl present (the VICI front end); starter: the legacy ipsec.conf front end present. */
  readonly frontEnds: { readonly swanctl: boolean; readonly starter: boolean }
  readonly daemonRunning: boolean
  readonly paths: {
    readonly swanctlConf?: string
    readonly swanctlConfD?: string
    readonly ipsecConf?: string
    readonly ipsecSecrets?: string
    readonly ipsecD?: string
    readonly viciSocket?: string
  }
  readonly layout: 'debian' | 'rhel'
  readonly init: 'systemd' | 'other'
  /** Kernel can do route-based IPsec: XFRM interfaces (preferred) or VTI. */
  readonly routeBased: { readonly xfrmInterface: boolean; readonly vti: boolean }
  readonly sftp: boolean
  /**
   * FRR is there: vtysh on the PATH (a change reads frr.conf: a BGP VPN's section, or one a static VPN must take
   * out), or on pfSense its FRR package (/usr/local/pkg/frr.inc), which keeps BGP in config.xml.
   */
  readonly frr: boolean
  readonly isRoot: boolean
  /** pfSense product version (e.g. "2.7.2-RELEASE") when this is a pfSense box. */
  readonly pfsenseVersion?: string
  /** Names of the IPsec connections already defined on the gateway. */
  readonly existingConnections: readonly string[]
  /** Peers and selectors of those connections, where the stack lists them (strongSwan). */
  readonly connectionDetails: readonly ConnectionSummary[]
  /** The name markers found in Tunnelwright's files on the gateway: which slug was written for which full name. */
  readonly nameMarkers: readonly NameMarker[]
  readonly addresses: readonly string[]
}

const TAG = '==TW-SECTION '

/** The read-only detection script (run as root or via sudo; fed to `sh` on stdin). */
export function toDetectScript(): string {
  const section = (name: string, body: string) => `echo ${quoteSh(TAG + name)}\n{ ${body}\n} 2>&1\n`
  return [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH',
    'LC_ALL=C; export LC_ALL',
    section('os-release', 'cat /etc/os-release 2>/dev/null || true;'),
    section('uname', 'uname -sr;'),
    section('id', 'id -u;'),
    section('pfsense', 'cat /etc/version 2>/dev/null; cat /etc/platform 2>/dev/null; [ -f /usr/local/pkg/frr.inc ] && echo frr-package; true;'),
    section('which', 'for b in swanctl ipsec strongswan charon-systemd pluto ip nft iptables-save sysctl systemctl vtysh; do p=$(command -v "$b" 2>/dev/null) && echo "$b=$p"; done; for f in /usr/lib/ipsec/charon /usr/libexec/strongswan/charon /usr/libexec/ipsec/charon /usr/lib/ipsec/starter /usr/libexec/strongswan/starter /usr/libexec/ipsec/pluto /usr/local/libexec/ipsec/charon /usr/local/sbin/swanctl; do [ -x "$f" ] && echo "file=$f"; done; true;'),
    section('swanctl-version', 'swanctl --version 2>/dev/null | head -n 2; true;'),
    section('ipsec-version', '{ ipsec --version 2>/dev/null || strongswan --version 2>/dev/null; } | head -n 3; true;'),
    section('dirs', 'for d in /etc/swanctl/swanctl.conf /etc/swanctl/conf.d /etc/strongswan/swanctl/swanctl.conf /etc/strongswan/swanctl/conf.d /usr/local/etc/swanctl/swanctl.conf /usr/local/etc/swanctl/conf.d /etc/ipsec.conf /etc/ipsec.secrets /etc/ipsec.d /etc/strongswan/ipsec.conf /etc/strongswan/ipsec.secrets /etc/strongswan/ipsec.d /cf/conf/config.xml; do [ -e "$d" ] && echo "$d"; done; true;'),
    section('vici', 'for s in /run/charon.vici /var/run/charon.vici /run/strongswan/charon.vici /var/run/strongswan/charon.vici; do [ -S "$s" ] && echo "$s"; done; true;'),
    section('starter', 'for f in /run/starter.charon.pid /var/run/starter.charon.pid /run/strongswan/starter.charon.pid; do [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && echo running; done; true;'),
    section('pluto', 'for s in /run/pluto/pluto.ctl /var/run/pluto/pluto.ctl; do [ -S "$s" ] && echo "$s"; done; true;'),
    section('init', '[ -d /run/systemd/system ] && echo systemd || echo other;'),
    section('kernel-features', 'for m in xfrm_interface ip_vti; do if [ -d "/sys/module/$m" ]; then echo "$m=loaded"; elif modinfo "$m" >/dev/null 2>&1; then echo "$m=module"; fi; done; c="/boot/config-$(uname -r)"; [ -r "$c" ] && grep -E "^CONFIG_(XFRM_INTERFACE|NET_IPVTI)=" "$c"; true;'),
    section('sftp', 'for f in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/libexec/sftp-server /usr/lib/sftp-server; do [ -x "$f" ] && echo "$f"; done; grep -hiE "^[[:space:]]*subsystem[[:space:]]+sftp" /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf 2>/dev/null; true;'),
    section('swanctl-conns', 'if command -v swanctl >/dev/null 2>&1; then swanctl --list-conns 2>/dev/null | head -n 2000; fi; true;'),
    section('conns', 'if command -v ipsec >/dev/null 2>&1 && ipsec --version 2>/dev/null | grep -q Libreswan; then ipsec addconn --listall 2>/dev/null || ipsec auto --status 2>/dev/null | sed -n "s/^[0-9]* \\"\\([^\\"]*\\)\\":.*/\\1/p" | sort -u; fi; true;'),
    section('addrs', 'ip -o -4 addr show 2>/dev/null | sed "s/.* inet \\([0-9.]*\\).*/\\1/"; true;'),
    // The name markers of connection sets Tunnelwright wrote (one slug can only ever mean one full name).
    section('markers', 'grep -h "tunnelwright-set: " /etc/swanctl/conf.d/tunnelwright-* /etc/strongswan/swanctl/conf.d/tunnelwright-* /usr/local/etc/swanctl/conf.d/tunnelwright-* /etc/ipsec.d/tunnelwright-* /etc/strongswan/ipsec.d/tunnelwright-* 2>/dev/null | head -n 200; [ -r /cf/conf/config.xml ] && grep -o "\\[tunnelwright:[a-z0-9-]*:t[12]\\] [^<]*" /cf/conf/config.xml | head -n 200; true;'),
    'echo ' + quoteSh(TAG + 'end'),
  ].join('\n')
}

/** Splits the script's output into its sections. */
export function parseSections(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>()
  let cur: string[] | undefined
  for (const line of out.split('\n')) {
    if (line.startsWith(TAG)) {
      cur = []
      map.set(line.slice(TAG.length).trim(), cur)
    } else if (cur) cur.push(line)
  }
  for (const lines of map.values()) while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return map
}

function osFamily(id: string, like: string): GatewayFacts['os']['family'] {
  const all = `${id} ${like}`
  if (/\b(debian|ubuntu)\b/.test(all)) return 'debian'
  if (/\b(rhel|fedora|centos|rocky|almalinux|ol)\b/.test(all)) return 'rhel'
  return 'other'
}

/** Turns the detection script's output into facts. Pure; tested on captured real outputs. */
export function parseDetect(out: string): GatewayFacts {
  const s = parseSections(out)
  const get = (k: string) => s.get(k) ?? []
  const kv = new Map(get('os-release').map((l) => /^([A-Z_]+)=("?)(.*)\2$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[3]!]))
  const uname = get('uname')[0] ?? ''
  const pf = get('pfsense')
  const pfsenseVersion = pf.some((l) => /pfsense/i.test(l)) || /FreeBSD/.test(uname) ? pf.find((l) => /^\d+\.\d+/.test(l)) : undefined
  const which = new Map(get('which').map((l) => l.split('=') as [string, string]))
  const files = new Set(get('which').filter((l) => l.startsWith('file=')).map((l) => l.slice(5)))
  const dirs = new Set(get('dirs'))
  const ipsecVersion = get('ipsec-version').join(' ')
  const swanctlVersion = get('swanctl-version').join(' ')

  const libreswan = /Libreswan\s+(?:U?)([\d.]+)/i.exec(ipsecVersion)
  const openswan = /Openswan\s+(?:U?)([\d.]+)/i.exec(ipsecVersion)
  const strongswan = /strongSwan\s+(?:U|swanctl\s+)?([\d.]+)/i.exec(`${swanctlVersion} ${ipsecVersion}`)
  const swanctl = which.has('swanctl') || files.has('/usr/local/sbin/swanctl')
  const starter = [...files].some((f) => f.endsWith('/starter')) || (/strongSwan/i.test(ipsecVersion) && which.has('ipsec'))

  let stack: GatewayFacts['stack']
  if (pfsenseVersion) stack = { kind: 'pfsense', version: pfsenseVersion.replace(/-.*$/, ''), detail: `pfSense ${pfsenseVersion}` }
  else if (libreswan) stack = { kind: 'libreswan', version: libreswan[1]!, detail: `Libreswan ${libreswan[1]}` }
  else if (openswan) stack = { kind: 'openswan', version: openswan[1]!, detail: `Openswan ${openswan[1]}` }
  // Both front ends may be installed (Debian's starter loads the vici plugin when swanctl is present):
  // a running starter means ipsec.conf is what the box uses.
  else if (strongswan && starter && get('starter').includes('running')) stack = { kind: 'strongswan-legacy', version: strongswan[1]!, detail: `strongSwan ${strongswan[1]} (legacy ipsec.conf; starter running${swanctl ? ', swanctl also present' : ''})` }
  else if (strongswan && swanctl) stack = { kind: 'strongswan', version: strongswan[1]!, detail: `strongSwan ${strongswan[1]} (swanctl${starter ? '; legacy starter also present' : ''})` }
  else if (strongswan && starter) stack = { kind: 'strongswan-legacy', version: strongswan[1]!, detail: `strongSwan ${strongswan[1]} (legacy ipsec.conf)` }
  else stack = { kind: 'none', version: '', detail: 'no IPsec stack found (strongSwan, Libreswan, Openswan or pfSense)' }

  const rhel = dirs.has('/etc/strongswan/swanctl/conf.d') || dirs.has('/etc/strongswan/ipsec.conf')
  const pick = (...c: string[]) => c.find((p) => dirs.has(p))
  const features = get('kernel-features').join('\n')
  const vici = get('vici')[0]
  const swanctlConns = parseSwanctlConns(get('swanctl-conns').join('\n'))
  const id = kv.get('ID') ?? (pfsenseVersion ? 'pfsense' : '')
  return {
    os: { id, name: kv.get('PRETTY_NAME') ?? (pfsenseVersion ? `pfSense ${pfsenseVersion}` : uname), version: kv.get('VERSION_ID') ?? '', family: pfsenseVersion || /FreeBSD/.test(uname) ? 'freebsd' : osFamily(id, kv.get('ID_LIKE') ?? '') },
    kernel: uname,
    stack,
    frontEnds: { swanctl, starter },
    daemonRunning: vici !== undefined || get('pluto').length > 0,
    paths: {
      ...(pick('/etc/swanctl/swanctl.conf', '/etc/strongswan/swanctl/swanctl.conf', '/usr/local/etc/swanctl/swanctl.conf') ? { swanctlConf: pick('/etc/swanctl/swanctl.conf', '/etc/strongswan/swanctl/swanctl.conf', '/usr/local/etc/swanctl/swanctl.conf')! } : {}),
      ...(pick('/etc/swanctl/conf.d', '/etc/strongswan/swanctl/conf.d', '/usr/local/etc/swanctl/conf.d') ? { swanctlConfD: pick('/etc/swanctl/conf.d', '/etc/strongswan/swanctl/conf.d', '/usr/local/etc/swanctl/conf.d')! } : {}),
      ...(pick('/etc/ipsec.conf', '/etc/strongswan/ipsec.conf') ? { ipsecConf: pick('/etc/ipsec.conf', '/etc/strongswan/ipsec.conf')! } : {}),
      ...(pick('/etc/ipsec.secrets', '/etc/strongswan/ipsec.secrets') ? { ipsecSecrets: pick('/etc/ipsec.secrets', '/etc/strongswan/ipsec.secrets')! } : {}),
      ...(pick('/etc/ipsec.d', '/etc/strongswan/ipsec.d') ? { ipsecD: pick('/etc/ipsec.d', '/etc/strongswan/ipsec.d')! } : {}),
      ...(vici ? { viciSocket: vici } : {}),
    },
    layout: rhel ? 'rhel' : 'debian',
    init: get('init')[0] === 'systemd' ? 'systemd' : 'other',
    routeBased: {
      xfrmInterface: /xfrm_interface=(loaded|module)|CONFIG_XFRM_INTERFACE=[ym]/.test(features),
      vti: /ip_vti=(loaded|module)|CONFIG_NET_IPVTI=[ym]/.test(features),
    },
    sftp: get('sftp').length > 0,
    frr: which.has('vtysh') || (pfsenseVersion !== undefined && pf.includes('frr-package')),
    isRoot: get('id')[0] === '0',
    ...(pfsenseVersion ? { pfsenseVersion } : {}),
    existingConnections: [...new Set([...swanctlConns.map((c) => c.name), ...get('conns').filter((l) => /^[A-Za-z0-9._-]+$/.test(l))])],
    connectionDetails: swanctlConns,
    nameMarkers: parseNameMarkers(get('markers').join('\n')),
    addresses: get('addrs').filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l)),
  }
}

/** One loaded connection: its peer addresses and (child) traffic selectors. */
export interface ConnectionSummary {
  readonly name: string
  readonly remoteAddrs: readonly string[]
  readonly localTs: readonly string[]
  readonly remoteTs: readonly string[]
}

/** Parses `swanctl --list-conns` (text form): connection lines at column 0, children indented. */
export function parseSwanctlConns(text: string): ConnectionSummary[] {
  const out: { name: string; remoteAddrs: string[]; localTs: string[]; remoteTs: string[] }[] = []
  let cur: (typeof out)[number] | undefined
  let inChild = false
  for (const line of text.split('\n')) {
    const top = /^([^\s:][^:]*): (IKEv[12]|IKEv1\/2)/.exec(line)
    if (top) {
      cur = { name: top[1]!, remoteAddrs: [], localTs: [], remoteTs: [] }
      out.push(cur)
      inChild = false
      continue
    }
    if (!cur) continue
    if (/^ {2}\S[^:]*: (TUNNEL|TRANSPORT|PASS|DROP)/.test(line)) {
      inChild = true
      continue
    }
    const kv = /^\s+(local|remote):\s+(.*)$/.exec(line)
    if (!kv) continue
    const values = kv[2]!.split(/[\s,]+/).filter(Boolean)
    if (!inChild && kv[1] === 'remote') cur.remoteAddrs.push(...values)
    if (inChild) (kv[1] === 'local' ? cur.localTs : cur.remoteTs).push(...values)
  }
  return out
}

/** The routing mode for `routing: "auto"`: route-based where the kernel has XFRM interfaces or VTI. */
export function toAutoRouting(facts: GatewayFacts): 'route' | 'policy' {
  if (facts.stack.kind === 'pfsense') return 'route'
  if (facts.stack.kind === 'strongswan' || facts.stack.kind === 'strongswan-legacy') {
    // XFRM interfaces need strongSwan >= 5.8 (if_id); VTI works with marks on older versions.
    if (facts.routeBased.xfrmInterface && compareVersions(facts.stack.version, '5.8.0') >= 0) return 'route'
    return facts.routeBased.vti ? 'route' : 'policy'
  }
  return facts.routeBased.vti || facts.routeBased.xfrmInterface ? 'route' : 'policy'
}
