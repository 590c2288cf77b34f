// A replay SSH server for vendor status tests: STAND-IN for the vendor devices (Cisco ASA/IOS, PAN-OS, FortiOS,
// Junos), which cannot run on this machine. An ssh2 server in the test process (loopback only, ephemeral port)
// answers the show commands with outputs published elsewhere (test/fixtures/status/vendors/README.md) behind
// the prompt those pages show. Not published, and marked so per session below: Cisco's user-mode prompt with
// `enable` / `Password:` (Cisco's documented login flow), the answer to a pager-off line (nothing), the banner,
// keyboard-interactive as the only login method, and the algorithms offered. Commands with no published output
// are answered with nothing (Junos' per-SA `show security ipsec statistics index N` among them).
// Windows Server (no Windows on this machine) is replayed as its OpenSSH Server answers an exec request of
// `powershell.exe … -EncodedCommand <base64>`: the script is decoded, and the cmdlet it runs answered with the
// windows-server fixtures (Microsoft's documented list layout; HANDWRITTEN values, see the fixtures README).
// Its failures (a missing module, access denied, no powershell.exe) are HANDWRITTEN below, in the shapes
// PowerShell and cmd.exe print them.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, utils, type Connection, type ServerConfig } from 'ssh2'

const FX = join(__dirname, '../fixtures/status/vendors')

/** How one replayed device talks. */
interface ReplaySession {
  /** The prompt in each mode, as the published pages show it (Cisco also has the user-mode '>'). */
  readonly prompt: { readonly user: string; readonly priv?: string }
  /** Each command line → the fixture file answered to it. */
  readonly outputs: Readonly<Record<string, string>>
  /** 'legacy': SHA-1 key exchange, CBC ciphers, ssh-rsa only (older ASA/IOS); 'modern': ssh2's defaults. */
  readonly algorithms: 'legacy' | 'modern'
  /** 'shell': an interactive CLI; 'exec': one command per exec channel (FortiOS); 'powershell': Windows OpenSSH running powershell.exe per exec. */
  readonly mode: 'shell' | 'exec' | 'powershell'
  /** What the device does to a line before looking it up (Junos: `| no-more` only turns the pager off). */
  readonly normalize?: (line: string) => string
}

/** The replayed sessions: the prompt and each command's published (or, FortiOS, handwritten) output. */
export const PUBLISHED_SESSIONS = {
  // AWS NAG Cisco_ASA_Troubleshooting.md: "ciscoasa# show crypto isakmp sa", "ciscoasa# show crypto ipsec sa".
  'cisco-asa': { prompt: { user: 'ciscoasa> ', priv: 'ciscoasa# ' }, algorithms: 'legacy', mode: 'shell', outputs: { 'show crypto isakmp sa': 'cisco-asa/aws-nag-show-crypto-isakmp-sa.txt', 'show crypto ipsec sa': 'cisco-asa/aws-nag-show-crypto-ipsec-sa.txt' } },
  // AWS NAG Cisco_Troubleshooting_NoBGP.md: "router# show crypto isakmp sa", "router# show crypto ipsec sa".
  'cisco-ios': { prompt: { user: 'router> ', priv: 'router# ' }, algorithms: 'legacy', mode: 'shell', outputs: { 'show crypto isakmp sa': 'cisco-ios/aws-nag-show-crypto-isakmp-sa.txt', 'show crypto ipsec sa': 'cisco-ios/aws-nag-show-crypto-ipsec-sa.txt' } },
  // vyos-documentation ipsec-pa-route-based.rst: "admin@PA-VM> show vpn ike-sa", "admin@PA-VM> show vpn ipsec-sa".
  paloalto: { prompt: { user: 'admin@PA-VM> ' }, algorithms: 'modern', mode: 'shell', outputs: { 'show vpn ike-sa': 'paloalto/vyos-docs-show-vpn-ike-sa.txt', 'show vpn ipsec-sa': 'paloalto/vyos-docs-show-vpn-ipsec-sa.txt' } },
  // AWS NAG Juniper_Troubleshooting.md: "user@router> show security ike security-associations", "… ipsec …".
  // The published command lines have no "| no-more"; the pipe only turns Junos' pager off, so it is dropped here.
  'juniper-srx': {
    prompt: { user: 'user@router> ' },
    algorithms: 'modern',
    mode: 'shell',
    normalize: (line: string) => line.replace(/ \| no-more$/, ''),
    outputs: { 'show security ike security-associations': 'juniper-srx/aws-nag-show-security-ike-sa.txt', 'show security ipsec security-associations': 'juniper-srx/aws-nag-show-security-ipsec-sa.txt' },
  },
  // Fortinet's 7.4.3 Administration Guide, "Multiple interface monitoring for IPsec": "# get vpn ipsec tunnel summary"
  // (the page shows no hostname before the #); exec channel, no prompt.
  fortigate: { prompt: { user: '' }, algorithms: 'modern', mode: 'exec', outputs: { 'get vpn ipsec tunnel summary': 'fortigate/fortinet-docs-743-multiple-interface-monitoring-summary.txt' } },
  // Keyed by the cmdlet the decoded script runs. Two tunnels to 52.1.2.3 / 52.1.2.4: RRAS says Connected /
  // Connecting (HANDWRITTEN in Microsoft's Example 2 layout); one IKEv1 main mode SA and its quick mode pair to 52.1.2.3.
  'windows-server': {
    prompt: { user: '' },
    algorithms: 'modern',
    mode: 'powershell',
    outputs: {
      'Get-VpnS2SInterface': 'windows-server/HANDWRITTEN-two-tunnels-connected-and-connecting.txt',
      'Get-NetIPsecMainModeSA': 'windows-server/HANDWRITTEN-get-netipsecmainmodesa.txt',
      'Get-NetIPsecQuickModeSA': 'windows-server/HANDWRITTEN-get-netipsecquickmodesa.txt',
    },
  },
} as const satisfies Readonly<Record<string, ReplaySession>>

