// FRR on a Linux gateway, for a BGP VPN: what is there (read-only, one round trip), the frr.conf we want, and
// how a change validates and activates it — validate with FRR's own parser (vtysh --dryrun), activate by FRR's
// own reload (frr-reload.py: the running daemons get exactly the difference between their configuration and the
// file), which is also how a revert or rollback gives the daemons the restored file back.
import { UserError } from '../base/result'
import type { RenderInput } from '../details/resolve'
import { FRR_CONF, removeFrrSection, toFrrBgpPlan, toFrrConf } from '../render/frr'
import { quoteSh } from '../ssh/quote'
import { runReadOnly } from './commands'
import type { GatewayShell } from './shell'
import { toBgpEstablishedSh, type StackProfile } from './stacks'

/** Where Debian's frr and frr-pythontools put what we use (RHEL and Fedora use the same paths). */
export const FRR_PATHS = {
  daemons: '/etc/frr/daemons',
  reloadScript: '/usr/lib/frr/frr-reload.py',
  init: '/usr/lib/frr/frrinit.sh',
} as const

/** What the gateway's FRR looks like, as far as a BGP change needs to know. */
export interface FrrState {
  /** vtysh is on the PATH (the frr package is installed). */
  readonly installed: boolean
  /** /etc/frr/daemons says bgpd=yes. */
  readonly bgpdEnabled: boolean
  /** frr-reload.py is there (frr-pythontools): without it FRR cannot take a changed file without a restart. */
  readonly reloadTool: boolean
  /** bgpd answers vtysh. */
  readonly running: boolean
  /** frr.conf as it is now (undefined when absent). */
  readonly conf?: string
}

/** Reads FRR's state on the gateway (one read-only round trip; changes nothing). */
export async function readFrrState(shell: GatewayShell): Promise<FrrState> {
  const out = await runReadOnly(
    shell,
    [
      { id: 'vtysh', argv: ['sh', '-c', 'command -v vtysh'] },
      { id: 'daemons', argv: ['cat', FRR_PATHS.daemons] },
      { id: 'reload', argv: ['test', '-f', FRR_PATHS.reloadScript] },
      { id: 'running', argv: ['vtysh', '-d', 'bgpd', '-c', 'show version'] },
      { id: 'conf', argv: ['sh', '-c', `[ -f ${quoteSh(FRR_CONF)} ] && { echo PRESENT; base64 < ${quoteSh(FRR_CONF)} | tr -d '\\n'; echo; } || echo ABSENT`] },
    ],
    30_000,
  )
  const ok = (id: string) => out[id]?.exitCode === 0
  const conf = out['conf']?.stdout.split('\n') ?? []
  return {
    installed: ok('vtysh') && (out['vtysh']?.stdout.trim() ?? '') !== '',
    bgpdEnabled: /^[ \t]*bgpd[ \t]*=[ \t]*"?yes"?[ \t]*$/m.test(out['daemons']?.stdout ?? ''),
    reloadTool: ok('reload'),
    running: ok('running'),
    ...(conf[0] === 'PRESENT' ? { conf: Buffer.from(conf[1] ?? '', 'base64').toString('utf8') } : {}),
  }
}

/**
 * What a change does to frr.conf: a BGP VPN puts its section in (or a UserError, nothing changed, says what the
 * gateway lacks); a static VPN takes out a section an earlier BGP version of it left; otherwise nothing. FRR is
 * never installed, enabled or restarted by us: each of those would touch the gateway's other routing.
 */
export function toFrrConfChange(state: FrrState, input: RenderInput): { readonly path: string; readonly content: string; readonly neighbours: readonly string[] } | undefined {
  const plan = toFrrBgpPlan(input)
  if (!plan) {
    if (state.conf === undefined) return undefined
    const content = removeFrrSection(state.conf, input.slug)
    return content === state.conf ? undefined : { path: FRR_CONF, content, neighbours: [] }
  }
  const why = 'This VPN uses BGP: Tunnelwright sets up the two sessions in FRR on the gateway, and FRR must be there to take them.'
  if (!state.installed) throw new UserError('frr-missing', 'FRR is not installed on the gateway (no vtysh).', { likelyCause: why, fix: 'Install it (Debian/Ubuntu: apt-get install frr frr-pythontools; RHEL: dnf install frr), set bgpd=yes in /etc/frr/daemons, start it (systemctl enable --now frr), then plan again.' })
  if (!state.bgpdEnabled) throw new UserError('frr-bgpd-disabled', `FRR is installed but bgpd is not enabled in ${FRR_PATHS.daemons}.`, { likelyCause: why, fix: `Set bgpd=yes in ${FRR_PATHS.daemons} and restart FRR (systemctl restart frr: it restarts FRR's other daemons too, so plan it), then plan again.` })
  if (!state.reloadTool) throw new UserError('frr-reload-missing', `FRR's reload tool (${FRR_PATHS.reloadScript}) is not on the gateway.`, { likelyCause: 'It comes in the frr-pythontools package; without it FRR takes a changed frr.conf only by a restart, which drops every BGP session on the gateway.', fix: 'Install it (apt-get install frr-pythontools; on RHEL it is part of frr), then plan again.' })
  if (!state.running) throw new UserError('frr-not-running', 'FRR is installed and bgpd is enabled, but bgpd does not answer (vtysh -d bgpd).', { likelyCause: 'FRR is stopped, or it failed to start.', fix: 'Start it (systemctl start frr) and look at systemctl status frr, then plan again.' })
  return { path: FRR_CONF, content: toFrrConf(state.conf, plan), neighbours: plan.neighbours.map((n) => n.ip) }
}

/**
 * sh that checks frr.conf with FRR's own parser (every daemon's commands, nothing running is touched), and the
 * reload that gives the running daemons the file as it is (frr-reload.py computes and applies the difference:
 * the admin's other neighbours and route maps are not reset). Through systemd when FRR runs under it, as
 * `systemctl reload frr` would; frr-reload.py exits non-zero when a command is refused.
 */
export const FRR_SH = {
  validate: `{ o=$(vtysh --dryrun -f ${quoteSh(FRR_CONF)} 2>&1) || { echo "FRR refuses ${FRR_CONF}:"; printf '%s\\n' "$o" | tail -n 5; false; }; }`,
  reload: `{ if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet frr 2>/dev/null; then systemctl reload frr; else ${quoteSh(FRR_PATHS.init)} reload; fi; }`,
} as const

/**
 * A stack profile that also carries frr.conf: validated with FRR's parser, given to the running FRR after the
 * IPsec daemon took its files (the sessions run inside the tunnels), and again after a revert or rollback put
 * the old file back. With `neighbours` (a BGP VPN) the change is up only when both sessions are Established:
 * a BGP VPN without them carries no traffic.
 */
export function withFrr(profile: StackProfile, neighbours?: readonly string[]): StackProfile {
  return {
    ...profile,
    validate: `${profile.validate} && ${FRR_SH.validate}`,
    activate: `${profile.activate} && ${FRR_SH.reload}`,
    reload: `${profile.reload}\n${FRR_SH.reload}; true`,
    isUp: neighbours && neighbours.length > 0 ? `{ ${profile.isUp}; } && ${toBgpEstablishedSh(neighbours)}` : profile.isUp,
  }
}
