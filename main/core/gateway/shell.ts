// The gateway port: how every part of the core runs a script as root on the gateway, and its SSH adapter.
import { Secret } from '../base/secret'
import { ROOT_SH } from '../ssh/catalog'
import type { SshSession } from '../ssh/session'

/** A way to run a POSIX sh script as root on the gateway (stdin-fed; sudo handled by the session). */
export interface GatewayShell {
  runScript(script: string, opts?: { readonly timeoutMs?: number; readonly onOutput?: (chunk: string) => void }): Promise<{ code: number; stdout: string; stderr: string }>
}

/** Runs engine scripts over `session` (through sudo on a non-root login); scripts may carry PSKs, so they travel as Secret. */
export function toGatewayShell(session: Pick<SshSession, 'runScript'>): GatewayShell {
  return {
    async runScript(script, opts) {
      const r = await session.runScript(ROOT_SH, new Secret(script), { ...(opts?.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }), ...(opts?.onOutput ? { onOutput: opts.onOutput } : {}) })
      return { code: r.code, stdout: r.stdout, stderr: r.stderr }
    },
  }
}
