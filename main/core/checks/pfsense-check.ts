// The pfSense firewall check: pf's loaded rules (`pfctl -sr`, else /tmp/rules.debug), the auto-added IPsec
// rules and `disablevpnrules` (research/pfsense.md §4), judged per peer, flow and direction, with the fix
// in pfSense's words (GUI path, the rule to add, an easyrule line).
import { classifyIpv4, parseIpv4 } from '../net/cidr'
import type { CommandOutputs, GatewayCommand } from '../gateway/commands'
import type { Direction, Finding, FirewallCheckInput, Flow, Severity } from './model'
import { evaluatePf, parsePfRules, toPfPacket, type PfRule, type PfRuleset } from './pf-rules'

/** What the check reads from config.xml (never the PSKs): the VPN-rules switch, interfaces, phase 1 peers. */
export interface PfsenseFirewallConfig {
  readonly disablevpnrules: boolean
  readonly interfaces: Readonly<Record<string, { readonly if: string; readonly ipaddr: string; readonly descr: string }>>
  readonly phase1: readonly { readonly ikeid: string; readonly remoteGateway: string; readonly interface: string; readonly disabled: boolean; readonly gwDuplicates: boolean; readonly descr: string }[]
  readonly phase2: readonly { readonly ikeid: string; readonly protocol: string; readonly disabled: boolean }[]
}

// Version-neutral PHP (2.4's PHP 7.2 included): prints only the fields the check needs, no secrets.
const CONFIG_PHP = [
  'require_once("config.inc"); global $config;',
  '$s = function ($a, $k) { return (is_array($a) && isset($a[$k]) && !is_array($a[$k])) ? (string)$a[$k] : ""; };',
  '$o = array("disablevpnrules" => isset($config["system"]["disablevpnrules"]), "interfaces" => array(), "phase1" => array(), "phase2" => array());',
  'foreach ((is_array($config["interfaces"] ?? null) ? $config["interfaces"] : array()) as $k => $i) { $o["interfaces"][$k] = array("if" => $s($i, "if"), "ipaddr" => $s($i, "ipaddr"), "descr" => $s($i, "descr")); }',
  '$ip = is_array($config["ipsec"] ?? null) ? $config["ipsec"] : array();',
  'foreach ((is_array($ip["phase1"] ?? null) ? $ip["phase1"] : array()) as $p) { if (is_array($p)) { $o["phase1"][] = array("ikeid" => $s($p, "ikeid"), "remote-gateway" => $s($p, "remote-gateway"), "interface" => $s($p, "interface"), "disabled" => isset($p["disabled"]), "gw_duplicates" => isset($p["gw_duplicates"]), "descr" => $s($p, "descr")); } }',
  'foreach ((is_array($ip["phase2"] ?? null) ? $ip["phase2"] : array()) as $p) { if (is_array($p)) { $o["phase2"][] = array("ikeid" => $s($p, "ikeid"), "protocol" => $s($p, "protocol"), "disabled" => isset($p["disabled"])); } }',
  'echo json_encode($o), "\\n";',
].join(' ')

/** The read-only commands of the pfSense check (one round trip; root: pfctl and config.xml need it). */
export function toPfsenseFirewallCommands(): GatewayCommand[] {
  return [
    { id: 'pfctl-sr', argv: ['/sbin/pfctl', '-sr'] },
    { id: 'rules-debug', argv: ['cat', '/tmp/rules.debug'] },
    { id: 'pfsense-config', argv: ['/usr/local/bin/php', '-r', CONFIG_PHP] },
  ]
}

