// Windows Server (RRAS site-to-site interfaces, or Windows Firewall connection security rules) PowerShell
// output → the status model. Read-only cmdlets, each piped to `Format-List -Property *` (one "Name : value"
// line per property, a blank line between objects): the shape Microsoft documents for Get-VpnS2SInterface
// (Example 2 of its help page) and the property names of the MSFT_NetMainModeSA / MSFT_NetQuickModeSA
// classes that Get-NetIPsecMainModeSA / Get-NetIPsecQuickModeSA return.
//
// Parsers only: not wired to an SSH session or a face yet (that needs a PowerShell prompt driver over
// OpenSSH and read-only checks for Get- cmdlets).
import type { ChildSaStatus, IkeSaStatus } from '../model'
import { isIpv4, toLines } from './text'

/** The read-only PowerShell lines a Windows Server status sample would run, by output id. */
export const WINDOWS_STATUS_COMMANDS = [
  { id: 's2s', line: 'Get-VpnS2SInterface | Format-List -Property *' },
  { id: 'mm', line: 'Get-NetIPsecMainModeSA | Format-List -Property *' },
  { id: 'qm', line: 'Get-NetIPsecQuickModeSA | Format-List -Property *' },
] as const

/** `… | Format-List -Property *` → one record per object (keys as printed; a value wrapped onto the next line is joined). */
export function parseFormatList(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = []
  let cur: Record<string, string> | undefined
  let last: string | undefined
  for (const raw of toLines(text)) {
    const line = raw.replace(/\s+$/, '')
    if (line.trim() === '') {
      if (cur) out.push(cur)
      cur = undefined
      last = undefined
      continue
    }
    const m = /^(\S[^:]*?)\s*:\s?(.*)$/.exec(line)
    if (m && !/^\s/.test(line)) {
      cur ??= {}
      last = m[1]!
      cur[last] = m[2]!.trim()
    } else if (cur && last !== undefined) {
      // Format-List wraps a long value onto indented continuation lines.
      cur[last] = `${cur[last]} ${line.trim()}`.trim()
    }
  }
  if (cur) out.push(cur)
  return out
}

/** "{52.1.2.3, 52.1.2.4}" (how PowerShell prints an array property) → its IPv4 items. */
function toAddresses(value: string | undefined): string[] {
  return (value ?? '')
    .replace(/^\{|\}$/g, '')
    .split(/,\s*/)
    .map((v) => v.trim())
    .filter((v) => isIpv4(v))
}

/** One RRAS site-to-site interface (Get-VpnS2SInterface). */
export interface S2SInterface {
  readonly name: string
  readonly destinations: readonly string[]
  readonly adminUp: boolean
  /** As RRAS says it: Connected, Connecting, Disconnected. */
  readonly connectionState: string
  readonly protocol?: string
  /** The Win32/RAS error of the last attempt (0 = none). */
  readonly lastError?: number
}

/** Get-VpnS2SInterface, as a list (Format-List) or as the default table. */
export function parseVpnS2SInterfaces(text: string): S2SInterface[] {
  const records = parseFormatList(text).filter((r) => r['Name'] !== undefined && r['ConnectionState'] !== undefined)
  if (records.length > 0)
    return records.map((r) => ({
      name: r['Name']!,
      destinations: toAddresses(r['Destination']),
      adminUp: r['AdminStatus'] === 'True',
      connectionState: r['ConnectionState']!,
      ...(r['Protocol'] ? { protocol: r['Protocol'] } : {}),
      ...(r['LastError'] !== undefined && /^\d+$/.test(r['LastError']) ? { lastError: Number(r['LastError']) } : {}),
    }))
  // The default table: Name, Destination ({…}), AdminStatus, ConnectionState, IPv4Subnet.
  const out: S2SInterface[] = []
  for (const line of toLines(text)) {
    const m = /^(\S+)\s+(\{[^}]*\})\s+(True|False)\s+(\S+)/.exec(line)
    if (m) out.push({ name: m[1]!, destinations: toAddresses(m[2]), adminUp: m[3] === 'True', connectionState: m[4]! })
  }
  return out
}

/** One main mode (IKE) SA (Get-NetIPsecMainModeSA). */
export interface MainModeSa {
  readonly id: string
  readonly local: string
  readonly remote: string
  readonly keyModule?: string
  readonly algorithms?: string
  readonly natT: boolean
}

/** Get-NetIPsecMainModeSA | Format-List -Property *. */
export function parseMainModeSas(text: string): MainModeSa[] {
  return parseFormatList(text)
    .filter((r) => isIpv4(r['RemoteEndpoint'] ?? ''))
    .map((r) => {
      const alg = [r['CipherAlgorithm'], r['HashAlgorithm'], r['GroupId']].filter((v) => v !== undefined && v !== '').join('/')
      const natPort = Number(r['RemoteUdpEncapsulationPort'] ?? 0)
      return { id: r['Name'] ?? '', local: r['LocalEndpoint'] ?? '', remote: r['RemoteEndpoint']!, ...(r['KeyModule'] ? { keyModule: r['KeyModule'] } : {}), ...(alg ? { algorithms: alg } : {}), natT: natPort > 0 }
    })
}

