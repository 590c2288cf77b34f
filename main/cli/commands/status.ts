import { InputError, isStatusOk, VENDOR_STATUS_KINDS, isVendorPollInterval, isVendorStatusKind, toSshExitCode, UserError, VENDOR_POLL, watchVendorStatus, lintDetailsInput, loadDetails, readGatewayStatus, readVendorDeviceStatus, Secret, toCliTarget, toKnownHostsStoreDir, toLegacyCliKnownHosts, toTunnelDiagnoses, toTunnelVerdict, watchGatewayStatus, type Diagnosis, type StatusSnapshot, type TunnelStatus } from '../../core'
import { EXIT, parseOptions, toTerminalText, writeJson, type CliIo, type Command } from '../cli-io'
import { requireDetails } from '../options'
import { SSH_OPTIONS, SSH_USAGE, toCliDataDir, withGateway } from '../ssh-options'

const usage = `Usage: tunnelwright status --details FILE --host [USER@]HOST[:PORT] [ssh options] [--watch] [--json]

Both tunnels now: state, age, traffic, a probe through each tunnel (route-based) or the active one
(policy-based), and a verdict (healthy, standby, down, unhealthy) with the diagnosis when unhealthy.
Exit 0 when every tunnel is healthy or standing by, 1 otherwise (what is printed and the exit agree). With --watch, one
reading per change until Ctrl-C (with --json: one JSON object per line).

Vendor devices (read-only, nothing is written to them): --device ${VENDOR_STATUS_KINDS.join('|')}
reads the device's show commands over an SSH shell (paging off for the session; Cisco: enable mode with
--enable-password-env VAR; FortiOS: one exec channel per command). windows-server runs Get-VpnS2SInterface,
Get-NetIPsecMainModeSA and Get-NetIPsecQuickModeSA, each through powershell.exe on an exec channel: its OpenSSH
Server must be enabled, and the account must be a local administrator. --allow-legacy-ssh lets this one connection also use older algorithms (SHA-1 key
exchange, CBC ciphers, ssh-rsa host keys) that older releases need. --watch polls every --interval SECONDS
(default 30, 5 to 3600; these devices have no event feed) over one SSH session; a failed poll ends the watch
with the error: exit 4 when the device can no longer be reached or refuses the login, 3 on a host key
problem, 1 when a sample fails otherwise (the session dropped, no prompt in time).

${SSH_USAGE}`

/** A tunnel as `status --json` lists it (cli.md: peer, name, states, seconds, counters, health verdict). */
function toTunnelJson(t: TunnelStatus, diagnoses: readonly Diagnosis[]) {
  const verdict = toTunnelVerdict(t, diagnoses)
  return {
    peer: t.peer,
    name: t.name,
    ikeState: t.ikeState ?? 'NONE',
    childState: t.childState ?? 'NONE',
    establishedSec: t.ikeAgeSec ?? 0,
    bytesIn: t.bytesIn,
    bytesOut: t.bytesOut,
    packetsIn: t.packetsIn,
    packetsOut: t.packetsOut,
    natT: t.natT,
    ikeSaCount: t.ikeSaCount,
    childSaCount: t.childSaCount,
    ...(t.nextRekeySec === undefined ? {} : { nextRekeySec: t.nextRekeySec }),
    ...(t.probe ? { probe: t.probe } : {}),
    ...(t.bgp ? { bgp: t.bgp } : {}),
    health: { verdict, ...(verdict === 'healthy' ? {} : { diagnosis: toTunnelDiagnoses(t, diagnoses).map((d) => ({ id: d.id, cause: d.cause, fix: d.fix, evidence: d.evidence })) }) },
  }
}

