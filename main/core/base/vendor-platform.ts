// What the app knows about the render-only vendor platforms before rendering: the version each is rendered
// for by default, version comparison, and the routing mode "auto" means on each (lint and the renderers
// both use it, so they cannot disagree).
import type { RoutingMode, VendorKind } from './vocabulary'

/** The version each vendor kind is rendered for when none is given (a current long-lived release). */
export const DEFAULT_VENDOR_VERSIONS: Readonly<Record<VendorKind, string>> = {
  'cisco-asa': '9.18',
  'cisco-ios': '17.9',
  paloalto: '10.2',
  fortigate: '7.2',
  'juniper-srx': '21.4',
  'windows-server': '2022',
}

/** The first number of a version ("9.18(2)" → [9, 18]); missing parts are 0. */
export function toVersionParts(version: string): [number, number] {
  const m = /(\d+)(?:\.(\d+))?/.exec(version)
  return [m ? Number(m[1]) : 0, m?.[2] ? Number(m[2]) : 0]
}

/** True when version ≥ major.minor. */
export function isAtLeast(version: string, major: number, minor = 0): boolean {
  const [a, b] = toVersionParts(version)
  return a > major || (a === major && b >= minor)
}

/** The routing mode to render for a vendor kind when the details say "auto". */
export function toVendorAutoRouting(kind: VendorKind, c: { readonly ikeVersion: 1 | 2 }, version?: string): RoutingMode {
  // Windows RRAS demand-dial (route-based) site-to-site speaks IKEv2 only; IKEv1 is the firewall's
  // connection security rules (policy-based), as AWS's Windows Server template does.
  if (kind === 'windows-server' && c.ikeVersion === 1) return 'policy'
  // The ASA has virtual tunnel interfaces from 9.7(1); before that only crypto maps.
  if (kind === 'cisco-asa' && version !== undefined && !isAtLeast(version, 9, 7)) return 'policy'
  return 'route'
}
