// The details file: what the provider handed over plus what the agency knows (tunnelwright/details@1).
//
// This module is the structure only (types, defaults, JSON Schema). Whether the values make a working
// VPN with AWS is lint's job (lint.ts): the schema accepts e.g. sha1 or DH 2 so that lint can explain
// why they are wrong instead of a bare "invalid enum value".
import { z } from 'zod'
import { DETAILS_FORMAT, DeviceKind } from '../base/vocabulary'

export { DETAILS_FORMAT, DeviceKind } from '../base/vocabulary'

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const CIDR4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/

/** A dotted-quad IPv4 address, no leading zeros. */
export const Ipv4 = z.string().regex(IPV4, 'must be an IPv4 address like 198.51.100.2')
/** An IPv4 prefix a.b.c.d/n (host bits are lint's business, so lint can say which bits). */
export const Cidr4 = z.string().regex(CIDR4, 'must be an IPv4 CIDR like 10.40.0.0/24')

/** Where a PSK comes from: inline, an environment variable, or a file (so details can be shared). */
export const PskRef = z.union([
  z.string().min(1).max(256),
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }),
  z.strictObject({ file: z.string().min(1).max(4096) }),
])
export type PskRef = z.infer<typeof PskRef>

/** One AWS tunnel as the provider hands it over. */
export const Tunnel = z.strictObject({
  outsideIp: Ipv4.describe("the AWS tunnel's outside (public) IP address"),
  psk: PskRef.describe('the pre-shared key: a string, { "env": NAME } or { "file": PATH }'),
  insideCidr: Cidr4.describe('the tunnel inside CIDR, a /30 in 169.254.0.0/16'),
})

export const Crypto = z.strictObject({
  ikeVersion: z.union([z.literal(1), z.literal(2)]).default(1),
  encryption: z.enum(['aes256', 'aes128', 'aes256gcm16', 'aes128gcm16', '3des']).default('aes256'),
  integrity: z.enum(['sha256', 'sha384', 'sha512', 'sha1', 'md5']).default('sha256'),
  dhGroup: z.int().min(1).max(32).default(14),
  pfsGroup: z.int().min(0).max(32).default(14).describe('0 = no PFS (AWS requires PFS)'),
  ikeLifetime: z.int().min(60).max(86400).default(28800),
  ipsecLifetime: z.int().min(60).max(86400).default(3600),
  dpd: z.strictObject({ delay: z.int().min(1).max(3600).default(10), timeout: z.int().min(1).max(3600).default(30) }).default({ delay: 10, timeout: 30 }),
})

/** An autonomous system number (4-byte ASNs included). */
export const Asn = z.int().min(1).max(4294967295)

/** One tunnel's BGP session as AWS's export describes it (dynamic routing). */
export const BgpPeer = z.strictObject({
  outsideIp: Ipv4.describe('the tunnel the session runs in: its AWS outside IP (as in remote.tunnels)'),
  awsAsn: Asn.optional().describe("AWS's ASN (the virtual private gateway's or transit gateway's); absent when the export does not say"),
  customerAsn: Asn.optional().describe("the gateway's ASN, as given to AWS for the customer gateway; absent when the export has only a placeholder"),
  neighborIp: Ipv4.describe("the BGP neighbour: AWS's inside address of the tunnel (the first address of its /30)"),
  holdTime: z.int().min(3).max(65535).optional().describe('the BGP hold time AWS uses, in seconds (AWS: 30)'),
})

/**
 * Dynamic routing: present when the VPN connection uses BGP (the export's <bgp> blocks, "BGP Configuration
 * Options", StaticRoutesOnly false). One entry per tunnel, paired by outside IP.
 */
export const Bgp = z.strictObject({
  tunnels: z.array(BgpPeer).length(2, 'list the BGP session of both tunnels'),
})

/** An encryption algorithm AWS offers for a tunnel (AES128, AES256, AES128-GCM-16, AES256-GCM-16), in crypto's spelling. */
export const AwsEncryption = z.enum(['aes128', 'aes256', 'aes128gcm16', 'aes256gcm16'])
/** An integrity algorithm AWS offers for a tunnel (SHA1, SHA2-256/384/512), in crypto's spelling. */
export const AwsIntegrity = z.enum(['sha1', 'sha256', 'sha384', 'sha512'])

