// What a renderer produces: files for the gateway (absolute paths, modes) and, for pfSense, a PHP script.
import type { DeviceKind } from '../base/vocabulary'
import type { RenderInput } from '../details/resolve'

/** The device kinds a renderer exists for (every device kind). */
export type RenderKind = DeviceKind

/** Where config lives on the gateway: Debian/Ubuntu or RHEL/Fedora paths (research/linux-ipsec.md §1.2). */
export type FileLayout = 'debian' | 'rhel'

/** One file to put on the gateway. */
export interface RenderedFile {
  /** Absolute path on the gateway. */
  readonly path: string
  /** Unix mode; 0o600 for anything holding a secret, 0o700 for the secret-free scripts we run as root. */
  readonly mode: number
  readonly content: string
  /** True when content holds a PSK (never print it; write it 0600). */
  readonly secret: boolean
  /** What the file is for, one line. */
  readonly role: string
  /**
   * Builds network plumbing (route.sh: interfaces, addresses, routes) and takes `teardown`: when a revert or
   * rollback removes it, it is run with `teardown` first (the daemon's down events will no longer find it).
   */
  readonly plumbing?: boolean
  /**
   * Not a whole file: a section that goes between its marker lines into this file on the gateway (the admin's
   * own file, which apply merges it into). `path` is then where an offline render writes the section alone.
   */
  readonly sectionOf?: string
}

/** Everything rendered for one device. */
export interface RenderedConfig {
  readonly kind: RenderKind
  /** The device version the output was shaped for (the default when none was given). */
  readonly version: string
  readonly routing: RenderInput['routing']
  readonly files: readonly RenderedFile[]
  /** pfSense only: the PHP script fed on stdin to /usr/local/bin/php on the box (holds the PSKs). */
  readonly phpScript?: string
  /** Connection names as the daemon will know them, tunnel 1 then tunnel 2. */
  readonly connectionNames: readonly [string, string]
  /** Things the operator must know (e.g. Libreswan 5 needs ikev1-policy=accept and a pluto restart). */
  readonly notes: readonly string[]
}

/** Options of renderDevice. */
export interface RenderOptions {
  /** The device's version (e.g. "5.9.8", "4.10", "2.7.2"); a sensible current default when absent. */
  readonly version?: string
  readonly layout?: FileLayout
  /** Where templates/ is (see resolveTemplatesDir). */
  readonly templatesDir?: string
}
