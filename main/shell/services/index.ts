// The shell's services, one per domain, behind the IPC handlers: details, profiles, gateway, status,
// records (plus settings and the job registry). No Electron here: main/shell/index.ts supplies the Electron
// parts (safeStorage, dialogs, window events), the e2e harness supplies its own.
import type { Connector } from '../../core'
import type { SettingsStore } from '../stores/settings-store'
import { ShellContext, type ShellEnvironment } from './context'
import { DetailsService } from './details'
import { GatewayService } from './gateway'
import type { JobRegistry } from './jobs'
import { ProfilesService } from './profiles'
import { RecordsService } from './records'
import { StatusService } from './status'

export type { ChooseSavePath, Emit, ShellEnvironment } from './context'

/** Every service of the app. */
export interface ShellServices {
  readonly details: DetailsService
  readonly profiles: ProfilesService
  readonly gateway: GatewayService
  readonly status: StatusService
  readonly records: RecordsService
  readonly settings: SettingsStore
  readonly jobs: JobRegistry
  /** Stops every watch and job (the window closed). */
  stopAll(): void
  /** Closes every gateway session. */
  closeAll(): Promise<void>
}

/** Builds the services over one data folder; `connector` replaces SSH only where a test must produce a case a real server cannot. */
export function createShellServices(env: ShellEnvironment, opts: { readonly connector?: Connector } = {}): ShellServices {
  const ctx = new ShellContext(env)
  const gateway = new GatewayService(ctx, opts.connector)
  const details = new DetailsService(ctx, (id) => gateway.factsOf(id))
  const status = new StatusService(ctx, gateway)
  const profiles = new ProfilesService(ctx, details, (id) => gateway.disconnect(id))
  const records = new RecordsService(ctx, details, gateway, status)
  return {
    details,
    profiles,
    gateway,
    status,
    records,
    settings: ctx.settings,
    jobs: ctx.jobs,
    stopAll: () => {
      status.stopAll()
      ctx.jobs.cancelAll()
    },
    closeAll: () => gateway.closeAll(),
  }
}