/** A tunnel's BGP session in one phrase: "BGP Established 1h02m, 1 in / 1 out" or "BGP Idle (down 12s)". */
export function toBgpText(b: NonNullable<TunnelStatus['bgp']>): string {
  const age = (sec: number) => (sec >= 3600 ? `${Math.floor(sec / 3600)}h${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}m` : sec >= 60 ? `${Math.floor(sec / 60)}m${String(sec % 60).padStart(2, '0')}s` : `${sec}s`)
  if (b.established) return `BGP Established${b.uptimeSec === undefined ? '' : ` ${age(b.uptimeSec)}`}, ${b.prefixesReceived ?? '?'} in / ${b.prefixesSent ?? '?'} out`
  return `BGP ${b.state}${b.downSec ? ` (down ${age(b.downSec)})` : ''}`
}

function printHuman(io: CliIo, snapshot: StatusSnapshot, diagnoses: readonly Diagnosis[]): void {
  for (const t of snapshot.tunnels) {
    io.stdout(`${t.up ? 'UP  ' : t.standby ? 'STBY' : 'DOWN'} ${t.name} → ${t.peer}  IKE ${t.ikeState ?? 'none'}  CHILD ${t.childState ?? 'none'}  ${t.ikeAgeSec ?? 0}s  in ${t.bytesIn} B/${t.packetsIn} pkts  out ${t.bytesOut} B/${t.packetsOut} pkts${t.natT ? '  NAT-T' : ''}${t.childSaCount > 1 ? `  ${t.childSaCount} CHILD SAs!` : ''}${t.probe ? `  probe ${t.probe.ok ? 'ok' : 'FAILED'}` : ''}${t.bgp ? `  ${toBgpText(t.bgp)}` : ''}\n`)
  }
  for (const d of diagnoses) io.stdout(`\n${d.severity.toUpperCase()} ${d.id}${d.tunnel ? ` (${d.tunnel})` : ''}: ${d.cause}\n  Evidence: ${toTerminalText(d.evidence.join(' | '))}\n  Fix: ${d.fix}\n`)
}

