// applyPlan's progress over streamed output: steps reach onProgress as their lines arrive, a line split
// across chunks (even inside a multi-byte character) is parsed only once it is complete, and no step is
// reported twice when the full stdout is recorded at the end.
//
// The shell is a stand-in: real SSH delivers whatever chunking the network gives, so a line cut in the
// middle cannot be produced on demand; the real-SSH streaming proof is in test/integration/fault-apply.test.ts.
import { StringDecoder } from 'node:string_decoder'
import { describe, expect, it } from 'vitest'
import { applyPlan, type Plan } from '../../main/core/apply/engine'
import type { GatewayShell } from '../../main/core/gateway/shell'
import type { StackProfile } from '../../main/core/gateway/stacks'

const STACK: StackProfile = { validate: 'true', activate: 'true', activateErrors: '^$', reload: 'true', initiate: ['true'], isUp: 'true' }
const PLAN: Plan = { changes: [{ path: '/etc/x.conf', action: 'create', secret: false, diff: '+x' }], noop: false, files: [{ path: '/etc/x.conf', mode: 0o600, content: 'x\n', secret: false }], remove: [], ensureLines: [] }

/** Answers the launch and the confirm scripts with canned progress, `size` characters per chunk. */
function toChunkedShell(size: number, log: string[]): GatewayShell {
  const answer = (script: string) =>
    script.includes('Tunnelwright transaction') ? 'TW-STARTED 4242\n1700000000 STARTED\n1700000001 WRITTEN /etc/x.conf — é\n1700000002 VERIFIED\n' : /\/confirmed'?\n/.test(script) ? '1700000003 COMMITTED\n' : ''
  return {
    async runScript(script, opts) {
      const bytes = Buffer.from(answer(script))
      // Decoded as SshSession does, so a chunk boundary inside "é" or "—" waits for the rest of it.
      const decoder = new StringDecoder('utf8')
      for (let i = 0; i < bytes.length; i += size) {
        const text = decoder.write(bytes.subarray(i, i + size))
        if (text) opts?.onOutput?.(text)
        await Promise.resolve()
      }
      log.push('round-trip-end')
      return { code: 0, stdout: bytes.toString('utf8'), stderr: '' }
    },
  }
}

describe('applyPlan with streamed output', () => {
  for (const size of [1, 3, 7, 1000]) {
    it(`parses only complete lines and reports each step once (chunks of ${size} bytes)`, async () => {
      const log: string[] = []
      const r = await applyPlan(toChunkedShell(size, log), PLAN, { stack: STACK, baseDir: '/var/lib/tunnelwright', confirmWithin: 30, txnId: 'txn-test', onProgress: (p) => log.push(`${p.step} ${p.detail}`.trim()) })
      expect(r.outcome).toBe('committed')
      expect(log).toEqual(['STARTED', 'WRITTEN /etc/x.conf — é', 'VERIFIED', 'round-trip-end', 'COMMITTED', 'round-trip-end'])
    })
  }
})
