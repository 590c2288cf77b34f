import { create } from 'zustand'
import type { AppError, ConnectionDto, DetailsDraftDto, ConnectOutcome, GatewayFactsDto, JobId } from '../../../../preload/api'
import { call, newJobId } from '../../bridge/bridge'
import { useChecksStore } from '../checks/checks-store'
import { useProfileStore, EMPTY_CONNECTION } from '../profile/profile-store'

/** A host key waiting for the user's explicit decision. */
export type PendingHostKey = Extract<ConnectOutcome, { status: 'host-key-unknown' }>

interface GatewayState {
  readonly connection: ConnectionDto
  readonly phase: 'idle' | 'connecting' | 'host-key' | 'detecting' | 'connected'
  readonly job: JobId | undefined
  readonly pending: PendingHostKey | undefined
  readonly hostKey: Extract<ConnectOutcome, { status: 'connected' }>['hostKey'] | undefined
  readonly facts: GatewayFactsDto | undefined
  readonly error: AppError | undefined
  /** The SSH password as typed, stored by Connect (never lost silently, never kept after it is stored). */
  readonly pendingPassword: string
  readonly setPendingPassword: (value: string) => void
  /** Merges a patch into the connection, or replaces it whole (to drop optional keys such as jump). */
  readonly setConnection: (patch: Partial<ConnectionDto>, replace?: boolean) => void
  /** Saves the connection into the profile and connects; an unknown key stops at phase 'host-key'. */
  readonly connect: (acceptFingerprint?: string) => Promise<void>
  readonly rejectHostKey: () => void
  readonly cancel: () => Promise<void>
  readonly disconnect: () => Promise<void>
}

/** The SSH session to the gateway as main reports it; the renderer only mirrors main's answers. */
export const useGatewayStore = create<GatewayState>()((set, get) => ({
  connection: EMPTY_CONNECTION,
  phase: 'idle',
  job: undefined,
  pending: undefined,
  hostKey: undefined,
  facts: undefined,
  error: undefined,
  pendingPassword: '',
  setPendingPassword: (pendingPassword) => set({ pendingPassword }),
  setConnection: (patch, replace) => set((s) => ({ connection: replace ? (patch as ConnectionDto) : { ...s.connection, ...patch } })),
  connect: async (acceptFingerprint) => {
    const profiles = useProfileStore.getState()
    // A profile needs valid tunnel details (main refuses an empty draft), so Details comes first.
    if (!profiles.current) {
      set({ phase: 'idle', error: { code: 'details-incomplete', message: 'Save the connection details first.', cause: 'The gateway connection is stored with the details the provider sent.', fix: 'Open Details, enter or import what the provider sent, and choose "Save and continue".' } })
      return
    }
    const saved = await profiles.save({ connection: get().connection }, { details: EMPTY_DETAILS, name: get().connection.host || 'Gateway' })
    if (!saved) {
      set({ error: useProfileStore.getState().error, phase: 'idle' })
      return
    }
    // A password typed for this connection is stored before connecting; if it cannot be, nothing connects.
    const pw = get().pendingPassword
    if (pw !== '' && get().connection.auth === 'password') {
      if (!(await useProfileStore.getState().setSecret('sshPassword', pw))) {
        const e = useProfileStore.getState().error
        set({ phase: 'idle', error: { code: e?.code ?? 'secret-not-stored', message: `The SSH password was not stored, so Tunnelwright did not connect: ${e?.message ?? 'the secret store refused it.'}`, ...(e?.fix ? { fix: e.fix } : {}) } })
        return
      }
      set({ pendingPassword: '' })
    }
    const job = newJobId()
    set({ phase: 'connecting', job, error: undefined, pending: undefined })
    const r = await call('connectGateway', { profileId: saved.id, jobId: job, ...(acceptFingerprint ? { acceptFingerprint } : {}) })
    if (get().job !== job) return
    if (!r.ok) {
      set({ phase: 'idle', job: undefined, error: r.error })
      return
    }
    if (r.value.status === 'host-key-unknown') {
      set({ phase: 'host-key', job: undefined, pending: r.value })
      return
    }
    const djob = newJobId()
    // A new session: what the checks found on the last one no longer describes this gateway.
    useChecksStore.getState().reset()
    set({ phase: 'detecting', job: djob, hostKey: r.value.hostKey })
    const d = await call('detectGateway', { profileId: saved.id, jobId: djob })
    if (get().job !== djob) return
    set(d.ok ? { phase: 'connected', job: undefined, facts: d.value } : { phase: 'connected', job: undefined, error: d.error })
  },
  rejectHostKey: () => set({ phase: 'idle', pending: undefined, error: { code: 'host-key-rejected', message: 'Not connected: you did not trust the host key.', fix: "Check the fingerprint on the gateway's console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and connect again." } }),
  cancel: async () => {
    const job = get().job
    set({ phase: 'idle', job: undefined, error: { code: 'cancelled', message: 'Cancelled.', fix: 'Connect again when ready.' } })
    if (job) await call('cancelJob', job)
  },
  disconnect: async () => {
    const p = useProfileStore.getState().current
    if (p) await call('disconnectGateway', p.id)
    set({ phase: 'idle', facts: undefined, hostKey: undefined })
  },
}))

/** An empty details draft, for a profile created from the Gateway step before any details exist. */
const EMPTY_DETAILS = {
  name: 'Gateway',
  provider: 'cloud.gov',
  gateway: { privateCidrs: [] },
  remote: { dedicatedCidrs: [], egressIps: [], tunnels: [{ outsideIp: '', insideCidr: '' }, { outsideIp: '', insideCidr: '' }] },
  crypto: { ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } },
  routing: 'auto',
} as const satisfies DetailsDraftDto
