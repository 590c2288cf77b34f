// What a connect failure tells the user to do, per cause: a host name that does not resolve is a name to
// check, not an SSH service to enable. The name lookup is answered here (no DNS query leaves the machine).
import dns from 'node:dns'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { connect } from '../../main/core/ssh/session'

afterEach(() => vi.restoreAllMocks())

describe('connect failures in words', () => {
  it('an unknown host name: "does not resolve", and the fix is the name, not the SSH service', async () => {
    vi.spyOn(dns, 'lookup').mockImplementation(((_host: string, _opts: unknown, cb: (err: NodeJS.ErrnoException) => void) => {
      const err = Object.assign(new Error('getaddrinfo ENOTFOUND gw.agency.invalid'), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: 'gw.agency.invalid' })
      ;(typeof _opts === 'function' ? (_opts as typeof cb) : cb)(err)
    }) as unknown as typeof dns.lookup)
    const e = await connect({ host: 'gw.agency.invalid', username: 'root', auth: { kind: 'agent', socket: '/nonexistent' } }, { storeDir: mkdtempSync(join(tmpdir(), 'tw-hk-')) }, { readyTimeoutMs: 5000 }).then(
      () => undefined,
      (err: unknown) => err as { code: string; message: string; likelyCause?: string; fix?: string },
    )
    expect(e).toMatchObject({ code: 'ssh-connect-failed', likelyCause: 'The host name does not resolve.' })
    expect(e?.fix).toMatch(/spelling of the host name/)
    expect(e?.fix).not.toMatch(/SSH service/)
  })
})