/** Parses the config read's JSON (undefined when it is not that document). */
export function parsePfsenseFirewallConfig(text: string): PfsenseFirewallConfig | undefined {
  // While /var/run/booting exists pfSense's includes print leading dots (research/pfsense.md §2.1).
  const json = text.trim().replace(/^\.+/, '')
  let doc: unknown
  try {
    doc = JSON.parse(json)
  } catch {
    return undefined
  }
  if (typeof doc !== 'object' || doc === null) return undefined
  const d = doc as Record<string, unknown>
  const str = (o: unknown, k: string) => (typeof o === 'object' && o !== null && typeof (o as Record<string, unknown>)[k] === 'string' ? ((o as Record<string, unknown>)[k] as string) : '')
  const bool = (o: unknown, k: string) => typeof o === 'object' && o !== null && (o as Record<string, unknown>)[k] === true
  const ifs = typeof d['interfaces'] === 'object' && d['interfaces'] !== null && !Array.isArray(d['interfaces']) ? (d['interfaces'] as Record<string, unknown>) : {}
  return {
    disablevpnrules: d['disablevpnrules'] === true,
    interfaces: Object.fromEntries(Object.entries(ifs).map(([k, v]) => [k, { if: str(v, 'if'), ipaddr: str(v, 'ipaddr'), descr: str(v, 'descr') }])),
    phase1: (Array.isArray(d['phase1']) ? d['phase1'] : []).map((p: unknown) => ({ ikeid: str(p, 'ikeid'), remoteGateway: str(p, 'remote-gateway'), interface: str(p, 'interface'), disabled: bool(p, 'disabled'), gwDuplicates: bool(p, 'gw_duplicates'), descr: str(p, 'descr') })),
    phase2: (Array.isArray(d['phase2']) ? d['phase2'] : []).map((p: unknown) => ({ ikeid: str(p, 'ikeid'), protocol: str(p, 'protocol'), disabled: bool(p, 'disabled') })),
  }
}

function out(outputs: CommandOutputs, id: string): string | undefined {
  const o = outputs[id]
  return o !== undefined && o.exitCode === 0 && o.stdout.trim() !== '' ? o.stdout : undefined
}

const FLOWS: readonly Flow[] = ['udp500', 'udp4500', 'esp']
const FLOW_TEXT: Readonly<Record<Flow, string>> = { udp500: 'UDP 500 (IKE)', udp4500: 'UDP 4500 (NAT-T)', esp: 'ESP (IP protocol 50)' }
const AUTO_LABEL: Readonly<Record<Flow, string>> = { udp500: 'isakmp', udp4500: 'nat-t', esp: 'esp proto' }

function ruleText(r: PfRule): string {
  return `line ${r.line}: ${r.text}`
}

/** The auto-added rule for a flow, matched on its label substring (2.4–2.8 "IPsec: X - inbound isakmp"; 2.9 "descr=IPsec: …"). */
function autoRule(rules: readonly PfRule[], flow: Flow, direction: Direction, peer: string): PfRule | undefined {
  const tag = `${direction} ${AUTO_LABEL[flow]}`
  return rules.find((r) => r.action === 'pass' && r.label !== undefined && r.label.includes('IPsec:') && r.label.endsWith(tag) && r.text.includes(peer))
}

function toFix(peer: string, flow: Flow, direction: Direction, at: { ifName: string; ifKey: string; localIp: string }, decider: PfRule | undefined, disabled: boolean): string {
  const inbound = direction === 'inbound'
  const proto = flow === 'esp' ? 'esp' : 'udp'
  const port = flow === 'esp' ? undefined : flow === 'udp500' ? 500 : 4500
  const tab = at.ifKey.toUpperCase()
  const above = decider?.quick && decider.action === 'block' ? `, then drag it ABOVE the block rule "${decider.label ?? decider.text}"` : ''
  const lines = [
    inbound
      ? `Firewall > Rules > ${tab}: add — Action Pass, Protocol ${proto.toUpperCase()}, Source ${peer}, Destination "${tab} address"${port ? `, Destination port ${port}` : ''}${above}; Save, Apply Changes.`
      : `Firewall > Rules > Floating: add — Action Pass, Quick, Interface ${tab}, Direction out, Protocol ${proto.toUpperCase()}, Source "This Firewall (self)", Destination ${peer}${port ? `, Destination port ${port}` : ''}; Save, Apply Changes.`,
  ]
  if (disabled) lines.push('Or let pfSense add them: System > Advanced > Firewall & NAT, uncheck "Disable all auto-added VPN rules", Save.')
  // easyrule (pfSense's shell helper) adds an interface pass rule for inbound traffic.
  if (inbound) lines.push(`Shell: easyrule pass ${at.ifKey} ${proto} ${peer} ${at.localIp}${port ? ` ${port}` : ''}`)
  const on = at.ifName || at.ifKey
  lines.push(`pf rule: ${inbound ? `pass in quick on ${on} inet proto ${proto} from ${peer} to (self)` : `pass out quick on ${on} inet proto ${proto} from (self) to ${peer}`}${port ? ` port = ${port}` : ''} keep state`)
  return lines.join('\n')
}

