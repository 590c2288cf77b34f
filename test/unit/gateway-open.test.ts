// Opening a gateway from a profile with a jump host: the jump endpoint handed to connect(), and which host
// an unknown-key question is about. The connector is a stand-in because this checks only what the core
// passes and how it reads its own HostKeyError (the real jump path is covered by the ssh-session
// integration test against real sshd).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openGateway, toProfileTarget, type Connector } from '../../main/core/workflow/gateway'
import type { Connection } from '../../main/core/app-data/profiles'
import { HostKeyError } from '../../main/core/ssh/errors'
import type { ConnectOptions, SshEndpoint } from '../../main/core/ssh/session'

const FP = 'SHA256:' + 'A'.repeat(43)
const conn: Connection = { host: '203.0.113.10', port: 22, username: 'ops', auth: 'agent', useSudo: false, jump: { host: 'bastion.example', port: 2222 } }

function refusing(hostId: string, seen: { endpoint?: SshEndpoint; opts?: ConnectOptions }): Connector {
  return async (endpoint, _policy, opts) => {
    seen.endpoint = endpoint
    seen.opts = opts
    throw new HostKeyError('ssh-host-key-unknown', 'unknown', { hostId, keyType: 'ssh-ed25519', fingerprint: FP }, [])
  }
}

describe('opening a profile\'s gateway through a jump host', () => {
  const store = mkdtempSync(join(tmpdir(), 'tw-gs-'))
  const open = (c: Connection, connector: Connector, opts: { unknownHostKey?: 'ask' | 'refuse' } = {}) => openGateway(toProfileTarget(c, () => undefined, { storeDir: store }), { connector, ...opts })

  it('passes the jump host with port, the gateway user and the same sign-in', async () => {
    const seen: { endpoint?: SshEndpoint; opts?: ConnectOptions } = {}
    await open(conn, refusing('[bastion.example]:2222', seen))
    expect(seen.opts?.jump).toMatchObject({ host: 'bastion.example', port: 2222, username: 'ops', auth: { kind: 'agent' } })
    expect(seen.endpoint).toMatchObject({ host: '203.0.113.10', port: 22 })
  })

  it("says whose key is unknown: the jump host's, then the gateway's", async () => {
    expect(await open(conn, refusing('[bastion.example]:2222', {}))).toEqual({ status: 'host-key-unknown', hostId: '[bastion.example]:2222', jumpHost: true, keyType: 'ssh-ed25519', fingerprint: FP })
    expect(await open(conn, refusing('203.0.113.10', {}))).toMatchObject({ status: 'host-key-unknown', hostId: '203.0.113.10', jumpHost: false })
  })

  it('without a jump host passes none', async () => {
    const seen: { endpoint?: SshEndpoint; opts?: ConnectOptions } = {}
    const { jump: _j, ...direct } = conn
    expect(await open(direct, refusing('203.0.113.10', seen))).toMatchObject({ jumpHost: false })
    expect(seen.opts?.jump).toBeUndefined()
  })

  it("the CLI's way: an unknown key is refused with the fingerprint and how to accept it (exit 3), never asked", async () => {
    await expect(open(conn, refusing('203.0.113.10', {}), { unknownHostKey: 'refuse' })).rejects.toMatchObject({ code: 'ssh-host-key-unknown' })
  })
})
