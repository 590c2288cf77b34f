// A replay SSH server for vendor status tests: STAND-IN for the vendor devices (Cisco ASA/IOS, PAN-OS, FortiOS,
// Junos), which cannot run on this machine. An ssh2 server in the test process (loopback only, ephemeral port)
// answers the show commands with outputs published elsewhere (test/fixtures/status/vendors/README.md) behind
// the prompt those pages show. Not published, and marked so per session below: Cisco's user-mode prompt with
// `enable` / `Password:` (Cisco's documented login flow), the answer to a pager-off line (nothing), the banner,
// keyboard-interactive as the only login method, and the algorithms offered. Commands with no published output
// are answered with nothing (Junos' per-SA `show security ipsec statistics index N` among them).
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
  /** 'shell': an interactive CLI; 'exec': one command per exec channel (FortiOS). */
  readonly mode: 'shell' | 'exec'
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
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive'])
      ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => (answers[0] === REPLAY_LOGIN && ++logins <= (faults.loginsAllowed ?? Infinity) ? ctx.accept() : ctx.reject()))
    })
    client.on('error', () => undefined)
    client.on('ready', () => {
      client.on('session', (accept) => {
        const s = accept()
        s.on('pty', (ok) => ok?.())
        s.on('exec', (ok, refuse, info) => {
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
