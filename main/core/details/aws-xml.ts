// AWS's CustomerGatewayConfiguration XML (the console's XML download, and the string inside
// describe-vpn-connections JSON) read into export facts: static and BGP, virtual private and transit gateways.
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { UserError } from '../base/result'
import { assertIpv4, assertPsk, assertSize, fail, isIpv4, optional, shown, toAsn, toCount, toInsideCidr, type ExportBgp, type ExportFacts, type ExportTunnel } from './aws-facts'

type XmlNode = Record<string, unknown>

function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The text at a path of child elements; undefined when any element is missing. */
function xmlText(node: unknown, path: readonly string[]): string | undefined {
  let cur: unknown = node
  for (const name of path) {
    if (!isNode(cur)) return undefined
    cur = cur[name]
    if (Array.isArray(cur)) return undefined
  }
  if (typeof cur === 'string') return cur
  // An element with only an attribute or a CDATA section still carries text under #text.
  if (isNode(cur) && typeof cur['#text'] === 'string') return cur['#text']
  return undefined
}

function xmlRequired(node: unknown, path: readonly string[], where: string): string {
  const v = xmlText(node, path)
  if (v === undefined || v === '') fail('aws-xml-missing', `${where}: <${path.join('><')}> is missing or empty.`)
  return v
}

function hasElement(node: unknown, path: readonly string[]): boolean {
  let cur: unknown = node
  for (const name of path) {
    if (!isNode(cur) || !(name in cur)) return false
    cur = cur[name]
  }
  return true
}

/** The <bgp> facts of one <ipsec_tunnel>, or undefined when neither side has a <bgp> block. */
function toXmlBgp(t: unknown, awsInside: string): ExportBgp | undefined {
  if (!hasElement(t, ['vpn_gateway', 'bgp']) && !hasElement(t, ['customer_gateway', 'bgp'])) return undefined
  const hold = xmlText(t, ['vpn_gateway', 'bgp', 'hold_time']) ?? xmlText(t, ['customer_gateway', 'bgp', 'hold_time'])
  const neighbor = xmlText(t, ['vpn_gateway', 'bgp', 'neighbor_ip']) ?? xmlText(t, ['customer_gateway', 'bgp', 'neighbor_ip'])
  const awsAsn = toAsn(xmlText(t, ['vpn_gateway', 'bgp', 'asn']))
  const customerAsn = toAsn(xmlText(t, ['customer_gateway', 'bgp', 'asn']))
  const holdTime = toCount(hold, 3, 65535)
  return {
    ...(awsAsn === undefined ? {} : { awsAsn }),
    ...(customerAsn === undefined ? {} : { customerAsn }),
    neighborIp: isIpv4(neighbor) ? neighbor : awsInside,
    ...(holdTime === undefined ? {} : { holdTime }),
  }
}

/**
 * Reads AWS's CustomerGatewayConfiguration XML; throws UserError on anything else. `where` prefixes
 * messages when the XML came from inside another file (a describe-vpn-connections JSON).
 */