/** `tunnelwright status [--watch]`. */
export const status: Command = {
  usage,
  run: async (args, io) => {
    const opts = parseOptions(args, { ...SSH_OPTIONS, details: { type: 'string' }, device: { type: 'string' }, watch: { type: 'boolean' }, 'allow-legacy-ssh': { type: 'boolean' }, 'enable-password-env': { type: 'string' }, interval: { type: 'string' } })
    const input = loadDetails(requireDetails(opts.details), io.env)
    const lintErrors = lintDetailsInput(input).filter((f) => f.severity === 'error')
    if (lintErrors.length > 0) io.stderr(`Warning: the details have ${lintErrors.length} lint error(s) (apply refuses them; run tunnelwright lint).\n`)
    const device = opts.device
    if (isVendorStatusKind(device)) {
      const target = toCliTarget(opts, { env: io.env, storeDir: toKnownHostsStoreDir(toCliDataDir(io)), extraKnownHosts: [toLegacyCliKnownHosts(io.env)] })
      const envName = opts['enable-password-env']
      const enable = envName === undefined ? undefined : io.env[envName]
      if (envName !== undefined && !enable) throw new InputError('enable-password', `--enable-password-env ${envName}: the variable is not set or empty.`)
      const interval = opts.interval === undefined ? VENDOR_POLL.default : Number(opts.interval)
      if (!isVendorPollInterval(interval)) throw new InputError('interval', `--interval takes whole seconds from ${VENDOR_POLL.min} to ${VENDOR_POLL.max}.`)
      const allowLegacy = opts['allow-legacy-ssh'] === true
      const enablePassword = enable ? new Secret(enable) : undefined
      if (!opts.watch) {
        const r = await readVendorDeviceStatus(target, device, input.details, { allowLegacy, ...(enablePassword ? { enablePassword } : {}) })
        if (r.notice) io.stderr(`${r.notice}\n`)
        if (opts.json) writeJson(io, 'status', { at: new Date(r.snapshot.at).toISOString(), source: r.snapshot.source, device, tunnels: r.snapshot.tunnels.map((t) => toTunnelJson(t, r.diagnoses)) })
        else printHuman(io, r.snapshot, r.diagnoses)
        return isStatusOk(r.snapshot, r.diagnoses) ? EXIT.ok : EXIT.failed
      }
      // Polling (these devices have no event feed): one line per sample with --json (NDJSON, as the Linux watch).
      let samples = 0
      try {
        await watchVendorStatus(target, device, input.details, {
          signal: io.signal ?? new AbortController().signal,
          intervalSec: interval,
          allowLegacy,
          ...(enablePassword ? { enablePassword } : {}),
          onChange: (c) => {
            samples++
            if (c.trigger === 'initial') io.stderr(`Read-only: polling the ${device}'s ${device === 'windows-server' ? 'Get- cmdlets' : 'show commands'} every ${c.device.intervalSec} s; nothing is written to it.${c.device.legacyAlgorithms.length > 0 ? ` Older SSH algorithms allowed for this connection: ${c.device.legacyAlgorithms.join(', ')}.` : ''}\n`)
            if (opts.json) {
              io.stdout(`${JSON.stringify({ format: 'tunnelwright/status-event@1', at: new Date(c.snapshot.at).toISOString(), trigger: c.trigger, mode: c.mode, source: c.snapshot.source, device: c.device, alerts: c.alerts, tunnels: c.snapshot.tunnels.map((t) => toTunnelJson(t, c.diagnoses)) })}\n`)
            } else {
              io.stdout(`--- ${new Date(c.snapshot.at).toISOString()} (${c.trigger}, polling)\n`)
              for (const a of c.alerts) io.stdout(`ALERT ${a.kind} ${a.name} (${a.peer}): ${toTerminalText(a.detail)}\n`)
              printHuman(io, c.snapshot, c.diagnoses)
            }
          },
        })
      } catch (err) {
        if (!(err instanceof UserError)) throw err
        // A failed poll ends the watch (a board that silently stops updating reads as "still up"): exit 4 when the
        // device cannot be reached or refuses the login, 3 on a host key problem, 1 for any other failed sample.
        const code = toSshExitCode(err) ?? EXIT.failed
        const when = new Date().toISOString()
        io.stderr(`tunnelwright status: the watch stopped at ${when} after ${samples} sample(s): ${err.message}\n${err.fix ? `Fix: ${err.fix}\n` : ''}`)
        if (opts.json) io.stdout(`${JSON.stringify({ format: 'tunnelwright/status-event@1', at: when, ok: false, exitCode: code, error: { code: err.code, message: err.message, ...(err.fix ? { fix: err.fix } : {}) } })}\n`)
        return code
      }
      return EXIT.ok
    }
    return withGateway(opts, io, async (gateway) => {
      if (!opts.watch) {
        const { snapshot, diagnoses } = await readGatewayStatus(gateway, input.details)
        if (opts.json) writeJson(io, 'status', { at: new Date(snapshot.at).toISOString(), source: snapshot.source, tunnels: snapshot.tunnels.map((t) => toTunnelJson(t, diagnoses)) })
        else printHuman(io, snapshot, diagnoses)
        return isStatusOk(snapshot, diagnoses) ? EXIT.ok : EXIT.failed
      }
      await watchGatewayStatus(gateway, input.details, {
        signal: io.signal ?? new AbortController().signal,
        onChange: (c) => {
          if (opts.json) {
            io.stdout(`${JSON.stringify({ format: 'tunnelwright/status-event@1', at: new Date(c.snapshot.at).toISOString(), trigger: c.trigger, mode: c.mode, alerts: c.alerts, tunnels: c.snapshot.tunnels.map((t) => toTunnelJson(t, c.diagnoses)) })}\n`)
          } else {
            io.stdout(`--- ${new Date(c.snapshot.at).toISOString()} (${c.trigger}, ${c.mode})\n`)
            for (const a of c.alerts) io.stdout(`ALERT ${a.kind} ${a.name} (${a.peer}): ${toTerminalText(a.detail)}\n`)
            printHuman(io, c.snapshot, c.diagnoses)
          }
        },
      })
      return EXIT.ok
    })
  },
}
