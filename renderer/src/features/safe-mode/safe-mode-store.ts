import { create } from 'zustand'
import { persist } from 'zustand/middleware'

interface SafeModeState {
  /** Screen-share safe mode: secrets and secret-like values are masked everywhere. */
  readonly on: boolean
  /** Also mask public IP addresses (by choice: support often needs to see them). */
  readonly maskPublicIps: boolean
  readonly setOn: (on: boolean) => void
  readonly setMaskPublicIps: (on: boolean) => void
}

/** Screen-share safe mode, remembered across sessions (a preference, not gateway state). */
export const useSafeMode = create<SafeModeState>()(
  persist(
    (set) => ({
      on: false,
      maskPublicIps: true,
      setOn: (on) => set({ on }),
      setMaskPublicIps: (maskPublicIps) => set({ maskPublicIps }),
    }),
    { name: 'tunnelwright.safe-mode' },
  ),
)

/** The mask shown in place of a hidden value. */
export const MASK = '•••••'

/** True when public IPs must be hidden right now. */
export function useIpMasked(): boolean {
  return useSafeMode((s) => s.on && s.maskPublicIps)
}

/** Replaces every IPv4 address in `text` with a mask (for previews of tickets, diagnostics, diffs). */
export function maskIps(text: string): string {
  return text.replace(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '•.•.•.•')
}
