// Shared by the lab tests: a root shell on the lab gateway (apply, NAT, pfSense, keep-up), polling with timings, the loop's pids.
import type { GatewayShell } from '../../main/core/gateway/shell'
import type { IkeSa, Lab } from '../lab'

/** The workflow's shell as root inside the lab gateway (no SSH: after apply the tests use no app). */
export function toNodeShell(lab: Lab): GatewayShell {
  return {
    async runScript(script, opts) {
      const r = await lab.gateway.exec(['sh'], { input: script, timeoutMs: opts?.timeoutMs ?? 60_000 })
      opts?.onOutput?.(r.stdout)
      return r
    },
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `probe` every `everyMs` until it returns a value; resolves to that value and the time it took. */
export async function within<T>(what: string, ms: number, probe: () => Promise<T | undefined>, everyMs = 500): Promise<{ value: T; ms: number }> {
  const start = Date.now()
  for (;;) {
    const v = await probe()
    if (v !== undefined) return { value: v, ms: Date.now() - start }
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`)
    await sleep(everyMs)
  }
}

/** Keep-up loops in the gateway's network namespace (the lab shares one pid namespace with other labs). */
export async function listKeepupPids(lab: Lab): Promise<string[]> {
  const script = 'me=$(readlink /proc/self/ns/net); for p in /proc/[0-9]*; do [ "$(readlink $p/ns/net 2>/dev/null)" = "$me" ] && tr "\\0" " " < $p/cmdline 2>/dev/null | grep -q "[k]eepup.sh run" && echo ${p#/proc/}; done; true'
  return (await lab.gateway.exec(['sh', '-c', script])).stdout.split('\n').filter(Boolean)
}

/** Whether AWS (the aws node) has tunnel `i` up: an established IKE SA with an installed CHILD SA on that outside IP. */
export function isUpOnAws(lab: Lab, sas: readonly IkeSa[], i: 0 | 1): boolean {
  return sas.some((s) => s.localHost === lab.aws.outsideIps[i] && s.state === 'ESTABLISHED' && s.children.some((c) => c.state === 'INSTALLED'))
}

/** The keep-up loop's last state line on the gateway ('' when none). */
export async function readKeepupState(lab: Lab): Promise<string> {
  return (await lab.gateway.exec(['sh', '-c', 'cat /run/tunnelwright/*-keepup.state 2>/dev/null; true'])).stdout
}
