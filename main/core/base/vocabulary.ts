// The words both faces and every part of the core share, declared once: device kinds, routing modes,
// the format tag, the tunnels' connection names, and how long a change may wait for its confirmation.
import { z } from 'zod'

/** The format tag every details file carries. */
export const DETAILS_FORMAT = 'tunnelwright/details@1'

/** The device kinds the renderers support (cli.md `--device KIND`), in the order the UI offers them. */
export const DeviceKind = z.enum(['strongswan', 'strongswan-legacy', 'libreswan', 'openswan', 'pfsense'])
/** One of the device kinds. */
export type DeviceKind = z.infer<typeof DeviceKind>

/** Every device kind, in the order the UI offers them. */
export const DEVICE_KINDS: readonly DeviceKind[] = DeviceKind.options

/**
 * Vendor devices the app renders a configuration for but never drives: the operator pastes it. Kept apart
 * from DeviceKind so the Linux/pfSense apply path (which takes a DeviceKind) cannot be reached with them.
 */
export const VendorKind = z.enum(['cisco-asa', 'cisco-ios', 'paloalto', 'fortigate', 'juniper-srx', 'windows-server'])
/** One of the render-only vendor kinds. */
export type VendorKind = z.infer<typeof VendorKind>

/** Every vendor kind, in the order the UI offers them. */
export const VENDOR_KINDS: readonly VendorKind[] = VendorKind.options

/** Everything `render --device` accepts: the kinds the app applies and the render-only vendor kinds. */
export const RenderKind = z.enum([...DeviceKind.options, ...VendorKind.options])
/** A device kind or a vendor kind. */
export type RenderKind = z.infer<typeof RenderKind>

/** True for a render-only vendor kind. */
export function isVendorKind(kind: string): kind is VendorKind {
  return (VendorKind.options as readonly string[]).includes(kind)
}

/** Route-based (XFRM interface / VTI) or policy-based IPsec. */
export type RoutingMode = 'route' | 'policy'

/**
 * The connection names of a VPN's two tunnels on the gateway (`<slug>-t1`, `<slug>-t2`): the renderers
 * write them, status and the checks look for them, and a tunnel keeps its name while it is down.
 */
export function toTunnelNames(slug: string): readonly [string, string] {
  return [toTunnelName(slug, 1), toTunnelName(slug, 2)]
}

/** The connection name of tunnel 1 or 2. */
export function toTunnelName(slug: string, index: 1 | 2): string {
  return `${slug}-t${index}`
}

/**
 * How long a change may run unconfirmed before the gateway puts the previous configuration back, in
 * seconds: what both faces accept from the user (--confirm-within, the IPC schema), for tunnel changes
 * and fixes alike. At least 30 s, so the tunnels have time
 * to come up (verification gets all but 10 s of it, up to 45 s); at most 15 minutes, so a gateway the app
 * lost touch with is never left for long on a configuration nobody confirmed.
 */
export const CONFIRM_WITHIN = { min: 30, max: 900, default: 120 } as const

/** How often a vendor device's status is polled by default, and the bounds both faces accept (seconds). */
export const VENDOR_POLL = { min: 5, max: 3600, default: 30 } as const

/** True for a whole number of seconds inside VENDOR_POLL. */
export function isVendorPollInterval(sec: number): boolean {
  return Number.isInteger(sec) && sec >= VENDOR_POLL.min && sec <= VENDOR_POLL.max
}

/** True when `sec` is a whole number of seconds inside CONFIRM_WITHIN. */
export function isConfirmWithin(sec: number): boolean {
  return Number.isInteger(sec) && sec >= CONFIRM_WITHIN.min && sec <= CONFIRM_WITHIN.max
}
