// The lab's fixed addressing (all inside lab namespaces) and the internet node's nft rules.
//
// 198.18.0.0/15 (benchmarking) is the lab "internet", 100.64.0.0/10 the gateway WAN behind NAT,
// 10.40.0.0/24 the dedicated subnet behind aws, 192.168.50.0/24 the agency LAN, 10.60.0.0/24 the second
// peer's network (the gateway's unrelated existing connection). Never 192.0.2/24, 203.0.113/24 or
// 10.255.255/24: those are this machine's own network.

/** Addresses of the lab. */
export const ADDR = {
  awsOutside: ['198.18.1.10', '198.18.1.20'] as const,
  inetAws: '198.18.1.1',
  gwPublic: '198.18.2.2',
  inetGw: '198.18.2.1',
  natGwWan: '100.64.0.2',
  natInetGw: '100.64.0.1',
  natCidr: '100.64.0.0/24',
  peer2: '198.18.3.10',
  inetPeer2: '198.18.3.1',
  peer2Cidr: '10.60.0.0/24',
  peer2LanIp: '10.60.0.1',
  dedicatedCidr: '10.40.0.0/24',
  awsDedicated: '10.40.0.1',
  dedicatedHost: '10.40.0.10',
  lanCidr: '192.168.50.0/24',
  gwLan: '192.168.50.1',
  lanHost: '192.168.50.10',
  insideCidrs: ['169.254.120.0/30', '169.254.121.4/30'] as const,
} as const

/** The first and second usable address of a /30 (AWS takes the first, the customer gateway the second). */
export function insideAddresses(cidr: string): { aws: string; customer: string } {
  const [base] = cidr.split('/')
  const o = (base ?? '').split('.').map(Number)
  const last = o[3] ?? 0
  return { aws: `${o[0]}.${o[1]}.${o[2]}.${last + 1}`, customer: `${o[0]}.${o[1]}.${o[2]}.${last + 2}` }
}

/** What the internet node can drop. */
export type Block = 'udp500' | 'udp4500' | 'esp'

/**
 * nft statements for the forward chain of the internet node.
 *
 * 'esp' drops IP protocol 50 and ESP-in-UDP (UDP 4500 whose first 4 payload bytes are not the zero
 * non-ESP marker), so IKE on 4500 still passes. The lab's charons use kernel-libipsec, which always
 * UDP-encapsulates ESP, so on this wire the second rule is the one that bites.
 */
export function blockRules(blocks: readonly Block[]): string[] {
  const rules: string[] = []
  for (const b of blocks) {
    switch (b) {
      case 'udp500':
        rules.push('udp dport 500 counter drop', 'udp sport 500 counter drop')
        break
      case 'udp4500':
        rules.push('udp dport 4500 counter drop', 'udp sport 4500 counter drop')
        break
      case 'esp':
        rules.push(
          'meta l4proto esp counter drop',
          'udp dport 4500 @th,64,32 != 0 counter drop',
          'udp sport 4500 @th,64,32 != 0 counter drop',
        )
        break
      default: {
        const never: never = b
        throw new Error(`unknown block ${String(never)}`)
      }
    }
  }
  return rules
}

/** Addresses that only ever cross the internet node inside a tunnel: both sites and the tunnels' inside /30s. */
export const SITE_CIDRS = [ADDR.lanCidr, ADDR.dedicatedCidr, ADDR.peer2Cidr, '169.254.0.0/16'] as const

/**
 * The internet node's whole ruleset: the block chain and, with NAT, source NAT of the gateway WAN.
 * `dropClear` drops (and counts) every packet from or to a site address, so traffic between the sites
 * can only cross encrypted: a ping that passes then proves the tunnel, not a cleartext route.
 */
export function internetRuleset(opts: { blocks: readonly Block[]; nat: boolean; gwLink: string; dropClear?: boolean }): string {
  const sites = `{ ${SITE_CIDRS.join(', ')} }`
  const lines = [
    'table inet twlab {',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    ...(opts.dropClear
      ? [
          `    ip saddr ${sites} counter drop comment "cleartext between the sites"`,
          `    ip daddr ${sites} counter drop comment "cleartext between the sites"`,
          // Counters only (no verdict): what crossed, raw ESP (IP protocol 50) or ESP-in-UDP / IKE on 4500.
          '    meta l4proto esp counter comment "esp"',
          '    udp dport 4500 counter comment "udp4500"',
        ]
      : []),
    ...blockRules(opts.blocks).map((r) => `    ${r}`),
    '  }',
    '}',
  ]
  if (opts.nat) {
    lines.push(
      'table ip twnat {',
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      `    ip saddr ${ADDR.natCidr} oifname != "${opts.gwLink}" counter snat to ${ADDR.gwPublic}`,
      '  }',
      '}',
    )
  }
  return lines.join('\n') + '\n'
}
