// Live, read-only status of a vendor device (Cisco ASA/IOS, PAN-OS, FortiOS, Junos, Windows Server) for both faces: these
// devices have no event feed Tunnelwright can reach (no VICI), so the watch polls their show commands over
// one SSH session, a fresh CLI shell per sample. A failed sample ends the watch with its error (the CLI
// exits on it, the app shows it): a status that silently stops updating would read as "still up".
import type { Secret } from '../base/secret'
import { toAlerts, type AlertEvent } from '../status/alerts'
import type { Diagnosis } from '../status/diagnosis'
import type { StatusSnapshot } from '../status/model'
import { isVendorPollInterval, VENDOR_POLL } from '../base/vocabulary'
import { toVendorSshAlgorithms, type VendorStatusKind } from '../status/vendor'
import { readVendorStatusOverShell, type VendorStatusDetails, type VendorTarget } from '../status/vendor/ssh'
import { toWindowsConnectError } from '../status/vendor/windows'
import { connect, type SshSession } from '../ssh/session'

/** What a vendor watch tells both faces about how it reads the device (the board and the CLI say it). */
export interface VendorWatchInfo {
  readonly kind: VendorStatusKind
  /** Always true: only show/get commands and this session's paging-off are ever sent. */
  readonly readOnly: true
  /** Seconds between samples. */
  readonly intervalSec: number
  /** The older SSH algorithms this connection offered because the user allowed them ([] = none). */
  readonly legacyAlgorithms: readonly string[]
}

/** One sample of a vendor watch: the reading, what it raised, and how the watch reads the device. */
export interface VendorStatusChange {
  readonly snapshot: StatusSnapshot
  readonly diagnoses: readonly Diagnosis[]
  readonly alerts: readonly AlertEvent[]
  readonly trigger: 'initial' | 'poll'
  readonly mode: 'polling'
  readonly device: VendorWatchInfo
}

export { isVendorPollInterval, VENDOR_POLL } from '../base/vocabulary'

/** The connect function a watch uses (tests and the app pass the real one). */
export type VendorConnector = (target: VendorTarget, legacy: ReturnType<typeof toVendorSshAlgorithms>['append']) => Promise<Pick<SshSession, 'openShell' | 'openExec' | 'close' | 'isClosed'>>

const realConnector: VendorConnector = (target, legacy) => connect(target.endpoint, target.policy, { ...target.options, ...(legacy ? { legacyAlgorithms: legacy } : {}) })

/**
 * Polls a vendor device until `signal` aborts (resolves) or a sample fails (rejects with that error, the
 * session closed). Every sample is emitted (the counters change even when the states do not). When the
 * device closed the idle session between samples, it is opened again once; if that fails, the watch ends.
 */
export async function watchVendorStatus(
  target: VendorTarget,
  kind: VendorStatusKind,
  details: VendorStatusDetails,
  opts: {
    readonly signal: AbortSignal
    readonly onChange: (c: VendorStatusChange) => void
    readonly intervalSec?: number
    readonly allowLegacy?: boolean
    readonly enablePassword?: Secret
    /** Per prompt, ms (default 20 s). */
    readonly timeoutMs?: number
    readonly connector?: VendorConnector
  },
): Promise<void> {
  const intervalSec = opts.intervalSec ?? VENDOR_POLL.default
  if (!isVendorPollInterval(intervalSec)) throw new RangeError(`vendor poll interval ${intervalSec}`)
  const legacy = toVendorSshAlgorithms(kind, opts.allowLegacy === true)
  const device: VendorWatchInfo = { kind, readOnly: true, intervalSec, legacyAlgorithms: legacy.append ? [...legacy.append.kex, ...legacy.append.cipher, ...legacy.append.serverHostKey] : [] }
  // Windows: a refused connection most often means its OpenSSH Server is not enabled; the error says so.
  const open = () =>
    (opts.connector ?? realConnector)(target, legacy.append).catch((err: unknown) => {
      throw kind === 'windows-server' ? toWindowsConnectError(err) : err
    })
  let session = await open()
  const history: StatusSnapshot[] = []
  try {
    let trigger: VendorStatusChange['trigger'] = 'initial'
    while (!opts.signal.aborted) {
      if (session.isClosed) session = await open()
      const live = session
      const reading = await readVendorStatusOverShell(() => live.openShell(), kind, details, {
        at: Date.now(),
        openExec: (line) => live.openExec(line),
        previous: history.slice(-5),
        ...(opts.enablePassword ? { enablePassword: opts.enablePassword } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      })
      if (opts.signal.aborted) break
      const alerts = toAlerts(history.at(-1), reading.snapshot)
      history.push(reading.snapshot)
      if (history.length > 120) history.shift()
      opts.onChange({ snapshot: reading.snapshot, diagnoses: reading.diagnoses, alerts, trigger, mode: 'polling', device })
      trigger = 'poll'
      if (opts.signal.aborted) break
      await new Promise<void>((done) => {
        const t = setTimeout(done, intervalSec * 1000)
        opts.signal.addEventListener('abort', () => (clearTimeout(t), done()), { once: true })
      })
    }
  } catch (err) {
    if (opts.signal.aborted) return
    throw err
  } finally {
    await session.close().catch(() => undefined)
  }
}
