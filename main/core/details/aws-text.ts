// AWS's text downloads read into export facts: the Generic file, and the device templates (strongSwan,
// Openswan/Libreswan, pfSense, Vyatta, Cisco, Juniper, Fortinet, Palo Alto, Yamaha …) for the facts they
// share: the connection id, each tunnel's AWS outside IP, key and inside /30, the customer gateway's
// address, and BGP (ASNs, neighbour, hold time). Headings are matched case-insensitively ("IPSec", "IPsec",
// "IPSEC"), comment prefixes ("! ", "# ", "#") are looked through, and the Markdown image lines AWS's
// documentation pages left inside their examples are skipped.
import { parsePrefix } from '../net/cidr'
import { assertIpv4, assertPsk, assertSize, fail, isIpv4, optional, shown, toAsn, toCount, toInsideCidr, type ExportBgp, type ExportFacts, type ExportTunnel } from './aws-facts'

const GENERIC_FIX = "Download the VPN connection's Generic configuration (or the XML) instead: it has every fact Tunnelwright needs."

/** One IPv4 address, not part of a longer dotted run (AWS's Palo Alto example has "169.254.255.6.113"). */
const IP = String.raw`(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?!\.?\d)`
const LINK_LOCAL = /^169\.254\./

/** A comment prefix ("! ", "# ", "#", "!") in front of a line; "#1:" (a Generic section number) is not one. */
const COMMENT = /^\s*(?:!|#(?!\d))\s*/

/** AWS's device templates, recognised by a line only that template has. */
const TEMPLATES: ReadonlyArray<{ readonly shape: string; readonly test: RegExp }> = [
  { shape: 'Vyatta template', test: /set vpn ipsec site-to-site peer/ },
  { shape: 'Cisco IOS template', test: /crypto keyring|crypto isakmp profile/ },
  { shape: 'Cisco ASA template', test: /^\s*tunnel-group \S+ (?:type|ipsec-attributes)/m },
  { shape: 'Juniper SRX (JunOS) template', test: /set security ike gateway/ },
  { shape: 'Juniper ScreenOS template', test: /^\s*set ike gateway/m },
  { shape: 'Fortinet FortiGate template', test: /config vpn ipsec phase1-interface/ },
  { shape: 'Palo Alto Networks template', test: /edit network ike gateway/ },
  { shape: 'Yamaha template', test: /ipsec ike pre-shared-key/ },
  { shape: 'strongSwan template', test: /^\s*(?:leftauth|rightauth)\s*=\s*psk/m },
  { shape: 'Openswan/Libreswan template', test: /^\s*authby\s*=\s*secret/m },
  { shape: 'pfSense template', test: /Remote Gateway\s*:/ },
]

/** Reads AWS's Generic text or a device template; throws UserError on anything else. */
export function parseAwsText(text: string): ExportFacts {
  assertSize(text, 'AWS text export')
  const raw = text.split(/\r\n|\r|\n/)
  const images = raw.filter((l) => /^\s*!\[/.test(l)).length
  // Markdown image lines ("![...](…/IKE.png)") are what AWS's documentation pages left in their examples.
  const lines = raw.map((l) => (/^\s*!\[/.test(l) ? '' : l.replace(COMMENT, '')))
  const joined = lines.join('\n')
  const header = (re: RegExp): string | undefined => {
    for (const l of lines) {
      const m = re.exec(l)
      if (m) return m[1]
    }
    return undefined
  }
  const starts: Array<{ line: number; heading: string }> = []
  lines.forEach((l, i) => {
    // "IPSec Tunnel #1", "IPsec Tunnel #1", "IPSEC Tunnel #1": as each template spells it; named as spelt.
    const m = /^\s*(IPsec Tunnel\s*#\s*\d+)\s*:?\s*$/i.exec(l)
    if (m) starts.push({ line: i, heading: m[1]!.replace(/\s+/g, ' ') })
  })
  const generic = /^\s*-\s*Pre-Shared Key\s*:/im.test(joined) && /Outside IP Addresses/i.test(joined)
  const template = generic ? undefined : TEMPLATES.find((t) => t.test.test(joined))
  const shape = generic ? 'Generic text' : (template?.shape ?? 'device template')
  let id = header(/^\s*Your VPN Connection ID\s*:\s*(\S+)\s*$/i)
  const notes: string[] = []
  if (id === undefined && !generic && (template || starts.length > 0)) {
    // Some templates (Cisco IOS static) start at "IPSec Tunnel #1": the id lives on in the names they give.
    const named = [...new Set([...joined.matchAll(/(?<![A-Za-z0-9])vpn-([0-9a-f]{8}|[0-9a-f]{17})(?![0-9a-f])/g)].map((m) => `vpn-${m[1]}`))]
    if (named.length === 1) {
      id = named[0]!
      notes.push(`The ${shape} has no "Your VPN Connection ID" line; the id ${id} was taken from the names it gives.`)
    }
  }
  if (id === undefined || !/^vpn-[0-9A-Za-z]{1,32}$/.test(id)) {
    fail('aws-text-format', `This is not an AWS VPN configuration: there is no "Your VPN Connection ID : vpn-…" line${starts.length === 0 ? ' and no "IPsec Tunnel #1" section' : ''}.`, "Use the file AWS produced for the VPN connection: the XML, the describe-vpn-connections JSON, or a text download (Generic or a device's).")
  }
  if (starts.length !== 2) {
    if (starts.length === 0 && template) {
      fail('aws-text-tunnels', `The ${shape} has no "IPsec Tunnel #N" sections: it is one configuration for both tunnels (policy-based) with no tunnel inside addresses, so its tunnels cannot be told apart.`, GENERIC_FIX)
    }
    fail('aws-text-tunnels', `Expected exactly two "IPsec Tunnel #N" sections (AWS always provides two tunnels), found ${starts.length}.`)
  }
  if (images > 0) notes.push(`${images} Markdown image line${images === 1 ? '' : 's'} (from a documentation page) ${images === 1 ? 'was' : 'were'} skipped.`)
  const blocks = starts.map((s, k) => ({ heading: s.heading, lines: lines.slice(s.line + 1, starts[k + 1]?.line ?? lines.length) }))
  const tunnels = blocks.map((b) => (generic ? parseGenericTunnel(b.lines, b.heading) : parseTemplateTunnel(b.lines, `${shape}, ${b.heading}`, shape)))
  const routing = generic ? toGenericRouting(joined, tunnels) : tunnels.some((t) => t.bgp) ? 'bgp' : undefined
  if (!generic) notes.push(`Read from AWS's ${shape}: each tunnel's outside IP, key and inside /30${tunnels.some((t) => t.bgp) ? ', and BGP' : ''}.`)
  const gatewayId = header(/^\s*Your Virtual Private Gateway ID\s*:\s*(\S+)\s*$/i)
  const transitId = header(/^\s*Your Transit Gateway ID\s*:\s*(\S+)\s*$/i)
  return {
    kind: 'text',
    shape,
    vpnConnectionId: id,
    ...optional('customerGatewayId', header(/^\s*Your Customer Gateway ID\s*:\s*(\S+)\s*$/i)),
    ...optional('vpnGatewayId', gatewayId?.startsWith('vgw-') ? gatewayId : undefined),
    ...optional('transitGatewayId', transitId ?? (gatewayId?.startsWith('tgw-') ? gatewayId : undefined)),
    tunnels,
    ...(routing ? { routing } : {}),
    notes,
  }
}

function toGenericRouting(text: string, tunnels: readonly ExportTunnel[]): 'static' | 'bgp' | undefined {
  if (/#4:\s*Border Gateway Protocol|BGP Configuration Options/i.test(text) || tunnels.some((t) => t.bgp)) return 'bgp'
  if (/#4:\s*Static Routing/i.test(text)) return 'static'
  return undefined
}

// ---------------------------------------------------------------------------------------------
// The Generic file: "- Key : value" lines under numbered sections.

function parseGenericTunnel(block: readonly string[], where: string): ExportTunnel {
  type Section = 'none' | 'ike' | 'ipsec' | 'tunnel' | 'routing'
  let section: Section = 'none'
  let sub: 'none' | 'outside' | 'inside' = 'none'
  const ike: Record<string, string> = {}
  const esp: Record<string, string> = {}
  const outside: Record<string, string> = {}
  const inside: Record<string, string> = {}
  const routing: Record<string, string> = {}
  for (const line of block) {
    if (/#1:\s*Internet Key Exchange/i.test(line)) section = 'ike'
    else if (/#2:\s*IPsec Configuration/i.test(line)) section = 'ipsec'
    else if (/#3:\s*Tunnel Interface/i.test(line)) section = 'tunnel'
    else if (/#4:\s*(Static Routing|Border Gateway)/i.test(line)) section = 'routing'
    if (/^\s*Outside IP Addresses/i.test(line)) sub = 'outside'
    else if (/^\s*Inside IP Addresses/i.test(line)) sub = 'inside'
    const kv = /^\s*-\s*([^:]+?)\s*:\s*(.*?)\s*$/.exec(line)
    if (!kv) continue
    const key = kv[1]!.toLowerCase().replace(/\s+/g, ' ')
    // "- Customer Gateway:        : YOUR_UPLINK_ADDRESS" (AWS's BGP example) has a colon too many.
    const value = kv[2]!.replace(/^:\s*/, '')
    const target = section === 'ike' ? ike : section === 'ipsec' ? esp : section === 'tunnel' ? (sub === 'outside' ? outside : sub === 'inside' ? inside : undefined) : section === 'routing' ? routing : undefined
    if (target && !(key in target)) target[key] = value
  }
  const aws = (r: Record<string, string>): string | undefined => r['virtual private gateway'] ?? r['transit gateway'] ?? r['aws']
  const outsideIp = aws(outside)
  if (outsideIp === undefined) fail('aws-text-missing', `${where}: no "Virtual Private Gateway" outside IP address.`)
  const insideText = aws(inside) ?? inside['customer gateway']
  const m = insideText === undefined ? null : /^(\S+)\/(\S+)$/.exec(insideText)
  if (!m) fail('aws-text-missing', `${where}: no inside IP address (a.b.c.d/30).`)
  const customer = outside['customer gateway']
  const interval = toCount(esp['dpd interval'] ?? ike['dpd interval'], 1, 3600)
  const retries = toCount(esp['dpd retries'] ?? ike['dpd retries'], 1, 100)
  const tcpMss = toCount(esp['tcp mss adjustment'], 500, 9000)
  const awsAsn = toAsn(routing['virtual private gateway asn'] ?? routing['transit gateway asn'] ?? routing['aws asn'])
  const customerAsn = toAsn(routing['customer gateway asn'])
  const neighbor = routing['neighbor ip address']
  const holdTime = toCount(routing['neighbor hold time'], 3, 65535)
  const hasBgp = ['customer gateway asn', 'virtual private gateway asn', 'transit gateway asn', 'neighbor ip address'].some((k) => k in routing)
  const insideCidr = toInsideCidr(m[1]!, m[2]!, where)
  const bgp: ExportBgp | undefined = hasBgp
    ? { ...(awsAsn === undefined ? {} : { awsAsn }), ...(customerAsn === undefined ? {} : { customerAsn }), ...(isIpv4(neighbor) ? { neighborIp: neighbor } : {}), ...(holdTime === undefined ? {} : { holdTime }) }
    : undefined
  return {
    outsideIp: assertIpv4(outsideIp, `${where}: the AWS outside address`),
    ...(isIpv4(customer) ? { customerIp: customer } : {}),
    psk: assertPsk(ike['pre-shared key'], where),
    insideCidr,
    crypto: {
      ...optional('ikeVersion', ike['ike version']),
      ...optional('ikeIntegrity', ike['authentication algorithm']),
      ...optional('ikeEncryption', ike['encryption algorithm']),
      ...optional('ikeDh', ike['diffie-hellman']),
      ...optional('ikeLifetime', ike['lifetime']),
      ...optional('espIntegrity', esp['authentication algorithm']),
      ...optional('espEncryption', esp['encryption algorithm']),
      ...optional('pfs', esp['perfect forward secrecy']),
      ...optional('espLifetime', esp['lifetime']),
    },
    ...(interval !== undefined || retries !== undefined ? { dpd: { ...(interval === undefined ? {} : { interval }), ...(retries === undefined ? {} : { retries }) } } : {}),
    ...(tcpMss === undefined ? {} : { tcpMss }),
    ...(bgp ? { bgp } : {}),
  }
}

// ---------------------------------------------------------------------------------------------
// Device templates: the same facts in each vendor's syntax.

const re = (source: string, flags = 'i') => new RegExp(source.replace(/IP/g, IP), flags)

/** Where a template names the AWS end of the tunnel (the second IP of an ipsec.secrets line too). */
const OUTSIDE = [
  re(String.raw`pre-shared-key address IP key`), // Cisco IOS keyring
  re(String.raw`match identity address IP`), // Cisco IOS
  re(String.raw`\btunnel destination IP`), // Cisco IOS / ASA VTI
  re(String.raw`^\s*tunnel-group IP `), // Cisco ASA
  re(String.raw`site-to-site peer IP`), // Vyatta
  re(String.raw`\bike gateway \S+ address IP`), // Juniper SRX and ScreenOS
  re(String.raw`\bset remote-gw IP`), // Fortinet
  re(String.raw`\bpeer-address ip IP`), // Palo Alto (the BGP peer is link-local and dropped)
  re(String.raw`ipsec ike remote address \d+ IP`), // Yamaha
  re(String.raw`^\s*right\s*=\s*IP`), // strongSwan / Openswan
  re(String.raw`\bremote IP key \d+`), // strongSwan "ip link add … type vti … remote X key N"
  re(String.raw`^\s*\S+\s+IP\s*:\s*PSK\b`), // ipsec.secrets "<cgw> <aws> : PSK"
  re(String.raw`Remote Gateway\s*:\s*IP`), // pfSense
]

/** The same places with any word instead of an address: to name a placeholder (AWS_ENDPOINT_1) when there is no address. */
const OUTSIDE_WORD = [/(?:tunnel-group|remote-gw|Remote Gateway\s*:|peer-address ip|site-to-site peer|right\s*=|tunnel destination)\s*([A-Za-z_<][\w<>-]{2,40})/i]

/** Where a template puts the key, most specific first (the first pattern that matches wins). */
const PSK = [
  /pre-shared-key address \S+ key (\S+)/i, // Cisco IOS
  /pre-shared-secret\s+'([^']*)'/i, // Vyatta
  /pre-shared-secret\s+([^'\s]\S*)/i,
  /pre-shared-key ascii-text\s+"?([^"\s]+)"?/i, // Juniper SRX
  /\bpreshare\s+"([^"]*)"/i, // Juniper ScreenOS
  /\bset psksecret\s+(\S+)/i, // Fortinet
  /pre-shared-key key\s+(\S+)/i, // Palo Alto
  /ipsec ike pre-shared-key \d+ text\s+(\S+)/i, // Yamaha
  /:\s*PSK\s+"([^"]*)"/, // strongSwan / Openswan ipsec.secrets
  /Pre-Shared Key\s*:\s*(\S+)/i, // pfSense
  /^\s*(?:ikev1\s+)?pre-shared-key\s+(\S+)\s*$/i, // Cisco ASA
]

/** Where a template names the customer gateway's own outside address (often a placeholder). */
const CUSTOMER = [
  re(String.raw`\blocal-address\s+'?IP`), // Cisco IOS, Vyatta
  re(String.raw`\bset local-gw\s+IP`), // Fortinet
  re(String.raw`\blocal-address ip\s+IP`), // Palo Alto
  re(String.raw`ipsec ike local address \d+\s+IP`), // Yamaha
  re(String.raw`^\s*leftid\s*=\s*IP`), // strongSwan / Openswan
  re(String.raw`^\s*IP\s+\S+\s*:\s*PSK\b`), // ipsec.secrets
]

const AWS_ASN = [/\bremote-as\s+'?(\d+)'?/i, /\bpeer-as\s+(\d+)/i, /\bbgp neighbor \d+ (\d+) /i]
const CUSTOMER_ASN = [/\brouter bgp\s+(\S+)/i, /set protocols bgp\s+(\d+)/i, /\blocal-as\s+(\S+)/i, /\bautonomous-system\s+(\S+)/i, /set protocol bgp\s+(\S+)/i, /^\s*set as\s+(\S+)/i]
const NEIGHBOR = [re(String.raw`\bneighbor\s+IP\s+(?:remote-as|peer-as)`), re(String.raw`\bbgp neighbor \d+ \d+ IP`), re(String.raw`^\s*edit\s+IP`), re(String.raw`\bpeer-address ip IP`)]
const HOLD = [/\btimers\s+\d+\s+(\d+)/i, /\bholdtime\s+'?(\d+)'?/i, /\bhold-time[\s=]+(\d+)/i]
const MSS = /(?:adjust-mss|tcp-mss|tcpmss|mss limit|\bmss)\s+(?:ipsec-vpn mss\s+)?(\d{3,4})\b/i

/** Every first group of every pattern, line by line (a pattern never reaches into the next line). */
function allMatches(lines: readonly string[], patterns: readonly RegExp[]): string[] {
  const out: string[] = []
  for (const p of patterns) {
    const g = new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`)
    for (const line of lines) for (const m of line.matchAll(g)) if (m[1] !== undefined) out.push(m[1])
  }
  return out
}

/** The first group of the first pattern that matches any line. */
function firstMatch(lines: readonly string[], patterns: readonly RegExp[]): string | undefined {
  for (const p of patterns) {
    for (const line of lines) {
      const m = p.exec(line)
      if (m?.[1] !== undefined) return m[1]
    }
  }
  return undefined
}

function parseTemplateTunnel(block: readonly string[], where: string, shape: string): ExportTunnel {
  const text = block
  let psk: string | undefined
  for (const p of PSK) {
    const found = [...new Set(allMatches(text, [p]))]
    if (found.length === 0) continue
    if (found.length > 1) fail('aws-export-psk', `${where}: the section holds more than one pre-shared key.`, GENERIC_FIX)
    psk = found[0]
    break
  }
  const outside = [...new Set(allMatches(text, OUTSIDE).filter((ip) => isIpv4(ip) && !LINK_LOCAL.test(ip) && ip !== '0.0.0.0'))]
  if (outside.length === 0) {
    // Name the placeholder (AWS_ENDPOINT_1) the template has instead, but never a word that is the key.
    const word = firstMatch(text, OUTSIDE_WORD)
    const placeholder = word !== undefined && (psk === undefined || !word.includes(psk)) && !text.some((l) => PSK.some((p) => p.exec(l)?.[1]?.includes(word))) ? word : undefined
    fail('aws-text-missing', `${where}: no AWS outside IP address${placeholder ? ` (the template has "${shown(placeholder)}" where the address belongs, as AWS's documentation examples do)` : ''}.`, GENERIC_FIX)
  }
  if (outside.length > 1) fail('aws-text-missing', `${where}: the section names ${outside.length} AWS endpoints (${outside.join(', ')}); one tunnel has one.`, GENERIC_FIX)
  // Inside addresses: every 169.254.x.y in the section (interface, neighbour, health check) lies in the tunnel's /30.
  const insides = [...new Set(allMatches(text, [re('IP', 'g')]).filter((ip) => LINK_LOCAL.test(ip) && isIpv4(ip)))]
  const nets = [...new Set(insides.map((ip) => parsePrefix(`${ip}/30`)?.cidr).filter((c): c is string => c !== undefined))]
  if (nets.length === 0) fail('aws-text-no-inside', `${where}: no tunnel inside address (169.254.x.x): AWS's ${shape} leaves them out (it sets up policy-based tunnels), and Tunnelwright needs them.`, GENERIC_FIX)
  if (nets.length > 1) fail('aws-text-inside', `${where}: the inside addresses ${insides.join(', ')} do not lie in one /30, as a tunnel's do; the template is inconsistent.`, GENERIC_FIX)
  const [net, bits] = nets[0]!.split('/')
  const customer = [...new Set(allMatches(text, CUSTOMER).filter((ip) => isIpv4(ip) && !LINK_LOCAL.test(ip)))]
  const awsAsn = toAsn(firstMatch(text, AWS_ASN))
  const customerAsn = toAsn(firstMatch(text, CUSTOMER_ASN))
  const neighbor = allMatches(text, NEIGHBOR).find((ip) => LINK_LOCAL.test(ip) && isIpv4(ip))
  const holdTime = toCount(firstMatch(text, HOLD), 3, 65535)
  const bgp: ExportBgp | undefined =
    awsAsn !== undefined || neighbor !== undefined
      ? { ...(awsAsn === undefined ? {} : { awsAsn }), ...(customerAsn === undefined ? {} : { customerAsn }), ...(neighbor ? { neighborIp: neighbor } : {}), ...(holdTime === undefined ? {} : { holdTime }) }
      : undefined
  const tcpMss = toCount(firstMatch(text, [MSS]), 500, 9000)
  return {
    outsideIp: assertIpv4(outside[0]!, `${where}: the AWS outside address`),
    ...(customer.length === 1 ? { customerIp: customer[0]! } : {}),
    psk: assertPsk(psk, where),
    insideCidr: toInsideCidr(net!, bits!, where),
    crypto: {},
    ...(tcpMss === undefined ? {} : { tcpMss }),
    ...(bgp ? { bgp } : {}),
  }
}
