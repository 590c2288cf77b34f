// Windows Server (RRAS site-to-site interfaces, or Windows Firewall connection security rules) PowerShell
// output → the status model, and the pieces of the read-only SSH driver (status/vendor/ssh.ts runs them).
//
// Each cmdlet is piped to `Format-List -Property *` (one "Name : value" line per property, a blank line
// between objects): the shape Microsoft documents for Get-VpnS2SInterface (Example 2 of its help page) and the
// property names of the MSFT_NetMainModeSA / MSFT_NetQuickModeSA classes that Get-NetIPsecMainModeSA /
// Get-NetIPsecQuickModeSA return. `Out-String -Width 4096` keeps a long value on its line: without a console,
// PowerShell formats to 80 columns and Format-List wraps longer values (the parser joins them anyway).
//
// Over SSH: Windows OpenSSH runs an exec request through its DefaultShell (cmd.exe, or PowerShell when an admin
// set it), so each cmdlet runs as `powershell.exe -NoProfile -NonInteractive -EncodedCommand <base64>`: the
// one form both shells pass through unchanged (base64 has no quote, pipe, `$` or `%` for either to read).
import { SshError } from '../../ssh/errors'
import type { ChildSaStatus, IkeSaStatus } from '../model'
import { isIpv4, toLines } from './text'

/** The read-only PowerShell lines of a Windows Server status sample, by output id. */
export const WINDOWS_STATUS_COMMANDS = [
  { id: 's2s', line: 'Get-VpnS2SInterface | Format-List -Property * | Out-String -Width 4096' },
  { id: 'mm', line: 'Get-NetIPsecMainModeSA | Format-List -Property * | Out-String -Width 4096' },
  { id: 'qm', line: 'Get-NetIPsecQuickModeSA | Format-List -Property * | Out-String -Width 4096' },
] as const

/** True for a line of the Windows catalog's shape: one Get- cmdlet, listed, as text. Nothing else is ever run. */
export function isReadOnlyPowerShellLine(line: string): boolean {
  return /^Get-[A-Za-z0-9]+ \| Format-List -Property \*( \| Out-String -Width \d{1,5})?$/.test(line)
}

/**
 * The exec request for one catalog line: Windows PowerShell 5.1 (every Windows Server since 2016; 2012 R2 has
 * 4.0, same switches), no profile, never waiting for input; progress records off (they would reach stderr).
 */
export function toPowerShellExec(line: string): string {
  if (!isReadOnlyPowerShellLine(line)) throw new Error(`not a read-only PowerShell line: ${line}`)
  const script = `$ProgressPreference = 'SilentlyContinue'; ${line}`
  // -EncodedCommand takes base64 of the script's UTF-16LE bytes (about_PowerShell_exe).
  return `powershell.exe -NoProfile -NonInteractive -EncodedCommand ${Buffer.from(script, 'utf16le').toString('base64')}`
}

/**
 * PowerShell's error stream as text lines. Without a terminal (an SSH exec), powershell.exe started with
 * -EncodedCommand writes it to stderr as CLIXML ("#< CLIXML" then <S S="Error">…</S> with _x000D__x000A_ escapes;
 * PowerShell issue 16678); with one, or from cmd.exe itself, as plain text. Both are read.
 */
export function toPowerShellErrorText(stderr: string): string {
  if (!/^\s*#< CLIXML/.test(stderr)) return stderr.replace(/\r/g, '')
  const parts = [...stderr.matchAll(/<S S="Error">([\s\S]*?)<\/S>/g)].map((m) => m[1]!)
  return parts
    .join('')
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\r/g, '')
}

/** What one exec of a catalog line returned. */
export interface PowerShellResult {
  readonly stdout: string
  readonly stderr: string
  /** The exit status (undefined when the channel closed without one). */
  readonly code: number | undefined
}

/** The first line of an error text worth showing: control characters cut, at most 200 characters. */
function toErrorLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? ''
  // Control characters (PowerShell 7 colours its errors with ESC sequences) become spaces.
  return [...line].map((ch) => (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? ' ' : ch)).join('').slice(0, 200)
}

/**
 * The output of one catalog line, or the error a user can act on: powershell.exe missing (not Windows, or not on
 * the session's PATH), the cmdlet's module missing, access denied (not an administrator). A missing RemoteAccess
 * module is no error when RRAS is not used (IKEv1 connection security rules): the interface list is then empty.
 */
