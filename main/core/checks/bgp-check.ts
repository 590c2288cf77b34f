// A BGP VPN's sessions in the check: TCP 179 through the gateway's own firewall on each tunnel interface (both
// ways: AWS and FRR each open the session), and the session itself as FRR sees it — the answer, or not, of TCP 179
// inside the tunnel. Read in the check's one batch (vtysh's JSON), judged against the rule sets already read.
import type { CommandOutputs, GatewayCommand } from '../gateway/commands'
import { parseIpv4 } from '../net/cidr'
import { FRR_BGP_SUMMARY_ARGV, parseFrrBgpSummary, type BgpSessionStatus } from '../status/frr-bgp'
import { evaluateHooks, toChainName, type HookResult } from './evaluate'
import type { GatewayFirewall } from './firewall-check'
import type { Finding, Fix, Packet } from './model'

/** One tunnel's BGP session as the check needs it: the tunnel interface and both inside addresses. */
export interface BgpCheckSession {
  readonly tunnel: 1 | 2
  readonly iface: string
  readonly local: string
  readonly neighbor: string
  /** pfSense: FRR is its package's (Services → FRR), and TCP 179 inside the tunnels is pf's (the IPsec tab, floating rules). */
  readonly device?: 'pfsense'
}

/** The check's extra read for a BGP VPN (fixed argv). */
export function toBgpCommands(sessions: readonly BgpCheckSession[]): GatewayCommand[] {
  return sessions.length === 0 ? [] : [{ id: 'bgp-summary', argv: [...FRR_BGP_SUMMARY_ARGV] }]
}

function one(ip: string): { first: bigint; last: bigint } {
  const n = parseIpv4(ip)
  if (n === undefined) throw new Error(`not an IPv4 address: ${ip}`)
  return { first: n, last: n }
}

function describe(r: HookResult): string {
  const c = r.blockers[0] ?? r.uncertain[0]
  if (!c) return 'a chain on its path'
  return c.rule === undefined ? `the ${c.chain.policy ?? 'drop'} policy of ${toChainName(c.chain)}` : `${c.rule.where} (${c.rule.text})`
}

/** The fix that opens TCP 179 on the tunnel interface in the chains that drop it, in each firewall's words. */
function toBgpFix(fw: GatewayFirewall, s: BgpCheckSession, results: readonly { readonly inbound: boolean; readonly r: HookResult }[]): Fix {
  const nft: string[] = []
  const ipt: string[] = []
  for (const { inbound, r } of results) {
    for (const c of [...r.blockers, ...r.uncertain].map((x) => x.chain)) {
      const match = inbound ? `iifname "${s.iface}" ip saddr ${s.neighbor} tcp dport 179` : `oifname "${s.iface}" ip daddr ${s.neighbor} tcp dport 179`
      if (c.source === 'nft') nft.push(`nft 'insert rule ${c.family} ${c.table} ${c.name} ${match} accept'`)
      else ipt.push(`${c.source === 'iptables-legacy' ? fw.legacyCommand : 'iptables'} -I ${c.name} ${inbound ? `-i ${s.iface} -s ${s.neighbor}/32` : `-o ${s.iface} -d ${s.neighbor}/32`} -p tcp --dport 179 -j ACCEPT`)
    }
  }
  const fix: { -readonly [K in keyof Fix]: Fix[K] } = {}
  if (nft.length > 0) fix.nft = [...new Set(nft)].join('\n')
  if (ipt.length > 0) fix.iptables = [...new Set(ipt)].join('\n')
  if (fw.ufw) fix.ufw = `ufw allow in on ${s.iface} proto tcp from ${s.neighbor} to any port 179\nufw allow out on ${s.iface} proto tcp to ${s.neighbor} port 179`
  if (fw.firewalld) fix.firewalld = `firewall-cmd --zone=trusted --add-interface=${s.iface} && firewall-cmd --permanent --zone=trusted --add-interface=${s.iface}`
  return fix
}

/** TCP 179 between the gateway's inside address and AWS's, on the tunnel's interface, both ways (NEW: either end may open it). */
export function toBgpFirewallFinding(fw: GatewayFirewall, s: BgpCheckSession): Finding {
  const base = { proto: 'tcp', dport: 179, ct: 'new', ipsecOut: false, ipsecIn: false } as const
  const inbound: Packet = { ...base, src: one(s.neighbor), dst: one(s.local), iif: s.iface, oif: 'none', dstIsLocal: true }
  const outbound: Packet = { ...base, src: one(s.local), dst: one(s.neighbor), iif: 'none', oif: s.iface, dstIsLocal: false }
  const results = [
    { inbound: true, r: evaluateHooks(fw.rulesets, ['ingress', 'prerouting', 'input'], inbound) },
    { inbound: false, r: evaluateHooks(fw.rulesets, ['output', 'postrouting'], outbound) },
  ]
  const id = `fw.bgp.${s.neighbor}`
  const subject = { peer: s.neighbor, topic: 'bgp' }
  const what = `TCP 179 (BGP) with AWS's ${s.neighbor} on ${s.iface} (tunnel ${s.tunnel})`
  const evidence = results.map(({ inbound: i, r }) => `${i ? 'from' : 'to'} ${s.neighbor}: ${r.verdict}${r.verdict === 'allowed' ? '' : ` by ${describe(r)}`}`)
  if (results.every((x) => x.r.verdict === 'allowed')) return { id, severity: 'ok', subject, verdict: 'allowed', evidence, why: `${what} passes the gateway's firewall both ways.` }
  const bad = results.filter((x) => x.r.verdict !== 'allowed')
  const blocked = bad.some((x) => x.r.verdict === 'blocked')
  return {
    id,
    severity: blocked ? 'error' : 'warning',
    subject,
    verdict: blocked ? 'blocked' : 'unknown',
    evidence,
    why: `${what} ${blocked ? 'is dropped' : 'may be dropped'} ${bad.map((x) => `${x.inbound ? 'coming in' : 'going out'} by ${describe(x.r)}`).join(' and ')}: the BGP session in this tunnel cannot come up, so AWS learns no agency route there and the tunnel carries no traffic.`,
    fix: toBgpFix(fw, s, bad),
  }
}

