// Diagnosis on REAL charon logs captured from two charons with deliberately mismatched configs
// (test/fixtures/status/strongswan-5.9.8/README.md says how).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Secret } from '../../main/core/base/secret'
import { diagnose, type DiagnosisId } from '../../main/core/status/diagnosis'
import { toSnapshot } from '../../main/core/status/model'
import { parseSwanctlListSas } from '../../main/core/status/swanctl-text'

const SS = join(__dirname, '../fixtures/status/strongswan-5.9.8')
const log = (f: string) => readFileSync(join(SS, f), 'utf8')
const ids = (text: string) => diagnose({ log: text }).map((d) => d.id)

describe('diagnosis from captured charon logs', () => {
  it.each<[string, DiagnosisId, RegExp]>([
    ['wrong-psk.gateway.charon.log', 'psk-mismatch', /decryption failed\?/],
    ['swapped-psk.gateway.charon.log', 'psk-swapped', /decryption failed\?/],
    ['proposal-sha1.gateway.charon.log', 'proposal-mismatch', /received NO_PROPOSAL_CHOSEN error notify/],
    ['proposal-dh24.aws.charon.log', 'proposal-mismatch', /no acceptable KEY_EXCHANGE_METHOD found|no proposal found/],
    ['wrong-remote-id.gateway.charon.log', 'id-mismatch', /IDir '10\.99\.0\.2' does not match to '10\.99\.0\.9'/],
    ['wrong-local-id.gateway.charon.log', 'id-mismatch', /AUTHENTICATION_FAILED/],
    ['wrong-local-id.aws.charon.log', 'id-mismatch', /no peer config found/],
    ['selector-mismatch.gateway.charon.log', 'selector-mismatch', /received INVALID_ID_INFORMATION error notify/],
    ['selector-mismatch.aws.charon.log', 'selector-mismatch', /no matching CHILD_SA config found/],
    ['ikev2-ts-unacceptable.gateway.charon.log', 'selector-mismatch', /TS_UNACCEPTABLE/],
    ['no-answer.gateway.charon.log', 'ike-no-answer', /retransmit|peer not responding/],
  ])('%s → %s', (file, id, line) => {
    const ds = diagnose({ log: log(file) })
    expect(ds.map((d) => d.id)).toEqual([id])
    const d = ds[0]
    expect(d?.evidence.some((e) => line.test(e))).toBe(true)
    expect(d?.evidence.length).toBeLessThanOrEqual(4)
    expect(d?.fix.length).toBeGreaterThan(10)
  })

  it('UDP 4500 blocked behind NAT: port 500 answered, 4500 silent → NAT-T, not "no answer"; an answer on 4500 clears it', () => {
    const text = log('natt-blocked.gateway.charon.log')
    const d = diagnose({ log: text }).find((x) => x.id === 'natt-no-answer')
    expect(d?.tunnel).toBe('lab-t1')
    // (The capture starts mid-way through lab-t2's attempt, so lab-t2 is only "no answer": its port-500 answer is not in view.)
    expect(diagnose({ log: text }).filter((x) => x.tunnel === 'lab-t1').map((x) => x.id)).toEqual(['natt-no-answer'])
    expect(d?.evidence.some((e) => /received packet: from \S+\[500\]/.test(e))).toBe(true)
    expect(d?.fix).toMatch(/UDP 4500/)
    // The same attempt with the peer's answer on 4500 (line appended from the same capture's shape): not blocked.
    const answered = `${text.trimEnd()}\nDec  5 00:07:47 13[NET] <lab-t1|5> received packet: from 198.18.1.10[4500] to 100.64.0.2[4500] (108 bytes)\n`
    expect(ids(answered)).not.toContain('natt-no-answer')
    // A later establishment ends the attempt: old silence on 4500 is not a fault any more.
    const established = `${text.trimEnd()}\nDec  5 00:08:00 13[IKE] <lab-t1|6> IKE_SA lab-t1[6] established between 100.64.0.2[100.64.0.2]...198.18.1.10[198.18.1.10]\n`
    expect(ids(established)).not.toContain('natt-no-answer')
  })

  it('UDP 4500 blocked after the tunnels were up (VM capture): the new attempt is followed by its IKE_SA id, not mixed with the old SA\'s lines', () => {
    const ds = diagnose({ log: log('natt-blocked-after-up.gateway.charon.log') })
    expect(ds.map((d) => [d.id, d.tunnel]).sort()).toEqual([
      ['natt-no-answer', 'lab-t1'],
      ['natt-no-answer', 'lab-t2'],
    ])
    for (const d of ds) expect(d.evidence.every((e) => new RegExp(`<${d.tunnel}\\|(3|4)>`).test(e))).toBe(true)
  })

  it('names the tunnel from the log (ike_name) and both tunnels for swapped PSKs', () => {
    expect(diagnose({ log: log('wrong-psk.gateway.charon.log') })[0]?.tunnel).toBe('aws-tun1')
    expect(diagnose({ log: log('swapped-psk.gateway.charon.log') })[0]?.tunnel?.split(', ').sort()).toEqual(['aws-tun1', 'aws-tun2'])
  })

  it('finds nothing wrong in the log of a healthy run', () => {
    expect(ids(log('good.gateway.charon.log'))).toEqual([])
    expect(ids(log('good.aws.charon.log'))).toEqual([])
  })

  it('reads the same lines from a journal/syslog prefix', () => {
    const journal = log('proposal-sha1.gateway.charon.log')
      .split('\n')
      .map((l) => l.replace(/^(\w{3} +\d+ [\d:]+) /, '$1 gw charon[4242]: '))
      .join('\n')
    expect(ids(journal)).toEqual(['proposal-mismatch'])
  })

  it('never puts a PSK into evidence', () => {
    const psk = 'Lab.Psk1.good123'
    const leaky = log('wrong-psk.gateway.charon.log') + `\nNov 25 15:09:10 16[ENC] <aws-tun1|1> invalid HASH_V1 payload length, decryption failed? key ${psk}\n`
    const out = JSON.stringify(diagnose({ log: leaky, secrets: [new Secret(psk)] }))
    expect(out).not.toContain(psk)
    expect(out).toContain('[redacted]')
  })
})

