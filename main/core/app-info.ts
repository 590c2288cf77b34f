import type { AppInfo, DeviceKind } from '../../preload/api'
import pkg from '../../package.json'

/** Every device kind the renderers support, in the order the UI offers them. */
export const DEVICE_KINDS: readonly DeviceKind[] = ['strongswan', 'strongswan-legacy', 'libreswan', 'openswan', 'pfsense']

/** The public details-file format this build reads and writes. */
export const DETAILS_FORMAT = 'tunnelwright/details@1'

/** Name, version and capabilities of this build of the core. */
export function getAppInfo(): AppInfo {
  return { name: 'Tunnelwright', version: pkg.version, deviceKinds: DEVICE_KINDS, detailsFormat: DETAILS_FORMAT }
}
