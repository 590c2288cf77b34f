// GatewaySessions with a jump host: the jump endpoint handed to connect(), and which host an
// unknown-key question is about. The connector is a stand-in because this checks only what main
// passes and how it reads the core's HostKeyError (the real jump path is covered by the ssh-session
// integration test against real sshd).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GatewaySessions, type Connector } from '../../main/shell/services/gateway-sessions'
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

describe('GatewaySessions jump host', () => {
  const store = mkdtempSync(join(tmpdir(), 'tw-gs-'))

  it('passes the jump host with port, the gateway user and the same sign-in', async () => {
    const seen: { endpoint?: SshEndpoint; opts?: ConnectOptions } = {}
    await new GatewaySessions(store, refusing('[bastion.example]:2222', seen), join(store, 'none')).connect('p-abcdef', conn, () => undefined)
    expect(seen.opts?.jump).toMatchObject({ host: 'bastion.example', port: 2222, username: 'ops', auth: { kind: 'agent' } })
    expect(seen.endpoint).toMatchObject({ host: '203.0.113.10', port: 22 })
  })

  it("says whose key is unknown: the jump host's, then the gateway's", async () => {
    const s = (hostId: string) => new GatewaySessions(store, refusing(hostId, {}), join(store, 'none')).connect('p-abcdef', conn, () => undefined)
    expect(await s('[bastion.example]:2222')).toEqual({ status: 'host-key-unknown', hostId: '[bastion.example]:2222', jumpHost: true, keyType: 'ssh-ed25519', fingerprint: FP })
    expect(await s('203.0.113.10')).toMatchObject({ status: 'host-key-unknown', hostId: '203.0.113.10', jumpHost: false })
  })

  it('without a jump host passes none', async () => {
    const seen: { endpoint?: SshEndpoint; opts?: ConnectOptions } = {}
    const { jump: _j, ...direct } = conn
    expect(await new GatewaySessions(store, refusing('203.0.113.10', seen), join(store, 'none')).connect('p-abcdef', direct, () => undefined)).toMatchObject({ jumpHost: false })
    expect(seen.opts?.jump).toBeUndefined()
  })
})
