// A replay SSH server for vendor status tests: STAND-IN for a Cisco device, which cannot run on this machine.
// An ssh2 server in the test process (loopback only, ephemeral port) answers the show commands with outputs
// AWS published (test/fixtures/status/vendors/README.md) behind the prompt those pages show. Not published,
// and marked so: the user-mode prompt with `enable` / `Password:` (Cisco's documented login flow),
// keyboard-interactive as the only login method, SHA-1 key exchange with CBC ciphers as the only algorithms
// (what older ASA/IOS releases offer). Commands with no published output are answered with nothing.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, utils, type Connection } from 'ssh2'

const FX = join(__dirname, '../fixtures/status/vendors')

/** The published sessions: the prompt's host name and each command's published output. */
export const PUBLISHED_SESSIONS = {
  // AWS NAG Cisco_ASA_Troubleshooting.md: "ciscoasa# show crypto isakmp sa", "ciscoasa# show crypto ipsec sa".
  'cisco-asa': { host: 'ciscoasa', outputs: { 'show crypto isakmp sa': 'cisco-asa/aws-nag-show-crypto-isakmp-sa.txt', 'show crypto ipsec sa': 'cisco-asa/aws-nag-show-crypto-ipsec-sa.txt' } },
  // AWS NAG Cisco_Troubleshooting_NoBGP.md: "router# show crypto isakmp sa", "router# show crypto ipsec sa".
  'cisco-ios': { host: 'router', outputs: { 'show crypto isakmp sa': 'cisco-ios/aws-nag-show-crypto-isakmp-sa.txt', 'show crypto ipsec sa': 'cisco-ios/aws-nag-show-crypto-ipsec-sa.txt' } },
} as const

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
  const session = PUBLISHED_SESSIONS[kind]
  const placeholders = Object.entries(faults.peers ?? {})
  const withPeers = (text: string) => placeholders.reduce((t, [token, ip]) => t.replace(new RegExp(`\\b${token}\\b`, 'g'), ip), text)
  const published = new Map(Object.entries(session.outputs).map(([cmd, file]) => [cmd, withPeers(readFileSync(join(FX, file), 'utf8'))]))
  const received: string[] = []
  const hostKey = utils.generateKeyPairSync('rsa', { bits: 2048 }).private
  const server = new Server({ hostKeys: [hostKey], algorithms: { kex: ['diffie-hellman-group14-sha1'], cipher: ['aes128-cbc'], serverHostKey: ['ssh-rsa'] } }, (client: Connection) => {
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive'])
      ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => (answers[0] === REPLAY_LOGIN && ++logins <= (faults.loginsAllowed ?? Infinity) ? ctx.accept() : ctx.reject()))
    })
    client.on('error', () => undefined)
    client.on('ready', () => {
      client.on('session', (accept) => {
        const s = accept()
        s.on('pty', (ok) => ok?.())
        s.on('shell', (ok) => {
          const ch = ok()
          shells++
          if (shells > (faults.shellsServed ?? Infinity)) return ch.close()
          let mode: 'user' | 'password' | 'priv' = 'user'
          let pending = ''
          const prompt = () => `${session.host}${mode === 'priv' ? '#' : '>'} `
          ch.write(`Type help or '?' for a list of available commands.\r\n${prompt()}`)
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
              if (line === 'enable') {
                mode = 'password'
                ch.write('Password: ')
                continue
              }
              const out = mode === 'priv' ? published.get(line) : undefined
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