export function toWindowsOutput(id: string, line: string, r: PowerShellResult, opts: { readonly rrasExpected: boolean }): string {
  const cmdlet = line.split(' ')[0]!
  const errors = toPowerShellErrorText(r.stderr)
  const said = toErrorLine(errors) || toErrorLine(r.stdout)
  // cmd.exe: "'powershell.exe' is not recognized as an internal or external command" (exit 9009); sh: exit 127.
  if (r.code === 9009 || r.code === 127 || /is not recognized as an internal or external command|powershell\.exe: (command )?not found/i.test(errors + r.stdout)) {
    throw new SshError('ssh-command-failed', `The device did not start powershell.exe (${said || `exit ${r.code}`}).`, {
      likelyCause: 'This is not a Windows Server, or powershell.exe is not on the PATH of its OpenSSH sessions.',
      fix: 'Check the address and the device kind; on the server, run `powershell.exe -NoProfile -Command Get-Host` in an SSH session to see what it says.',
    })
  }
  if (r.code === 0 && !/\S/.test(errors)) return r.stdout.replace(/\r/g, '')
  // PowerShell's CommandNotFoundException: "The term 'Get-…' is not recognized as the name of a cmdlet, …".
  if (/CommandNotFoundException|is not recognized as (the|a) name of a cmdlet/i.test(errors)) {
    if (id === 's2s') {
      if (!opts.rrasExpected) return ''
      throw new SshError('ssh-command-failed', 'Windows Server has no RemoteAccess PowerShell module: Get-VpnS2SInterface is not recognized.', {
        likelyCause: 'RRAS (the RemoteAccess role with its management tools) is not installed, so there are no site-to-site interfaces; the IKEv2 tunnels run through RRAS.',
        fix: 'Install it as the rendered script\'s first step says (Install-WindowsFeature RemoteAccess, Routing -IncludeManagementTools; Install-RemoteAccess -VpnType VpnS2S), or use IKEv1 (connection security rules) in the details.',
      })
    }
    throw new SshError('ssh-command-failed', `Windows Server has no NetSecurity PowerShell module: ${cmdlet} is not recognized.`, {
      likelyCause: 'The server is older than Windows Server 2012, or its NetSecurity module was removed.',
      fix: 'Use Windows Server 2012 R2 or later (the rendered configuration needs it too).',
    })
  }
  // CIM's access errors: "Access denied" (WBEM_E_ACCESS_DENIED 0x80041003), "Access is denied." (Win32 error 5).
  if (/Access (is )?denied|PermissionDenied|0x80070005|0x80041003|UnauthorizedAccess/i.test(errors)) {
    throw new SshError('ssh-command-failed', `Windows Server refused ${cmdlet} for this account: access denied.`, {
      likelyCause: 'The account is not in the local Administrators group: the IPsec SA and RRAS cmdlets need an elevated session, and Windows OpenSSH gives one to administrators only.',
      fix: 'Sign in with an account in the local Administrators group. Tunnelwright only runs Get- cmdlets; nothing on the server is changed.',
    })
  }
  // A Get- cmdlet that finds nothing may still exit 0; anything else is a failure with PowerShell's own words.
  if (r.code === 0) return r.stdout.replace(/\r/g, '')
  throw new SshError('ssh-command-failed', `Windows Server: ${cmdlet} failed (exit ${r.code ?? 'none'})${said ? `: ${said}` : ''}.`, {
    likelyCause: 'The cmdlet could not read the state (the service behind it is stopped or not configured).',
    fix: `Run \`${line.split(' | ')[0]}\` in an elevated PowerShell on the server to see the whole error.`,
  })
}

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
  // The default table: Name, Destination ({…}), AdminStatus, ConnectionState, IPv4Subnet. A multi-tenant gateway
  // puts a RoutingDomain column first (the name is then the token before the destination), and Microsoft's own
  // Disconnect-VpnS2SInterface example prints its row after a blank.
  const out: S2SInterface[] = []
  for (const line of toLines(text)) {
    const m = /^\s*(?:\S+\s+)?(\S+)\s+(\{[^}]*\})\s+(True|False)\s+(\S+)/.exec(line)
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

/**
 * A refused or timed-out connection to a Windows Server, with the likely cause said for Windows: its OpenSSH
 * Server is an optional feature, off until installed and started. Other errors pass through unchanged.
 */
export function toWindowsConnectError(err: unknown): unknown {
  if (!(err instanceof SshError) || !['ssh-connect-failed', 'ssh-connect-timeout'].includes(err.code) || /share no SSH algorithm/.test(err.message)) return err
  return new SshError(err.code, err.message, {
    cause: err,
    likelyCause: 'OpenSSH Server is not enabled on the Windows Server (it is an optional feature, not installed or not started by default), or a firewall drops TCP 22 on the way.',
    fix: 'On the server, in an elevated PowerShell (Microsoft\'s "Get started with OpenSSH for Windows"; Server 2019 and later): Add-WindowsCapability -Online -Name OpenSSH.Server~~~~0.0.1.0; Start-Service sshd; Set-Service -Name sshd -StartupType Automatic. Setup adds the inbound firewall rule OpenSSH-Server-In-TCP; check it is enabled. Server 2016 and 2012 R2 need the Win32-OpenSSH release installed instead.',
  })
}