export function parseAwsXml(xml: string, where = ''): ExportFacts {
  const at = (m: string) => (where ? `${where}: ${m}` : m)
  assertSize(xml, 'AWS XML export')
  // AWS's XML never has a DTD: refusing one outright rules out entity expansion attacks.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) fail('aws-xml-dtd', at('The XML contains a DOCTYPE or ENTITY declaration, which AWS exports never have; it is refused.'), 'Use the file exactly as AWS produced it.')
  const valid = XMLValidator.validate(xml)
  if (valid !== true) fail('aws-xml-syntax', at(`The XML is malformed at line ${valid.err.line}, column ${valid.err.col} (${valid.err.code}).`), 'Use the file exactly as AWS produced it (the whole <vpn_connection> document).')
  let doc: unknown
  try {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false, trimValues: true, isArray: (name) => name === 'ipsec_tunnel' })
    doc = parser.parse(xml)
  } catch (err) {
    throw new UserError('aws-xml-syntax', at('The XML could not be parsed.'), { cause: err, fix: 'Use the file exactly as AWS produced it.' })
  }
  const root = isNode(doc) ? doc['vpn_connection'] : undefined
  if (!isNode(root)) {
    const names = isNode(doc) ? Object.keys(doc).filter((k) => !k.startsWith('?') && !k.startsWith('#')) : []
    fail('aws-xml-root', at(`This is not an AWS CustomerGatewayConfiguration: there is no <vpn_connection> root element${names.length ? ` (the root is <${shown(names[0]!)}>)` : ''}.`))
  }
  const id = typeof root['@_id'] === 'string' ? root['@_id'] : ''
  if (!/^vpn-[0-9A-Za-z]{1,32}$/.test(id)) fail('aws-xml-missing', at(`<vpn_connection> has no valid id attribute (expected vpn-…, found "${shown(id)}").`))
  const type = xmlText(root, ['vpn_connection_type'])
  if (type !== undefined && type !== 'ipsec.1') fail('aws-xml-type', at(`The VPN connection type is "${shown(type)}", not ipsec.1.`))
  const blocks = root['ipsec_tunnel']
  const list = Array.isArray(blocks) ? blocks : []
  if (list.length !== 2) fail('aws-xml-tunnels', at(`Expected exactly two <ipsec_tunnel> elements (AWS always provides two tunnels), found ${list.length}.`))
  const tunnels = list.map((t: unknown, i): ExportTunnel => {
    const w = at(`<ipsec_tunnel> #${i + 1}`)
    if (hasElement(t, ['vpn_gateway', 'tunnel_inside_ipv6_address']) && !hasElement(t, ['vpn_gateway', 'tunnel_inside_address'])) {
      fail('aws-export-ipv6', `${w}: the tunnel's inside addresses are IPv6; Tunnelwright sets up IPv4 tunnels only.`, 'Ask the provider for a VPN connection with IPv4 inside addresses (TunnelInsideIpVersion ipv4).')
    }
    const insideIp = xmlRequired(t, ['vpn_gateway', 'tunnel_inside_address', 'ip_address'], w)
    const insideBits = xmlRequired(t, ['vpn_gateway', 'tunnel_inside_address', 'network_cidr'], w)
    const insideCidr = toInsideCidr(insideIp, insideBits, w)
    const customer = xmlText(t, ['customer_gateway', 'tunnel_outside_address', 'ip_address'])
    const interval = toCount(xmlText(t, ['ipsec', 'dead_peer_detection', 'interval']), 1, 3600)
    const retries = toCount(xmlText(t, ['ipsec', 'dead_peer_detection', 'retries']), 1, 100)
    const tcpMss = toCount(xmlText(t, ['ipsec', 'tcp_mss_adjustment']), 500, 9000)
    const bgp = toXmlBgp(t, insideIp)
    return {
      outsideIp: assertIpv4(xmlRequired(t, ['vpn_gateway', 'tunnel_outside_address', 'ip_address'], w), `${w}: the AWS outside address`),
      ...(isIpv4(customer) ? { customerIp: customer } : {}),
      psk: assertPsk(xmlText(t, ['ike', 'pre_shared_key']), w),
      insideCidr,
      crypto: {
        ...optional('ikeIntegrity', xmlText(t, ['ike', 'authentication_protocol'])),
        ...optional('ikeEncryption', xmlText(t, ['ike', 'encryption_protocol'])),
        ...optional('ikeDh', xmlText(t, ['ike', 'perfect_forward_secrecy'])),
        ...optional('ikeLifetime', xmlText(t, ['ike', 'lifetime'])),
        ...optional('espIntegrity', xmlText(t, ['ipsec', 'authentication_protocol'])),
        ...optional('espEncryption', xmlText(t, ['ipsec', 'encryption_protocol'])),
        ...optional('pfs', xmlText(t, ['ipsec', 'perfect_forward_secrecy'])),
        ...optional('espLifetime', xmlText(t, ['ipsec', 'lifetime'])),
      },
      ...(interval !== undefined || retries !== undefined ? { dpd: { ...(interval === undefined ? {} : { interval }), ...(retries === undefined ? {} : { retries }) } } : {}),
      ...(tcpMss === undefined ? {} : { tcpMss }),
      ...(bgp ? { bgp } : {}),
    }
  })
  const attributes = xmlText(root, ['vpn_connection_attributes'])
  const anyBgp = tunnels.some((t) => t.bgp !== undefined)
  const routing = attributes === 'NoBGPVPNConnection' ? 'static' : anyBgp || (attributes !== undefined && /bgp/i.test(attributes)) ? 'bgp' : undefined
  const notes: string[] = []
  if (attributes === 'NoBGPVPNConnection' && anyBgp) notes.push('The XML says NoBGPVPNConnection but carries <bgp> blocks; it is taken as static routing, as the attribute says.')
  return {
    kind: 'xml',
    shape: 'CustomerGatewayConfiguration XML',
    vpnConnectionId: id,
    ...optional('customerGatewayId', xmlText(root, ['customer_gateway_id'])),
    ...optional('vpnGatewayId', xmlText(root, ['vpn_gateway_id'])),
    ...optional('transitGatewayId', xmlText(root, ['transit_gateway_id'])),
    tunnels,
    ...(routing ? { routing } : {}),
    notes,
  }
}