export const REPLAY_LOGIN = 'Login-Pass.1'
export const REPLAY_ENABLE = 'Enable-Pass.2'

/** A running replay server. */
export interface Replay {
  readonly port: number
  /** Every line the device received (the enable password as <enable password>). */
  readonly received: string[]
  readonly close: () => Promise<void>
}

/** How the stand-in misbehaves, to test what a watch does when a device stops answering. */
export interface ReplayFaults {
  /** Shells after this many are closed at once, before any prompt (a device dropping the session mid-sample). */
  readonly shellsServed?: number
  /** After this many shells have ended, the whole connection is closed (an idle or session limit between samples). */
  readonly endConnectionAfterShells?: number
  /** Logins after this many are refused (the account was locked, or the password changed). */
  readonly loginsAllowed?: number
  /**
   * AWS's ASA page names the peers with placeholders (AWS_ENDPOINT_1), where a device prints the outside IP:
   * each placeholder token is replaced by the address given here, whole tokens only, nothing else changed.
   */
  readonly peers?: Readonly<Record<string, string>>
  /**
   * Windows: how the server fails a cmdlet. 'module-missing': the cmdlet named is not recognized (its module is not
   * installed); 'access-denied': every CIM cmdlet is refused (a non-administrator account); 'not-windows': there is
   * no powershell.exe (cmd.exe's answer, exit 9009).
   */
  readonly windows?: { readonly fail: 'module-missing'; readonly cmdlet: string } | { readonly fail: 'access-denied' | 'not-windows' }
}

/** The script of a `powershell.exe … -EncodedCommand <base64>` line (base64 of UTF-16LE), or undefined. */
export function decodeEncodedCommand(line: string): string | undefined {
  const m = /^powershell\.exe -NoProfile -NonInteractive -EncodedCommand ([A-Za-z0-9+/=]+)$/.exec(line)
  return m ? Buffer.from(m[1]!, 'base64').toString('utf16le') : undefined
}

/** PowerShell's error stream as powershell.exe -EncodedCommand writes it without a terminal (CLIXML; PowerShell issue 16678). */
function toClixmlErrors(lines: readonly string[]): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;')
  return `#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">${lines.map((l) => `<S S="Error">${esc(l)}_x000D__x000A_</S>`).join('')}</Objs>`
}

/**
 * HANDWRITTEN failures, in the shape Windows PowerShell 5.1 prints an error record (message, position, CategoryInfo,
 * FullyQualifiedErrorId). The CommandNotFoundException sentence is PowerShell's resource string; the CIM access
 * error's category and id follow CIM's PermissionDenied / "Windows System Error 5". No capture from a server.
 */
