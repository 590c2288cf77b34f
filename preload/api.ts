// THE contract between the Electron shell, the preload bridge and the renderer.
//
// Types and constants only: no runtime imports. The renderer imports this file with `import type`
// (plus the CHANNELS constant through the preload, never directly at runtime).

/** Either a value or a user-facing error; every IPC handler returns one, exceptions never cross IPC. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError }

/** An expected failure, in the words a user needs: what failed, the likely cause, the fix. */
export interface AppError {
  readonly code: string
  readonly message: string
  readonly cause?: string
  readonly fix?: string
}

/** The device kinds the app renders configs for (cli.md `--device KIND`). */
export type DeviceKind = 'strongswan' | 'strongswan-legacy' | 'libreswan' | 'openswan' | 'pfsense'

/** What the app is and what it supports, for the About box and the first screen. */
export interface AppInfo {
  readonly name: string
  readonly version: string
  readonly deviceKinds: readonly DeviceKind[]
  readonly detailsFormat: string
}

/** IPC channel names, `domain:verb-noun`; events are `domain:noun`. */
export const CHANNELS = {
  getAppInfo: 'app:get-info',
} as const

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS]

/** The bridge exposed on `window.tunnelwright`: one named function per channel. */
export interface TunnelwrightApi {
  /** Versions and supported device kinds. */
  getAppInfo(): Promise<Result<AppInfo>>
}
