import type { TunnelwrightApi } from '../../preload/api'

declare global {
  interface Window {
    /** The typed bridge from the preload; the renderer's only way to the app. */
    readonly tunnelwright: TunnelwrightApi
  }
}