/** One direction of a quick mode (IPsec) SA (Get-NetIPsecQuickModeSA). */
export interface QuickModeSa {
  readonly id: string
  readonly remote: string
  readonly inbound: boolean
  /** The SPI as 8 hex digits (the model's form); PowerShell prints it in decimal. */
  readonly spi: string
  readonly mainModeId?: string
  readonly lifetimeSec?: number
}

/** Get-NetIPsecQuickModeSA | Format-List -Property *. */
export function parseQuickModeSas(text: string): QuickModeSa[] {
  return parseFormatList(text)
    .filter((r) => isIpv4(r['RemoteEndpoint'] ?? '') && /^\d+$/.test(r['SPI'] ?? ''))
    .map((r) => ({
      id: r['Name'] ?? '',
      remote: r['RemoteEndpoint']!,
      inbound: r['InboundDirection'] === 'True',
      spi: Number(r['SPI']).toString(16).padStart(8, '0'),
      ...(r['MmSaId'] ? { mainModeId: r['MmSaId'] } : {}),
      ...(r['LifetimeSeconds'] && /^\d+$/.test(r['LifetimeSeconds']) ? { lifetimeSec: Number(r['LifetimeSeconds']) } : {}),
    }))
}

/** RRAS ConnectionState → the model's IKE state. */
function toIkeState(connectionState: string): string {
  if (/^connected$/i.test(connectionState)) return 'ESTABLISHED'
  if (/^connecting$/i.test(connectionState)) return 'CONNECTING'
  return 'DOWN'
}

/**
 * The three outputs → IKE SAs of the status model, one per AWS peer: an RRAS interface gives the state (IKEv2,
 * route-based); a main mode SA gives an established IKE SA (IKEv1 connection security rules, policy-based);
 * the quick mode SAs to that peer give its IPsec SA with both SPIs. No packet or byte counters: these
 * cmdlets print none (Get-VpnS2SInterfaceStatistics would, per interface).
 */
export function parseWindowsStatus(outputs: Readonly<Record<string, string>>): IkeSaStatus[] {
  const ifaces = parseVpnS2SInterfaces(outputs['s2s'] ?? '')
  const mms = parseMainModeSas(outputs['mm'] ?? '')
  const qms = parseQuickModeSas(outputs['qm'] ?? '')
  const peers = [...new Set([...ifaces.flatMap((i) => i.destinations), ...mms.map((m) => m.remote)])]
  return peers.map((peer) => {
    const iface = ifaces.find((i) => i.destinations.includes(peer))
    const mm = mms.find((m) => m.remote === peer)
    const inbound = qms.find((q) => q.remote === peer && q.inbound)
    const outbound = qms.find((q) => q.remote === peer && !q.inbound)
    const state = mm ? 'ESTABLISHED' : iface ? (iface.adminUp ? toIkeState(iface.connectionState) : 'DOWN') : 'DOWN'
    // RRAS reports Connected only once the IKEv2 child SA is installed, even when no quick mode SA is listed.
    const hasChild = inbound !== undefined || outbound !== undefined || (iface !== undefined && state === 'ESTABLISHED' && mm === undefined)
    const children: ChildSaStatus[] = hasChild
      ? [{ name: iface?.name ?? peer, uniqueId: `${peer}:${inbound?.spi ?? outbound?.spi ?? iface?.name ?? ''}`, state: 'INSTALLED', encap: mm?.natT ?? false, spiIn: inbound?.spi ?? '', spiOut: outbound?.spi ?? '', bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0, localTs: [], remoteTs: [], ...((inbound ?? outbound)?.lifetimeSec === undefined ? {} : { expiresInSec: (inbound ?? outbound)!.lifetimeSec! }) }]
      : []
    const version = mm?.keyModule ? (/v2/i.test(mm.keyModule) ? 2 : 1) : iface?.protocol && /ikev2/i.test(iface.protocol) ? 2 : undefined
    return {
      name: iface?.name ?? peer,
      uniqueId: `${peer}:${mm?.id ?? iface?.name ?? ''}`,
      state,
      remoteHost: peer,
      natT: mm?.natT ?? false,
      ...(version ? { version } : {}),
      ...(mm?.algorithms ? { algorithms: mm.algorithms } : {}),
      ...(iface ? { deviceState: `${iface.connectionState}${iface.lastError ? ` (error ${iface.lastError})` : ''}` } : mm ? { deviceState: `main mode SA ${mm.keyModule ?? ''}`.trim() } : {}),
      children,
    }
  })
}
