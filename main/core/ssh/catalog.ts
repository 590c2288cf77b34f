// The one catalog of commands sent to a gateway: each a fixed argv with typed parameters. Nothing else in
// the app builds a remote command line; the session quotes every word with quoteSh.

/** A command the session can run: a fixed argv (quoted word by word) and whether it needs root. */
export interface RemoteCommand {
  /** Catalog name, for logs, errors and benchmarks (never contains a parameter value). */
  readonly id: string
  readonly argv: readonly [string, ...string[]]
  /** Needs root: on a non-root login the session runs it through sudo. */
  readonly root: boolean
}

/** A single-word program that reads a script on stdin (pfSense 2.4 runs only the first word of an exec). */
export interface ScriptInterpreter {
  readonly id: string
  /** One word: no spaces, no quoting needed. */
  readonly program: string
  readonly root: boolean
}

/** An absolute remote path: starts with /, no NUL, no newline. */
export type RemotePath = string & { readonly __brand: 'RemotePath' }

/** Validates a remote path (absolute, no NUL or newline, no `..` segment). */
export function toRemotePath(path: string): RemotePath {
  if (!path.startsWith('/') || /[\0\n\r]/.test(path) || path.split('/').includes('..')) {
    throw new Error(`not a safe absolute remote path: ${JSON.stringify(path)}`)
  }
  return path as RemotePath
}

function cmd(id: string, root: boolean, ...argv: [string, ...string[]]): RemoteCommand {
  return { id, root, argv }
}

/** POSIX sh reading a script on stdin. */
export const SH: ScriptInterpreter = { id: 'sh', program: 'sh', root: false }
/** POSIX sh as root (through sudo on non-root logins). */
export const ROOT_SH: ScriptInterpreter = { id: 'root-sh', program: 'sh', root: true }
/** pfSense's PHP CLI reading a script on stdin (config changes go through write_config()). */
export const PFSENSE_PHP: ScriptInterpreter = { id: 'pfsense-php', program: '/usr/local/bin/php', root: true }

/** The catalog. */
export const catalog = {
  /** Prints text back byte for byte (`printf %s`): liveness probe and quoting check. */
  echo: (text: string) => cmd('echo', false, 'printf', '%s', text),
  /** The login's numeric user id (0 = root). */
  userId: () => cmd('user-id', false, 'id', '-u'),
  /** Kernel name, release and machine. */
  uname: () => cmd('uname', false, 'uname', '-srm'),
  /** /etc/os-release (Linux distributions). */
  osRelease: () => cmd('os-release', false, 'cat', '/etc/os-release'),
  /** pfSense version file. */
  pfsenseVersion: () => cmd('pfsense-version', false, 'cat', '/etc/version'),
  /** A file's content. */
  readFile: (path: RemotePath, root = true) => cmd('read-file', root, 'cat', '--', path),
  /** Exit 0 when the path exists. */
  pathExists: (path: RemotePath) => cmd('path-exists', true, 'test', '-e', path),
  /** Lists a folder (names only, one per line). */
  listDir: (path: RemotePath) => cmd('list-dir', true, 'ls', '-1A', '--', path),
  /** Creates a folder with parents. */
  makeDir: (path: RemotePath) => cmd('make-dir', true, 'mkdir', '-p', '--', path),
  /** Copies a file keeping mode and times (backups before a change). */
  copyFile: (from: RemotePath, to: RemotePath) => cmd('copy-file', true, 'cp', '-p', '--', from, to),
  /** Renames a file over another (atomic on one file system). */
  moveFile: (from: RemotePath, to: RemotePath) => cmd('move-file', true, 'mv', '-f', '--', from, to),
  /** Removes a file. */
  removeFile: (path: RemotePath) => cmd('remove-file', true, 'rm', '-f', '--', path),
  /** strongSwan (swanctl) SAs. */
  swanctlListSas: () => cmd('swanctl-list-sas', true, 'swanctl', '--list-sas'),
  /** strongSwan (swanctl) loaded connections. */
  swanctlListConns: () => cmd('swanctl-list-conns', true, 'swanctl', '--list-conns'),
  /** strongSwan (swanctl) reload of connections, secrets and pools. */
  swanctlLoadAll: () => cmd('swanctl-load-all', true, 'swanctl', '--load-all'),
  /** strongSwan legacy / Libreswan status. */
  ipsecStatusAll: () => cmd('ipsec-statusall', true, 'ipsec', 'statusall'),
  /** Libreswan / strongSwan legacy: re-read configuration. */
  ipsecReread: () => cmd('ipsec-rereadall', true, 'ipsec', 'rereadall'),
} as const
