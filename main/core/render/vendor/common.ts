// What every vendor renderer shares: the shape of its input and output, the device-side names (WAN/LAN)
// with their per-vendor defaults, the crypto choices spelled per vendor, and AWS's MTU/MSS numbers.
import type { RoutingMode, VendorKind } from '../../base/vocabulary'
import { UserError } from '../../base/result'
import type { Crypto } from '../../details/model'
import type { RenderInput } from '../../details/resolve'
import type { RenderedFile } from '../types'
import { toNameHash } from '../../details/slug'
import { escapeVendorName } from './escape'
import { DEFAULT_VENDOR_VERSIONS, isAtLeast, toVendorAutoRouting, toVersionParts } from '../../base/vendor-platform'

export { DEFAULT_VENDOR_VERSIONS, isAtLeast, toVendorAutoRouting, toVersionParts }

/** The device's own interface or zone names the configuration refers to (none of it is in the details). */
export interface VendorSite {
  /** The internet-facing side: ASA nameif, IOS interface, PAN-OS interface, FortiOS interface, Junos interface unit. */
  readonly wan: string
  /** The LAN side: ASA nameif, IOS interface, PAN-OS zone, FortiOS interface, Junos zone. */
  readonly lan: string
}

/** Options of a vendor render. */
export interface VendorRenderOptions {
  /** The platform's version (ASA 9.16, IOS-XE 17.9, PAN-OS 10.2, FortiOS 7.2, Junos 21.4, Windows Server 2022). */
  readonly version?: string
  readonly templatesDir?: string
  /** Interface/zone names; each defaults to what AWS's template for the platform uses. */
  readonly wan?: string
  readonly lan?: string
}

/** A vendor configuration: text for the operator to paste or run, with the steps in order. */
export interface VendorRenderedConfig {
  readonly kind: VendorKind
  readonly version: string
  readonly routing: RoutingMode
  /** The configuration file(s); each holds the PSKs (0600 when written). Paths are relative names under --out. */
  readonly files: readonly RenderedFile[]
  /** What the platform will call the two tunnels (interface or tunnel names), tunnel 1 then tunnel 2. */
  readonly connectionNames: readonly [string, string]
  /** What to do, in order (back up, paste, verify, keep alive). */
  readonly steps: readonly string[]
  /** What the operator must know (platform limits, deviations from AWS's template and why). */
  readonly notes: readonly string[]
}

/** What a vendor renderer receives. */
export interface VendorContext {
  readonly input: RenderInput
  readonly kind: VendorKind
  readonly version: string
  readonly templatesDir: string
  readonly site: VendorSite
  /** True when the gateway sits behind NAT (details gateway.localAddress differs from publicIp). */
  readonly behindNat: boolean
}

/** Default WAN/LAN names: AWS's template for each platform (outside_interface, ethernet1/1, wan1, ge-0/0/0.0). */
export const DEFAULT_SITES: Readonly<Record<VendorKind, VendorSite>> = {
  'cisco-asa': { wan: 'outside', lan: 'inside' },
  'cisco-ios': { wan: 'GigabitEthernet0/0/0', lan: 'GigabitEthernet0/0/1' },
  paloalto: { wan: 'ethernet1/1', lan: 'trust' },
  fortigate: { wan: 'wan1', lan: 'internal' },
  'juniper-srx': { wan: 'ge-0/0/0.0', lan: 'trust' },
  // The Windows script names no interface (rules match addresses); these are never written.
  'windows-server': { wan: 'Ethernet', lan: 'Ethernet2' },
}

/**
 * TCP MSS for traffic into the tunnels: AWS's templates use 1387 without NAT-T (IOS, Junos, FortiOS) and
 * 1379 with it (ASA, the XML's tcp_mss), both under AWS's limits for AES-CBC/SHA-2 (1398 / 1382, your-cgw.md).
 */
export function toMss(behindNat: boolean): number {
  return behindNat ? 1379 : 1387
}

/** Tunnel interface MTU from AWS's generic template (1436; AWS has no path-MTU discovery). */
export const TUNNEL_MTU = 1436

/** Refuses a crypto choice the platform cannot express (lint says the same earlier, with its fix). */
export function refuse(kind: VendorKind, code: string, message: string, fix: string): never {
  throw new UserError(code, `${kind}: ${message}`, { fix })
}

/** True for the AES-GCM choices (no separate integrity algorithm in ESP). */
export function isGcm(c: Crypto): boolean {
  return c.encryption.endsWith('gcm16')
}

/** The per-vendor names of one crypto choice; undefined where the platform has none. */
export type VendorSpelling<K extends string> = Readonly<Partial<Record<K, string>>>

/** Looks a choice up in a vendor's table or refuses the render with the platform's name for the limit. */
export function spell<K extends string>(kind: VendorKind, table: VendorSpelling<K>, key: K, what: string): string {
  const v = table[key]
  if (v === undefined) refuse(kind, 'vendor-crypto-unsupported', `${what} ${key} cannot be configured on this platform.`, 'Use aes256, sha256 and DH group 14, which cloud.gov requires and every supported platform has.')
  return v
}

/** The file a vendor configuration is written to under --out. */
export function toVendorFile(kind: VendorKind, slug: string, ext: string, content: string, role: string): RenderedFile {
  return { path: `/${kind}/tunnelwright-${slug}.${ext}`, mode: 0o600, content, secret: true, role }
}

/**
 * An object name from the slug and a suffix, at most `max` characters (31: PAN-OS object names; 15: FortiOS
 * interface names): a slug that does not fit is cut and given 4 characters of its hash, so two VPNs on one
 * device keep distinct names.
 */
export function toVendorName(slug: string, suffix: string, max = 31): string {
  const whole = `${slug}${suffix}`
  if (whole.length <= max) return escapeVendorName(whole)
  const room = max - suffix.length - 5
  const cut = slug.slice(0, Math.max(1, room)).replace(/-+$/, '')
  return escapeVendorName(`${cut}-${toNameHash(slug).slice(0, 4)}${suffix}`)
}
