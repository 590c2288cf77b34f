// The ~/.ssh/config subset reader, checked against OpenSSH itself (`ssh -G` prints what ssh resolved).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseJumpHop, parseSshConfig, resolveSshHost, splitConfigLine } from '../../main/core/ssh/ssh-config'
import { gate, missing } from '../support/gate'

const g = gate('ssh-config (ssh -G oracle)', missing({ executables: ['/usr/bin/ssh'] }))

const CONFIG = `# agency gateways
Port 2200
Host gw gw-*
  HostName 10.1.2.3
  User admin
  IdentityFile ~/.ssh/gw_%h_%r
Host gw-b !gw-bad
  HostName "10.9.9.9"
  Port=2022
  ProxyJump jump@bastion:2222,second
Match exec "true"
  User never-applied
Host pf? "with space"
  HostName pf.example
  ProxyJump none
Host *
  User fallback
  IdentityFile ~/.ssh/id_ed25519
  UserKnownHostsFile ~/.ssh/kh1 /etc/kh2
`

function sshG(file: string, alias: string): Map<string, string[]> {
  const r = spawnSync('ssh', ['-G', '-F', file, alias], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  const m = new Map<string, string[]>()
  for (const line of r.stdout.split('\n')) {
    const sp = line.indexOf(' ')
    if (sp < 0) continue
    const k = line.slice(0, sp)
    m.set(k, [...(m.get(k) ?? []), line.slice(sp + 1)])
  }
  return m
}

describe('ssh config reader', () => {
  it.skipIf(g.skip).each(['gw', 'gw-b', 'gw-bad', 'pf1', 'pf12', 'other'])('resolves %s like ssh -G (no Match support: the Match block is skipped)', (alias) => {
    const file = join(mkdtempSync(join(tmpdir(), 'tw-sshcfg-')), 'config')
    // Without the Match block, which our reader deliberately does not evaluate.
    writeFileSync(file, CONFIG.replace(/Match exec "true"\n {2}User never-applied\n/, ''))
    const ssh = sshG(file, alias)
    const ours = resolveSshHost(parseSshConfig(CONFIG), alias, { home: homedir(), localUser: 'root' })
    expect(ours.hostName).toBe(ssh.get('hostname')?.[0])
    expect(ours.user).toBe(ssh.get('user')?.[0])
    expect(String(ours.port)).toBe(ssh.get('port')?.[0])
    expect(ours.identityFiles).toHaveLength(ssh.get('identityfile')?.length ?? 0)
    expect(ours.userKnownHostsFiles.join(' ')).toBe(ssh.get('userknownhostsfile')?.[0])
    const jump = ssh.get('proxyjump')?.[0]
    expect(ours.proxyJump.map((h) => `${h.user ? `${h.user}@` : ''}${h.host}${h.port ? `:${h.port}` : ''}`).join(',')).toBe(jump ?? '')
  })

  it('expands ~ and %h %r %% in IdentityFile', () => {
    const cfg = resolveSshHost(parseSshConfig(CONFIG), 'gw', { home: '/home/x', localUser: 'me' })
    expect(cfg.identityFiles).toEqual(['/home/x/.ssh/gw_10.1.2.3_admin', '/home/x/.ssh/id_ed25519'])
    expect(resolveSshHost(parseSshConfig('IdentityFile /k/%%%h'), 'h', { home: '/', localUser: 'u' }).identityFiles).toEqual(['/k/%h'])
  })

  it('splits words, quotes and key=value', () => {
    expect(splitConfigLine('  HostName   "a b"  ')).toEqual(['HostName', 'a b'])
    expect(splitConfigLine('Port=22')).toEqual(['Port', '22'])
    expect(splitConfigLine('Port = 22')).toEqual(['Port', '22'])
    expect(() => splitConfigLine('HostName "open')).toThrow(/quote/)
  })

  it('parses jump hops', () => {
    expect(parseJumpHop('u@h:22')).toEqual({ user: 'u', host: 'h', port: 22 })
    expect(parseJumpHop('[fe80::1]:2222')).toEqual({ user: undefined, host: 'fe80::1', port: 2222 })
    expect(parseJumpHop('bastion')).toEqual({ user: undefined, host: 'bastion', port: undefined })
    expect(() => parseJumpHop('h:99999')).toThrow()
  })
})