/** Judges UDP 500 / 4500 / ESP both ways for every peer on a pfSense box. */
export function checkPfsense(input: FirewallCheckInput, outputs: CommandOutputs): Finding[] {
  const loaded = out(outputs, 'pfctl-sr')
  const debug = out(outputs, 'rules-debug')
  const cfg = parsePfsenseFirewallConfig(out(outputs, 'pfsense-config') ?? '')
  const source = loaded !== undefined ? 'pfctl -sr (the loaded ruleset)' : debug !== undefined ? '/tmp/rules.debug (the generated ruleset; pfctl -sr could not be read)' : undefined
  const rs: PfRuleset = parsePfRules(loaded ?? debug ?? '')
  const debugNotes = debug !== undefined && /VPN Rules not added disabled in System->Advanced/.test(debug) ? ['rules.debug: "VPN Rules not added disabled in System->Advanced."'] : []
  const disabled = cfg?.disablevpnrules ?? debugNotes.length > 0
  const findings: Finding[] = [
    {
      id: 'fw.sources',
      severity: source === undefined ? 'warning' : 'info',
      subject: { topic: 'firewall' },
      verdict: source === undefined ? 'unknown' : 'ok',
      evidence: [
        source ?? 'neither pfctl -sr nor /tmp/rules.debug could be read (the login needs root: admin or root)',
        `${rs.rules.length} pass/block rules read`,
        ...rs.unsupported.map((u) => `not understood: ${u}`),
        cfg === undefined ? 'config.xml could not be read' : `config.xml: disablevpnrules ${cfg.disablevpnrules ? 'SET' : 'not set'}; ${cfg.phase1.length} phase 1 entries`,
      ],
      why: 'pf evaluates these rules: the first matching quick rule wins, otherwise the last matching rule.',
    },
    {
      id: 'pfsense.vpnrules',
      severity: disabled ? 'warning' : 'ok',
      subject: { topic: 'pfsense-vpn-rules' },
      verdict: disabled ? 'problem' : 'ok',
      evidence: [...debugNotes, cfg === undefined ? 'config.xml not read' : `<system><disablevpnrules/> is ${cfg.disablevpnrules ? 'present' : 'absent'}`],
      why: disabled
        ? 'Auto-added VPN rules are disabled: pfSense does not open UDP 500/4500 and ESP for the IPsec peers; WAN rules of your own must do it.'
        : 'pfSense adds pass rules for UDP 500/4500 and ESP to and from each enabled IPsec peer (unless a quick block rule overrides them).',
      ...(disabled ? { fix: { pfsense: 'System > Advanced > Firewall & NAT: uncheck "Disable all auto-added VPN rules", Save — or add WAN pass rules for UDP 500, UDP 4500 and ESP from each AWS outside IP.' } } : {}),
    },
  ]
  const wanAddr = input.publicIp
  for (const peer of input.peers) {
    const peerN = parseIpv4(peer)
    if (peerN === undefined) continue
    const p1 = cfg?.phase1.find((p) => p.remoteGateway === peer && !p.disabled)
    const ifKey = p1?.interface || 'wan'
    const ifc = cfg?.interfaces[ifKey]
    const ifName = ifc?.if ?? ''
    const local = parseIpv4(ifc?.ipaddr ?? '') ?? parseIpv4(wanAddr) ?? 0n
    const self = [local, ...Object.values(cfg?.interfaces ?? {}).map((i) => parseIpv4(i.ipaddr)).filter((x): x is bigint => x !== undefined)]
    const ifaceAddrs = new Map(Object.values(cfg?.interfaces ?? {}).flatMap((i) => (parseIpv4(i.ipaddr) !== undefined ? [[i.if, parseIpv4(i.ipaddr)!] as const] : [])))
    const natted = ifc !== undefined && parseIpv4(ifc.ipaddr) !== undefined && ifc.ipaddr !== input.publicIp
    for (const direction of ['inbound', 'outbound'] as const) {
      for (const flow of FLOWS) {
        const id = `fw.${direction}.${flow}.${peer}`
        const subject = { peer, flow, direction }
        const what = `${FLOW_TEXT[flow]} ${direction === 'inbound' ? `from ${peer}` : `to ${peer}`}`
        if (source === undefined) {
          findings.push({ id, severity: 'warning', subject, verdict: 'unknown', evidence: ['no ruleset could be read'], why: `Cannot tell whether ${what} passes pf.` })
          continue
        }
        const pkt = toPfPacket(flow, direction, { peer: peerN, local, iface: ifName || undefined, self, ifaceAddrs, peerIsPublic: classifyIpv4(peer).kind === 'public' })
        const d = evaluatePf(rs.rules, pkt)
        const auto = autoRule(rs.rules, flow, direction, peer)
        const evidence = [
          d.rule ? `decided by ${ruleText(d.rule)}` : 'no rule matches: pf passes by default',
          auto ? `auto-added rule present: ${ruleText(auto)}` : `no auto-added "IPsec: … - ${direction} ${AUTO_LABEL[flow]}" rule for ${peer}${disabled ? ' (auto-added VPN rules are disabled)' : p1 === undefined ? ' (no enabled phase 1 with this peer in config.xml)' : p1.gwDuplicates ? ' (the phase 1 has gw_duplicates set: pfSense adds no rules for it)' : ''}`,
          ...d.uncertain.map((u) => `may match: ${ruleText(u)}`),
          `interface toward the peer: ${ifKey}${ifName ? ` (${ifName})` : ''}`,
        ]
        if (d.verdict === 'allowed') {
          findings.push({ id, severity: 'ok', subject, verdict: 'allowed', evidence, why: `${what} passes pf.` })
          continue
        }
        const severity: Severity = flow === 'udp4500' ? (natted ? 'error' : 'warning') : 'error'
        const role = flow === 'udp500' ? 'IKE cannot start or rekey' : flow === 'udp4500' ? (natted ? 'behind NAT both IKE and ESP travel in UDP 4500' : 'AWS recommends it open: NAT-T is used as soon as NAT appears on the path') : 'IKE may come up but no traffic passes the tunnel'
        const byQuick = d.rule !== undefined && d.rule.quick && d.rule.action === 'block'
        const why =
          d.verdict === 'blocked'
            ? byQuick
              ? `${what} is dropped by the quick block rule ${d.rule!.label ? `"${d.rule!.label}"` : ruleText(d.rule!)}: quick rules win over pfSense's auto-added IPsec rules (those are not quick and come after the user rules). ${role}.`
              : `${what} is dropped by ${d.rule?.label ? `"${d.rule.label}"` : d.rule ? ruleText(d.rule) : 'the default deny rule'}${auto ? '' : ' and no pass rule follows it'}: ${role}.`
            : `Cannot decide whether ${what} passes pf: ${d.uncertain.map((u) => u.label ?? u.text).join('; ')} may match. If it is dropped, ${role}.`
        findings.push({ id, severity: d.verdict === 'blocked' ? severity : 'warning', subject, verdict: d.verdict, evidence, why, fix: { pfsense: toFix(peer, flow, direction, { ifName, ifKey, localIp: ifc?.ipaddr && parseIpv4(ifc.ipaddr) !== undefined ? ifc.ipaddr : wanAddr }, d.rule, disabled) } })
      }
    }
  }
  // Traffic started on the AWS side arrives on the IPsec tab (enc0): without a pass rule there only replies get in.
  const enc = rs.rules.filter((r) => r.action === 'pass' && r.ifaces?.includes('enc0') === true && r.direction !== 'outbound')
  findings.push({
    id: 'pfsense.ipsec-tab',
    severity: enc.length > 0 || source === undefined ? 'info' : 'warning',
    subject: { topic: 'pfsense-ipsec-tab' },
    verdict: enc.length > 0 ? 'ok' : source === undefined ? 'unknown' : 'problem',
    evidence: enc.length > 0 ? enc.map(ruleText) : ['no pass rule on enc0 (the IPsec tab)'],
    why:
      enc.length > 0
        ? 'The IPsec tab has pass rules: check that they admit the dedicated subnets toward the agency networks.'
        : 'The IPsec tab (enc0) has no pass rule: replies to connections the agency starts get in, but anything started from the cloud.gov side is blocked.',
    ...(enc.length > 0
      ? {}
      : { fix: { pfsense: `Firewall > Rules > IPsec: add a rule — Action Pass, Protocol any, Source ${input.dedicatedCidrs.join(', ')}, Destination ${input.agencyCidrs.join(', ')}; Save, Apply Changes.` } }),
  })
  return findings
}