describe('diagnosis from status', () => {
  const at = 1_700_000_000_000

  it('flags two installed CHILD SAs to one peer, but not a REKEYED predecessor', () => {
    const rekey = toSnapshot(parseSwanctlListSas(log('after-rekey.list-sas.txt')), { at, source: 'swanctl' })
    expect(diagnose({ snapshots: [rekey] }).filter((d) => d.id === 'extra-sas')).toEqual([])
    const doubled = log('after-rekey.list-sas.txt').replace('REKEYED', 'INSTALLED')
    const extra = diagnose({ snapshots: [toSnapshot(parseSwanctlListSas(doubled), { at, source: 'swanctl' })] })
    expect(extra.map((d) => [d.id, d.tunnel])).toEqual([['extra-sas', 'aws-tun2']])
  })

  it('flags one-way traffic within one SA (outbound grows, inbound stays 0)', () => {
    const text = log('two-tunnels.list-sas.txt')
    const first = toSnapshot(parseSwanctlListSas(text), { at, source: 'swanctl' })
    const outOnly = text.replace('out 26028e5f,      0 bytes,     0 packets', 'out 26028e5f,    840 bytes,    10 packets,     1s ago')
    const second = toSnapshot(parseSwanctlListSas(outOnly), { at: at + 5000, source: 'swanctl', previous: first })
    expect(diagnose({ snapshots: [first, second] }).map((d) => [d.id, d.tunnel])).toEqual([['inbound-zero', 'aws-tun1']])
    const inOnly = text.replace('in  992313e6,      0 bytes,     0 packets', 'in  992313e6,    840 bytes,    10 packets,     1s ago')
    const third = toSnapshot(parseSwanctlListSas(inOnly), { at: at + 5000, source: 'swanctl', previous: first })
    expect(diagnose({ snapshots: [first, third] }).map((d) => d.id)).toEqual(['outbound-zero'])
  })

  it('flags a down tunnel whose policy never re-initiates', () => {
    const s = toSnapshot([], { at, source: 'vici', expected: [{ peer: '10.99.0.2', name: 'aws-tun1' }] })
    const ds = diagnose({ snapshots: [s], conns: [{ name: 'aws-tun1', peer: '10.99.0.2', startAction: 'none', dpdAction: 'clear', closeAction: 'none' }] })
    expect(ds.map((d) => d.id)).toEqual(['not-reinitiated'])
    expect(ds[0]?.evidence[0]).toMatch(/start_action=none/)
    expect(diagnose({ snapshots: [s], conns: [{ name: 'aws-tun1', peer: '10.99.0.2', startAction: 'start', dpdAction: 'restart', closeAction: 'restart' }] })).toEqual([])
  })

  it('flags drops every hour as a lifetime mismatch and idle drops as idle flapping', () => {
    const up = parseSwanctlListSas(log('two-tunnels.list-sas.txt')).filter((s) => s.name === 'aws-tun1')
    const exp = [{ peer: '10.99.0.2', name: 'aws-tun1' }]
    const seq = (times: number[], ups: boolean[]) => {
      const out = []
      let prev
      for (const [i, t] of times.entries()) {
        prev = toSnapshot(ups[i] ? up : [], { at: t, source: 'vici', expected: exp, ...(prev ? { previous: prev } : {}) })
        out.push(prev)
      }
      return out
    }
    const h = 3600_000
    const hourly = seq([0, 10_000, h + 10_000, h + 20_000, 2 * h + 20_000], [true, false, true, false, true])
    expect(diagnose({ snapshots: hourly }).map((d) => d.id)).toContain('lifetime-mismatch')
    const idle = seq([0, 60_000, 120_000, 180_000, 240_000, 300_000, 360_000], [true, true, false, true, true, false, true])
    expect(diagnose({ snapshots: idle }).map((d) => d.id)).toContain('idle-flapping')
  })

  it('flags MTU stalls from probes and Libreswan that drops IKEv1', () => {
    expect(diagnose({ mtu: [{ peer: '10.99.0.2', smallOk: true, largeOk: false, largeSize: 1400 }] }).map((d) => d.id)).toEqual(['mtu-stall'])
    const lib = (version: string, configSetup: string) => diagnose({ libreswan: { version, configSetup, usesIkev1: true } }).map((d) => d.id)
    expect(lib('Libreswan 5.1', 'config setup\n  logfile=/var/log/pluto.log')).toEqual(['libreswan-ikev1-refused'])
    expect(lib('Libreswan 5.1', 'config setup\n  ikev1-policy=accept')).toEqual([])
    expect(lib('Libreswan 4.10', 'config setup')).toEqual([])
  })
})
