import type { AppInfo, DeviceKind } from '../../../preload/api'
import pkg from '../../../package.json'
import { DETAILS_FORMAT } from '../details/model'

/** Every device kind the renderers support, in the order the UI offers them. */
export const DEVICE_KINDS: readonly DeviceKind[] = ['strongswan', 'strongswan-legacy', 'libreswan', 'openswan', 'pfsense']

/** Name, version and capabilities of this build of the core. */
export function getAppInfo(): AppInfo {
  return { name: 'Tunnelwright', version: pkg.version, deviceKinds: DEVICE_KINDS, detailsFormat: DETAILS_FORMAT }
}
