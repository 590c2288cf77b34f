import pkg from '../../../package.json'
import { DETAILS_FORMAT, DEVICE_KINDS, VENDOR_KINDS, VENDOR_POLL, type DeviceKind, type VendorKind } from './vocabulary'

/** What the app is and what it supports, for the About box, the first screen and `--version`. */
export interface AppInfo {
  readonly name: string
  readonly version: string
  /** The gateways the app configures and applies to over SSH. */
  readonly deviceKinds: readonly DeviceKind[]
  /** The vendor devices it renders a configuration for and reads the status of, read-only, over SSH. */
  readonly vendorKinds: readonly VendorKind[]
  /** How often a vendor device may be polled, in seconds (the bounds both faces accept) and by default. */
  readonly vendorPoll: { readonly min: number; readonly max: number; readonly default: number }
  readonly detailsFormat: string
}

/** Name, version and capabilities of this build of the core. */
export function getAppInfo(): AppInfo {
  return { name: 'Tunnelwright', version: pkg.version, deviceKinds: DEVICE_KINDS, vendorKinds: VENDOR_KINDS, vendorPoll: VENDOR_POLL, detailsFormat: DETAILS_FORMAT }
}