function duration(sec: number): string {
  return sec >= 3600 ? `${Math.floor(sec / 3600)} h ${Math.floor((sec % 3600) / 60)} min` : sec >= 60 ? `${Math.floor(sec / 60)} min ${sec % 60} s` : `${sec} s`
}

/** The session in each tunnel as FRR reports it; why it is down, with the host firewall's verdict when that explains it. */
export function toBgpSessionFindings(outputs: CommandOutputs, sessions: readonly BgpCheckSession[], firewall: readonly Finding[]): Finding[] {
  if (sessions.length === 0) return []
  const o = outputs['bgp-summary']
  let read: Map<string, BgpSessionStatus> | undefined
  try {
    read = o && o.exitCode === 0 ? parseFrrBgpSummary(o.stdout) : undefined
  } catch {
    read = undefined
  }
  return sessions.map((s): Finding => {
    const id = `daemon.bgp.${s.neighbor}`
    const subject = { peer: s.neighbor, topic: 'bgp' }
    if (read === undefined) {
      const fix = s.device === 'pfsense' ? 'Check FRR on pfSense: Status → Services (FRR zebra and bgpd running), and Services → FRR → Global Settings and BGP enabled.' : 'Check FRR on the gateway: systemctl status frr, and bgpd=yes in /etc/frr/daemons.'
      return { id, severity: 'warning', subject, verdict: 'unknown', evidence: [o ? `vtysh exited ${o.exitCode}` : 'vtysh was not run'], why: "FRR's BGP state could not be read (vtysh -c 'show bgp summary json'): bgpd is not running, or FRR is not installed.", fix: { details: fix } }
    }
    const b = read.get(s.neighbor)
    if (!b) {
      return { id, severity: 'error', subject, verdict: 'problem', evidence: [`FRR has no neighbour ${s.neighbor}`], why: `FRR has no BGP session with AWS's ${s.neighbor} (tunnel ${s.tunnel}): the VPN's BGP section is not loaded.`, fix: { details: s.device === 'pfsense' ? "Apply again (it adds the neighbours to the FRR package's BGP settings and regenerates FRR's configuration)." : 'Apply again (it puts the section into /etc/frr/frr.conf and reloads FRR).' } }
    }
    const counts = `${b.prefixesReceived ?? '?'} prefixes received, ${b.prefixesSent ?? '?'} advertised`
    if (b.established) {
      const none = b.prefixesReceived === 0
      return {
        id,
        severity: none ? 'warning' : 'ok',
        subject,
        verdict: none ? 'problem' : 'ok',
        evidence: [`Established ${duration(b.uptimeSec ?? 0)}, ${counts}${b.remoteAs === undefined ? '' : `, AS ${b.remoteAs}`}`],
        why: none ? `The BGP session in tunnel ${s.tunnel} is up but AWS announces nothing the gateway accepts: no route to the dedicated CIDRs comes from it.` : `The BGP session in tunnel ${s.tunnel} is up: TCP 179 inside the tunnel works both ways.`,
        ...(none ? { fix: { upstream: 'Ask the provider which prefixes AWS advertises (route propagation on the VPC route tables), and compare them with the dedicated CIDRs in the details: only those are accepted.' } } : {}),
      }
    }
    const fw = firewall.find((f) => f.id === `fw.bgp.${s.neighbor}`)
    const byFirewall = fw !== undefined && fw.verdict === 'blocked'
    return {
      id,
      severity: 'error',
      subject,
      verdict: 'problem',
      evidence: [`state ${b.state}${b.downSec === undefined ? '' : ` for ${duration(b.downSec)}`}${b.drops === undefined ? '' : `, ${b.drops} drops since bgpd started`}`],
      why: byFirewall
        ? `The BGP session in tunnel ${s.tunnel} is ${b.state}: the gateway's own firewall drops TCP 179 on ${s.iface} (${fw.id}).`
        : `The BGP session in tunnel ${s.tunnel} is ${b.state}: TCP 179 to AWS's ${s.neighbor} inside the tunnel gets no answer. The tunnel is down, or the inside addresses or ASNs do not match AWS's.`,
      fix: byFirewall
        ? (fw.fix ?? {})
        : { details: `Check the tunnel is up (tunnelwright status), then compare the inside CIDRs and both ASNs with the provider's export; AWS answers only the customer gateway's ASN.${s.device === 'pfsense' ? ` On pfSense, check that no rule (Firewall → Rules → IPsec, or Floating) blocks TCP 179 between ${s.local} and ${s.neighbor}.` : ''}` },
    }
  })
}