function toWindowsFailure(cmdlet: string, fail: 'module-missing' | 'access-denied'): string {
  if (fail === 'module-missing')
    return toClixmlErrors([
      `${cmdlet} : The term '${cmdlet}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
      'At line:1 char:45',
      `    + CategoryInfo          : ObjectNotFound: (${cmdlet}:String) [], CommandNotFoundException`,
      '    + FullyQualifiedErrorId : CommandNotFoundException',
    ])
  return toClixmlErrors([`${cmdlet} : Access is denied.`, 'At line:1 char:45', `    + CategoryInfo          : PermissionDenied: (MSFT_Object:root/standardcimv2/MSFT_Object) [${cmdlet}], CimException`, `    + FullyQualifiedErrorId : Windows System Error 5,${cmdlet}`])
}

/** Starts a replay of one published session on 127.0.0.1 and an ephemeral port. */
export function startReplay(kind: keyof typeof PUBLISHED_SESSIONS, faults: ReplayFaults = {}): Promise<Replay> {
  let shells = 0
  let logins = 0
  const session: ReplaySession = PUBLISHED_SESSIONS[kind]
  const placeholders = Object.entries(faults.peers ?? {})
  const withPeers = (text: string) => placeholders.reduce((t, [token, ip]) => t.replace(new RegExp(`\\b${token}\\b`, 'g'), ip), text)
  const published = new Map(Object.entries(session.outputs).map(([cmd, file]) => [cmd, withPeers(readFileSync(join(FX, file), 'utf8'))]))
  const received: string[] = []
  const hostKey = utils.generateKeyPairSync('rsa', { bits: 2048 }).private
  const algorithms: Pick<ServerConfig, 'algorithms'> = session.algorithms === 'legacy' ? { algorithms: { kex: ['diffie-hellman-group14-sha1'], cipher: ['aes128-cbc'], serverHostKey: ['ssh-rsa'] } } : {}
  const lookup = (line: string) => published.get(session.normalize ? session.normalize(line) : line)
  const server = new Server({ hostKeys: [hostKey], ...algorithms }, (client: Connection) => {
    client.on('authentication', (ctx) => {
      // Windows OpenSSH takes the password method; the network devices here take keyboard-interactive only.
      if (session.mode === 'powershell') {
        if (ctx.method !== 'password') return ctx.reject(['password'])
        return ctx.password === REPLAY_LOGIN && ++logins <= (faults.loginsAllowed ?? Infinity) ? ctx.accept() : ctx.reject()
      }
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive'])
      ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => (answers[0] === REPLAY_LOGIN && ++logins <= (faults.loginsAllowed ?? Infinity) ? ctx.accept() : ctx.reject()))
    })
    client.on('error', () => undefined)
    client.on('ready', () => {
      client.on('session', (accept) => {
        const s = accept()
        s.on('pty', (ok) => ok?.())
        s.on('exec', (ok, refuse, info) => {
          if (session.mode === 'powershell') {
            const ch = ok()
            received.push(info.command)
            const script = decodeEncodedCommand(info.command)
            const cmdlet = /(?:^|; )(Get-[A-Za-z0-9]+) \|/.exec(script ?? '')?.[1]
            const w = faults.windows
            if (w?.fail === 'not-windows' || script === undefined) {
              // cmd.exe (DefaultShell) on a line it cannot start.
              ch.stderr.write(`'${info.command.split(' ')[0]}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`)
              ch.exit(9009)
              return ch.end()
            }
            if (cmdlet && (w?.fail === 'access-denied' || (w?.fail === 'module-missing' && w.cmdlet === cmdlet))) {
              ch.stderr.write(toWindowsFailure(cmdlet, w.fail))
              ch.exit(1)
              return ch.end()
            }
            const out = cmdlet ? published.get(cmdlet) : undefined
            // Out-String frames the list with blank lines, as PowerShell prints it.
            if (out) ch.write(`\r\n${out.replace(/\n/g, '\r\n')}\r\n\r\n`)
            ch.exit(0)
            return ch.end()
          }
          if (session.mode !== 'exec') return refuse?.()
          const ch = ok()
          received.push(info.command)
          const out = lookup(info.command)
          if (out) ch.write(out.replace(/\n/g, '\r\n'))
          ch.exit(0)
          ch.end()
        })
        s.on('shell', (ok) => {
          const ch = ok()
          shells++
          if (shells > (faults.shellsServed ?? Infinity)) return ch.close()
          // Devices without enable (PAN-OS, Junos) log in straight to their operational prompt.
          let mode: 'user' | 'password' | 'priv' = session.prompt.priv ? 'user' : 'priv'
          let pending = ''
          const prompt = () => (mode === 'priv' ? (session.prompt.priv ?? session.prompt.user) : session.prompt.user)
          // ASA's login line (not published on AWS's page); the other devices show their prompt alone.
          ch.write(`${session.prompt.priv ? "Type help or '?' for a list of available commands.\r\n" : ''}${prompt()}`)
          ch.on('data', (d: Buffer) => {
            pending += d.toString('utf8')
            let nl
            while ((nl = pending.indexOf('\n')) >= 0) {
              const line = pending.slice(0, nl).replace(/\r$/, '')
              pending = pending.slice(nl + 1)
              if (mode === 'password') {
                received.push('<enable password>')
                mode = line === REPLAY_ENABLE ? 'priv' : 'user'
                ch.write(`\r\n${mode === 'priv' ? '' : 'Invalid password\r\n'}${prompt()}`)
                continue
              }
              received.push(line)
              ch.write(`${line}\r\n`)
              if (line === 'exit') {
                ch.close()
                if (faults.endConnectionAfterShells !== undefined && shells >= faults.endConnectionAfterShells) client.end()
                return
              }
              if (line === 'enable' && session.prompt.priv) {
                mode = 'password'
                ch.write('Password: ')
                continue
              }
              const out = mode === 'priv' ? lookup(line) : undefined
              ch.write(`${out ? `${out.replace(/\n/g, '\r\n')}\r\n` : ''}${prompt()}`)
            }
          })
        })
      })
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      resolve({ port, received, close: () => new Promise((r) => server.close(() => r())) })
    }),
  )
}
