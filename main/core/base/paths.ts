import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * The app's data folder, the same one Electron's app.getPath('userData') gives the desktop app
 * ("Tunnelwright" under the platform's config folder), so the CLI and the app share one known-hosts store.
 */
export function toAppDataDir(env: Readonly<Record<string, string | undefined>> = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['TUNNELWRIGHT_HOME']) return env['TUNNELWRIGHT_HOME']
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Tunnelwright')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Tunnelwright')
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'Tunnelwright')
}

/** The app's own known-hosts store folder (OpenSSH format inside). */
export function toKnownHostsStoreDir(env?: Readonly<Record<string, string | undefined>>): string {
  return join(toAppDataDir(env), 'ssh')
}
