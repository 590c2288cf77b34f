// Read-only vendor status over SSH, against a replay server. STAND-IN, on purpose: a Cisco ASA cannot run on
// this machine, so an ssh2 server in this test process (loopback only, ephemeral port) replays the session
// AWS published in its ASA troubleshooting page: the `ciscoasa#` prompt and the outputs of `show crypto
// isakmp sa` and `show crypto ipsec sa` (test/fixtures/status/vendors/README.md). What the page does not
// show is marked here: the user-mode prompt `ciscoasa>` with `enable` / `Password:` (Cisco's documented
// login flow), keyboard-interactive as the only login method, and SHA-1 key exchange with CBC ciphers as the
// only algorithms (what ASA 8.x offers). Commands the page has no output for are answered with nothing.
// The real client side runs unchanged: connect() with a host-key policy, the shell driver, the parsers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Server, utils, type Connection } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret } from '../../main/core/base/secret'
import { SshError } from '../../main/core/ssh/errors'
import { connect } from '../../main/core/ssh/session'
import { isReadOnlyVendorLine, VENDOR_SSH } from '../../main/core/status/vendor'
import { readVendorStatusOverShell } from '../../main/core/status/vendor/ssh'

const FX = join(__dirname, '../fixtures/status/vendors/cisco-asa')
const PUBLISHED: Record<string, string> = {
  'show crypto isakmp sa': readFileSync(join(FX, 'aws-nag-show-crypto-isakmp-sa.txt'), 'utf8'),
  'show crypto ipsec sa': readFileSync(join(FX, 'aws-nag-show-crypto-ipsec-sa.txt'), 'utf8'),
}
const LOGIN = 'Login-Pass.1'
const ENABLE = 'Enable-Pass.2'

interface Replay {
  readonly port: number
  readonly received: string[]
  readonly close: () => Promise<void>
}

function startReplay(): Promise<Replay> {
  const received: string[] = []
  const hostKey = utils.generateKeyPairSync('rsa', { bits: 2048 }).private
  const server = new Server({ hostKeys: [hostKey], algorithms: { kex: ['diffie-hellman-group14-sha1'], cipher: ['aes128-cbc'], serverHostKey: ['ssh-rsa'] } }, (client: Connection) => {
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive'])
      ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => (answers[0] === LOGIN ? ctx.accept() : ctx.reject()))
    })
    client.on('error', () => undefined)
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept()
        session.on('pty', (ok) => ok?.())
        session.on('shell', (ok) => {
          const ch = ok()
          let mode: 'user' | 'password' | 'priv' = 'user'
          let pending = ''
          const prompt = () => (mode === 'priv' ? 'ciscoasa# ' : 'ciscoasa> ')
          ch.write(`Type help or '?' for a list of available commands.\r\n${prompt()}`)
          ch.on('data', (d: Buffer) => {
            pending += d.toString('utf8')
            let nl
            while ((nl = pending.indexOf('\n')) >= 0) {
              const line = pending.slice(0, nl).replace(/\r$/, '')
              pending = pending.slice(nl + 1)
              if (mode === 'password') {
                received.push('<enable password>')
                mode = line === ENABLE ? 'priv' : 'user'
                ch.write(`\r\n${mode === 'priv' ? '' : 'Invalid password\r\n'}${prompt()}`)
                continue
              }
              received.push(line)
              ch.write(`${line}\r\n`)
              if (line === 'exit') return ch.close()
              if (line === 'enable') {
                mode = 'password'
                ch.write('Password: ')
                continue
              }
              const out = mode === 'priv' ? PUBLISHED[line] : undefined
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

const DETAILS = { name: 'agency', remote: { tunnels: [{ outsideIp: 'AWS_ENDPOINT_1', insideCidr: '169.254.44.8/30' }, { outsideIp: 'AWS_ENDPOINT_2', insideCidr: '169.254.201.4/30' }] } } as never

describe('Cisco ASA status over SSH (replayed published session)', () => {
  let replay: Replay
  let storeDir: string
  beforeAll(async () => {
    replay = await startReplay()
    storeDir = mkdtempSync(join(tmpdir(), 'tw-vendor-ssh-'))
  })
  afterAll(async () => {
    await replay.close()
    rmSync(storeDir, { recursive: true, force: true })
  })
  const endpoint = () => ({ host: '127.0.0.1', port: replay.port, username: 'admin', auth: { kind: 'password' as const, password: new Secret(LOGIN) } })

  it('refuses the SHA-1/CBC-only device unless older algorithms are allowed for this connection', async () => {
    const err = await connect(endpoint(), { storeDir, accept: 'first-use' }, { readyTimeoutMs: 10_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SshError)
    expect((err as SshError).likelyCause).toMatch(/only older algorithms/)
  })

  it('keyboard-interactive login, enable, paging off, the show commands: tunnel 1 up, tunnel 2 down, nothing written', async () => {
    const session = await connect(endpoint(), { storeDir, accept: 'first-use' }, { readyTimeoutMs: 10_000, legacyAlgorithms: VENDOR_SSH['cisco-asa'].legacyAlgorithms })
    try {
      const r = await readVendorStatusOverShell(() => session.openShell(), 'cisco-asa', DETAILS, { at: 1_000, enablePassword: new Secret(ENABLE), timeoutMs: 10_000 })
      expect(r.snapshot.source).toBe('vendor')
      expect(r.snapshot.tunnels.map((t) => [t.name, t.peer, t.up])).toEqual([['agency-t1', 'AWS_ENDPOINT_1', true], ['agency-t2', 'AWS_ENDPOINT_2', false]])
      expect(r.snapshot.tunnels[0]).toMatchObject({ spiIn: '48b456a6', spiOut: '6d9f8d3b' })
      expect(r.diagnoses.map((d) => [d.id, d.tunnel])).toContainEqual(['not-reinitiated', 'agency-t2'])
    } finally {
      await session.close()
    }
    // Everything the device received: enable, its password (never echoed), paging off, show commands, exit.
    expect(replay.received.slice(0, 3)).toEqual(['enable', '<enable password>', 'terminal pager 0'])
    for (const line of replay.received.filter((l) => !['enable', '<enable password>', 'exit'].includes(l))) expect(isReadOnlyVendorLine(line), line).toBe(true)
    expect(replay.received.join('\n')).not.toContain(ENABLE)
  })

  it('a wrong enable password is a clear error without the password', async () => {
    const session = await connect(endpoint(), { storeDir, accept: 'first-use' }, { readyTimeoutMs: 10_000, legacyAlgorithms: VENDOR_SSH['cisco-asa'].legacyAlgorithms })
    try {
      const err = await readVendorStatusOverShell(() => session.openShell(), 'cisco-asa', DETAILS, { at: 1_000, enablePassword: new Secret('wrong-one'), timeoutMs: 10_000 }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(SshError)
      expect((err as Error).message).toMatch(/refused the enable password/)
      expect((err as Error).message).not.toContain('wrong-one')
    } finally {
      await session.close()
    }
  })
})
