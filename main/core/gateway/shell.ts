// The GatewayShell the engine needs, over an SSH session: scripts fed on stdin to a one-word `sh` as root.
import type { GatewayShell } from '../apply/engine'
import { Secret } from '../base/secret'
import { ROOT_SH } from '../ssh/catalog'
import type { SshSession } from '../ssh/session'

/** Runs engine scripts over `session` (through sudo on a non-root login); scripts may carry PSKs, so they travel as Secret. */
export function toGatewayShell(session: Pick<SshSession, 'runScript'>): GatewayShell {
  return {
    async runScript(script, opts) {
      const r = await session.runScript(ROOT_SH, new Secret(script), { ...(opts?.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }), ...(opts?.onOutput ? { onOutput: opts.onOutput } : {}) })
      return { code: r.code, stdout: r.stdout, stderr: r.stderr }
    },
  }
}
