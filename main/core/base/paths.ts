import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * The app's folder, the one Electron's app.getPath('userData') gives the desktop app ("Tunnelwright"
 * under the platform's config folder); TUNNELWRIGHT_HOME overrides it (tests, portable use).
 */
export function toAppDataDir(env: Readonly<Record<string, string | undefined>> = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['TUNNELWRIGHT_HOME']) return env['TUNNELWRIGHT_HOME']
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Tunnelwright')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Tunnelwright')
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'Tunnelwright')
}

/** The data folder both faces share (profiles, secrets, known hosts, change records, activity log): `<app folder>/data`. */
export function toDataDir(env?: Readonly<Record<string, string | undefined>>): string {
  return join(toAppDataDir(env), 'data')
}

/** The known-hosts store folder in a data folder (OpenSSH format inside). */
export function toKnownHostsStoreDir(dataDir: string): string {
  return join(dataDir, 'ssh')
}

/**
 * Where the CLI kept accepted host keys before it shared the app's data folder (`<app folder>/ssh`):
 * still read, so a gateway trusted from the terminal stays trusted.
 */
export function toLegacyCliKnownHosts(env?: Readonly<Record<string, string | undefined>>): string {
  return join(toAppDataDir(env), 'ssh', 'known_hosts')
}
