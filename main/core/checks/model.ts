// The finding model of the firewall/NAT/kernel checks, and the firewall-neutral rule model every parser maps to.

/** The three flows AWS needs per peer: IKE, NAT-T and ESP (IP protocol 50). */
export type Flow = 'udp500' | 'udp4500' | 'esp'

/** Inbound = peer → gateway (input path); outbound = gateway → peer (output path). */
export type Direction = 'inbound' | 'outbound'

/** Flow verdicts (allowed/blocked/unknown) and verdicts of settings (ok/problem/unknown). */
export type Verdict = 'allowed' | 'blocked' | 'unknown' | 'ok' | 'problem'

/** How bad a finding is; `ok` findings are kept so the UI can show what was proven green. */
export type Severity = 'ok' | 'info' | 'warning' | 'error'

/** The exact fix, in the words of each firewall in use on the gateway (shell command lines), or a request/change in words. */
export interface Fix {
  readonly nft?: string
  readonly iptables?: string
  readonly firewalld?: string
  readonly ufw?: string
  readonly pfsense?: string
  readonly sysctl?: string
  /** Not a command: what to ask whoever runs the network path (upstream firewall, provider). */
  readonly upstream?: string
  /** Not a command: what to change in the details file (PSK, proposal), then apply again. */
  readonly details?: string
}

/** What a finding is about: a flow (peer/flow/direction) or a named topic (nat, ip_forward, rp_filter, mss). */
export interface Subject {
  readonly peer?: string
  readonly flow?: Flow
  readonly direction?: Direction
  readonly topic?: string
}

/** One result of a check: what was decided, on what evidence, why it matters and how to fix it. */
export interface Finding {
  readonly id: string
  readonly severity: Severity
  readonly subject: Subject
  readonly verdict: Verdict
  /** Rule texts, counters, command output lines the verdict rests on. */
  readonly evidence: readonly string[]
  readonly why: string
  readonly fix?: Fix
}

/** Three-valued logic: a match can be decided only when everything it reads is known. */
export type Tri = 'yes' | 'no' | 'maybe'

/** Where a rule set came from (decides the words of the fix). */
export type RuleSource = 'nft' | 'iptables-nft' | 'iptables-legacy'

/** An inclusive IPv4 address range (a prefix, a host or an nft range) as numbers. */
export interface AddrRange {
  readonly first: bigint
  readonly last: bigint
}

/** One match condition of a rule, in firewall-neutral terms. */
export type Match =
  | { readonly kind: 'addr'; readonly field: 'src' | 'dst'; readonly neg: boolean; readonly ranges: readonly AddrRange[] }
  | { readonly kind: 'proto'; readonly neg: boolean; readonly protos: readonly string[] }
  | { readonly kind: 'family'; readonly ipv4: boolean }
  | {
      readonly kind: 'port'
      readonly field: 'sport' | 'dport' | 'either'
      /** The header the port is read from; `th` = any transport header. */
      readonly header: 'udp' | 'tcp' | 'th' | 'other'
      readonly neg: boolean
      readonly ranges: readonly (readonly [number, number])[]
    }
  | { readonly kind: 'ct'; readonly neg: boolean; readonly states: readonly string[] }
  | { readonly kind: 'iface'; readonly field: 'iif' | 'oif'; readonly neg: boolean; readonly names: readonly string[] }
  | { readonly kind: 'ipsec'; readonly dir: 'in' | 'out'; readonly present: boolean }
  | { readonly kind: 'local-dst'; readonly neg: boolean }
  | { readonly kind: 'opaque'; readonly text: string }

/** What a rule does when all its matches hold. */
export type Action =
  | { readonly kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' }
  | { readonly kind: 'jump' | 'goto'; readonly target: string }
  | { readonly kind: 'nat'; readonly how: string }
  | { readonly kind: 'vmap'; readonly entries: readonly { readonly match: Match; readonly action: Action }[] }
  | { readonly kind: 'unknown'; readonly text: string }

/** A side effect that does not end the chain (an MSS clamp). */
export interface Effect {
  readonly kind: 'mss'
  /** A fixed MSS, or `pmtu` for clamp-to-route-MTU. */
  readonly value: number | 'pmtu'
}

/** One rule with its identification for evidence. */
export interface Rule {
  readonly matches: readonly Match[]
  readonly action: Action
  readonly effects: readonly Effect[]
  /** Human text of the rule, in the firewall's own syntax. */
  readonly text: string
  /** Where it lives, e.g. `inet filter input handle 7` or `iptables-legacy -t filter -A INPUT #2`. */
  readonly where: string
  readonly counter?: { readonly packets: number; readonly bytes: number }
}

/** Netfilter hooks (IPv4). */
export type Hook = 'ingress' | 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting'

/** A chain; base chains carry hook, priority and policy. */
export interface Chain {
  readonly source: RuleSource
  readonly family: string
  readonly table: string
  readonly name: string
  readonly hook?: Hook
  readonly prio?: number
  readonly type?: string
  readonly policy?: 'accept' | 'drop'
  /** Netdev ingress chains are bound to one device. */
  readonly device?: string
  readonly rules: readonly Rule[]
}

/** All chains from one source; regular chains are looked up by table + name. */
export interface Ruleset {
  readonly source: RuleSource
  readonly chains: readonly Chain[]
  /** Expressions that could not be understood, named (for the report). */
  readonly unsupported: readonly string[]
}

/** The packet being judged. Undefined fields are unknown (matches on them are `maybe`). */
export interface Packet {
  readonly src: AddrRange
  readonly dst: AddrRange
  /** `any` for "all traffic between two prefixes". */
  readonly proto: 'udp' | 'tcp' | 'esp' | 'any'
  readonly sport?: number
  readonly dport?: number
  readonly ct: 'new' | 'established'
  /** Interface names: a string, `none` where the hook has none (iif at output), undefined = unknown. */
  readonly iif?: string
  readonly oif?: string
  /** Whether an IPsec policy applies (rt ipsec / -m policy --dir out); undefined = unknown. */
  readonly ipsecOut?: boolean
  readonly ipsecIn?: boolean
  readonly dstIsLocal: boolean
}

/** What the check needs to know about the tunnel. */
export interface FirewallCheckInput {
  /** AWS tunnel outside IPs. */
  readonly peers: readonly string[]
  /** The gateway's public IP (the AWS customer gateway address). */
  readonly publicIp: string
  readonly agencyCidrs: readonly string[]
  readonly dedicatedCidrs: readonly string[]
  readonly routing: 'policy' | 'route'
  /** Route-based: the XFRM/VTI interface names (for rp_filter). */
  readonly tunnelInterfaces?: readonly string[]
  /** The gateway's device kind: pfSense is judged by pf's rules, everything else by nft/iptables. */
  readonly device?: string
}
