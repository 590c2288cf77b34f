import { create } from 'zustand'
import type { AppError, AppInfo } from '../../preload/api'

interface AppState {
  readonly info: AppInfo | undefined
  readonly error: AppError | undefined
  readonly load: () => Promise<void>
}

/** What the app is (version, supported devices), fetched once from main. */
export const useAppStore = create<AppState>()((set) => ({
  info: undefined,
  error: undefined,
  load: async () => {
    const r = await window.tunnelwright.getAppInfo()
    set(r.ok ? { info: r.value, error: undefined } : { error: r.error })
  },
}))