/** What one phase of one tunnel allows at AWS; an absent list means AWS's default (every value AWS offers). */
export const AwsPhaseOptions = z.strictObject({
  encryption: z.array(AwsEncryption).min(1).max(8).optional(),
  integrity: z.array(AwsIntegrity).min(1).max(8).optional(),
  dhGroups: z.array(z.int().min(1).max(32)).min(1).max(32).optional(),
  lifetime: z.int().min(60).max(86400).optional().describe('seconds'),
})

/**
 * One tunnel's options at AWS (describe-vpn-connections TunnelOptions), as far as the export gives them:
 * what AWS allows there, so lint can say when the details' proposal cannot match.
 */
export const AwsTunnelOptions = z.strictObject({
  outsideIp: Ipv4.describe('the tunnel these options belong to: its AWS outside IP (as in remote.tunnels)'),
  ikeVersions: z.array(z.union([z.literal(1), z.literal(2)])).min(1).max(2).optional(),
  phase1: AwsPhaseOptions.optional(),
  phase2: AwsPhaseOptions.optional(),
  dpd: z.strictObject({ timeout: z.int().min(1).max(3600).optional(), action: z.enum(['clear', 'none', 'restart']).optional() }).optional().describe("AWS's own dead peer detection: its timeout (s) and what AWS does when it fires"),
  startupAction: z.enum(['add', 'start']).optional().describe('add: the gateway must start the tunnel; start: AWS starts it (IKEv2 only)'),
})

export const Details = z.strictObject({
  format: z.literal(DETAILS_FORMAT),
  name: z.string().min(1).max(100).describe('a human name for this connection'),
  provider: z.enum(['cloud.gov', 'aws']),
  gateway: z.strictObject({
    publicIp: Ipv4.describe("the agency gateway's public IP (the AWS customer gateway address)"),
    privateCidrs: z.array(Cidr4).min(1).max(64).describe("the agency's private CIDRs to reach through the tunnels"),
    kind: DeviceKind.optional(),
    localAddress: Ipv4.optional().describe('the WAN address when the gateway sits behind NAT (detected when absent)'),
  }),
  remote: z.strictObject({
    dedicatedCidrs: z.array(Cidr4).min(1).max(16),
    egressIps: z.array(Ipv4).max(64).default([]),
    tunnels: z.array(Tunnel).length(2, 'AWS always provides exactly two tunnels: list both'),
  }),
  crypto: Crypto.default(Crypto.parse({})),
  routing: z.enum(['auto', 'route', 'policy']).default('auto'),
  health: z.strictObject({ target: Ipv4.describe('an address in the dedicated subnet to probe across the tunnels') }).optional(),
  bgp: Bgp.optional().describe('present when the VPN uses dynamic routing (BGP): the sessions AWS expects in the tunnels'),
  tunnelOptions: z.array(AwsTunnelOptions).min(1).max(2).optional().describe("what AWS's tunnel options allow, per tunnel (from describe-vpn-connections)"),
})

/** A details document after parsing: defaults filled in, PSKs still as references. */
export type Details = z.infer<typeof Details>
export type Tunnel = z.infer<typeof Tunnel>
export type Crypto = z.infer<typeof Crypto>
export type Bgp = z.infer<typeof Bgp>
export type BgpPeer = z.infer<typeof BgpPeer>
export type AwsTunnelOptions = z.infer<typeof AwsTunnelOptions>
export type AwsPhaseOptions = z.infer<typeof AwsPhaseOptions>

/** The JSON Schema published in the repo (templates/details.schema.json), generated from the model. */
export function detailsJsonSchema(): object {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://tunnelwright.invalid/schemas/details@1.json',
    title: 'Tunnelwright details file (tunnelwright/details@1)',
    ...z.toJSONSchema(Details, { io: 'input', target: 'draft-2020-12' }),
  }
}
