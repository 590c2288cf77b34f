import { create } from 'zustand'
import type { AppError, ConnectionDto, DetailsDraftDto, ImportId, Profile, ProfileId, ProfileSummary, SecretSlot } from '../../../../preload/api'
import { call } from '../../bridge/bridge'
import { toRequestDraft, toRequestRecord } from '../request/request-model'
import { useRequestStore } from '../request/request-store'

/** The connection a new profile starts with, before the Gateway step fills it in. */
export const EMPTY_CONNECTION: ConnectionDto = { host: '', port: 22, username: 'root', auth: 'key', useSudo: false }

interface ProfileState {
  /** The profile being worked on, as main last returned it (main is the source of truth). */
  readonly current: Profile | undefined
  readonly list: readonly ProfileSummary[]
  readonly error: AppError | undefined
  readonly refreshList: () => Promise<void>
  readonly open: (id: ProfileId) => Promise<void>
  /** Creates or updates the current profile; answers the saved profile or undefined (error set). */
  readonly save: (patch: { readonly name?: string; readonly details?: DetailsDraftDto; readonly connection?: ConnectionDto; readonly adoptImport?: ImportId }, fallback: { readonly details: DetailsDraftDto; readonly name: string }) => Promise<Profile | undefined>
  /** Sends one secret to main once; the store then knows only that it is set. */
  readonly setSecret: (slot: SecretSlot, value: string) => Promise<boolean>
  readonly clearSecret: (slot: SecretSlot) => Promise<void>
}

/** Saved gateway profiles; secrets appear only as hasSecret flags. */
export const useProfileStore = create<ProfileState>()((set, get) => ({
  current: undefined,
  list: [],
  error: undefined,
  refreshList: async () => {
    const r = await call('listProfiles')
    set(r.ok ? { list: r.value } : { error: r.error })
  },
  open: async (id) => {
    const r = await call('getProfile', id)
    if (!r.ok) {
      set({ error: r.error })
      return
    }
    set({ current: r.value, error: undefined })
    // The request travels with its profile: the Details step compares what came back against it.
    useRequestStore.getState().load(toRequestDraft(r.value.request))
  },
  save: async (patch, fallback) => {
    const cur = get().current
    const details = patch.details ?? cur?.details ?? fallback.details
    const request = toRequestRecord(useRequestStore.getState().draft)
    const r = await call('saveProfile', {
      ...(cur ? { id: cur.id } : {}),
      name: patch.name ?? cur?.name ?? fallback.name,
      details,
      // Until the Gateway step says otherwise, the gateway is reached at its public IP.
      connection: patch.connection ?? cur?.connection ?? { ...EMPTY_CONNECTION, host: details.gateway.publicIp ?? '' },
      ...(request ? { request } : {}),
      ...(patch.adoptImport ? { adoptImport: patch.adoptImport } : {}),
    })
    if (!r.ok) {
      set({ error: r.error })
      return undefined
    }
    set({ current: r.value, error: undefined })
    void get().refreshList()
    return r.value
  },
  setSecret: async (slot, value) => {
    const cur = get().current
    if (!cur) return false
    const r = await call('setSecret', { profileId: cur.id, slot, value })
    if (!r.ok) {
      set({ error: r.error })
      return false
    }
    set({ current: { ...cur, hasSecret: { ...cur.hasSecret, [slot]: true } }, error: undefined })
    return true
  },
  clearSecret: async (slot) => {
    const cur = get().current
    if (!cur) return
    const r = await call('clearSecret', { profileId: cur.id, slot })
    if (r.ok) set({ current: { ...cur, hasSecret: { ...cur.hasSecret, [slot]: false } } })
    else set({ error: r.error })
  },
}))
