// Host-key verification: fingerprints as OpenSSH prints them, OpenSSH known_hosts files (plain, hashed,
// [host]:port, @revoked), the app's own known-hosts store, and the decision connect() enforces.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { BoundedReadError, readBoundedFileSync } from '../base/bounded-read'
import { writePrivateFile } from '../base/fs-atomic'
import { HostKeyError, SshError, type PresentedHostKey } from './errors'

/** A public host key as the server sent it (the SSH wire blob). */
export interface HostKey {
  /** ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, … (from the blob itself) */
  readonly type: string
  readonly blob: Buffer
  /** SHA256:base64-without-padding */
  readonly fingerprint: string
}

/** How connect() treats the gateway's host key. Required: there is no "accept anything". */
export interface HostKeyPolicy {
  /** Folder of the app's own known-hosts store (file `known_hosts` inside, OpenSSH format, mode 0600). */
  readonly storeDir: string
  /** OpenSSH known_hosts files to honour as well (e.g. ~/.ssh/known_hosts, --known-hosts FILE). */
  readonly knownHostsFiles?: readonly string[]
  /**
   * What the user accepted for a key nobody has recorded yet: that exact fingerprint (shown to them
   * before), or 'first-use' (--accept-new-host-key: trust on first use and report it). Never applies
   * to a changed or revoked key.
   */
  readonly accept?: { readonly fingerprint: string } | 'first-use'
}

/** What verification decided for a key that was let through. */
export interface HostKeyVerdict {
  readonly key: HostKey
  readonly hostId: string
  /** 'known': on record already; 'accepted': new, accepted by the user and now stored. */
  readonly status: 'known' | 'accepted'
}

/** The file of the app's own store inside storeDir. */
export const STORE_FILE = 'known_hosts'

/** `SHA256:…` of a public key blob, exactly as `ssh-keygen -l` prints it. */
export function toFingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')
}

/** Reads the key type (the first SSH string) out of a public key blob. */
export function parseKeyType(blob: Buffer): string {
  if (blob.length < 4) throw new Error('host key blob too short')
  const len = blob.readUInt32BE(0)
  if (len === 0 || len > 64 || 4 + len > blob.length) throw new Error('host key blob has no type')
  return blob.subarray(4, 4 + len).toString('latin1')
}

/** A HostKey from the server's blob. */
export function toHostKey(blob: Buffer): HostKey {
  return { type: parseKeyType(blob), blob, fingerprint: toFingerprint(blob) }
}

/** The name OpenSSH records a host under: `host` on port 22, `[host]:port` otherwise. */
export function toHostId(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

/** One meaningful line of a known_hosts file. */
export interface KnownHostsEntry {
  readonly marker: '@revoked' | '@cert-authority' | undefined
  /** The host field as written (comma-separated patterns, or one `|1|salt|hash`). */
  readonly hosts: string
  readonly keyType: string
  readonly blob: Buffer
  /** 1-based line number, for messages that say where to look. */
  readonly line: number
}

/** Parses an OpenSSH known_hosts file; malformed lines are skipped as OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim()
    if (raw === '' || raw.startsWith('#')) continue
    const fields = raw.split(/[ \t]+/)
    let marker: KnownHostsEntry['marker']
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift()
      if (m !== '@revoked' && m !== '@cert-authority') continue
      marker = m
    }
    const [hosts, keyType, b64] = fields
    if (hosts === undefined || keyType === undefined || b64 === undefined) continue
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue
    const blob = Buffer.from(b64, 'base64')
    try {
      if (parseKeyType(blob) !== keyType) continue
    } catch {
      continue
    }
    entries.push({ marker, hosts, keyType, blob, line: i + 1 })
  }
  return entries
}

/** OpenSSH wildcard match: `*` any run, `?` one character; case-insensitive like host names. */
function matchWildcard(pattern: string, name: string): boolean {
  const re = '^' + pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$'
  return new RegExp(re, 's').test(name.toLowerCase())
}

/**
 * True when a comma-separated pattern list matches name: some positive pattern matches and no
 * negated (`!pattern`) one does.
 */
export function matchPatternList(patterns: string, name: string): boolean {
  let positive = false
  for (const p of patterns.split(',')) {
    if (p === '') continue
    if (p.startsWith('!')) {
      if (matchWildcard(p.slice(1), name)) return false
    } else if (matchWildcard(p, name)) {
      positive = true
    }
  }
  return positive
}

/** True when a known_hosts host field (patterns or a hashed `|1|salt|hash`) names hostId. */
export function matchKnownHost(hosts: string, hostId: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|')
    if (salt === undefined || hash === undefined) return false
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(hostId).digest('base64')
    return mac === hash
  }
  return matchPatternList(hosts, hostId)
}

/** A `|1|salt|hash` host field for hostId (as `ssh-keygen -H` writes it). */
export function toHashedHost(hostId: string, salt: Buffer = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(hostId).digest('base64')}`
}

/** Where a key for a host is recorded. */
interface Recorded {
  readonly entry: KnownHostsEntry
  readonly file: string
}

/** What the records say about a presented key. */
export type KnownHostsLookup =
  | { readonly kind: 'revoked'; readonly at: Recorded }
  | { readonly kind: 'known'; readonly at: Recorded }
  | { readonly kind: 'changed'; readonly recorded: readonly Recorded[] }
  | { readonly kind: 'unknown' }

/** Looks a presented key up in known_hosts files (already read): revoked beats known beats changed. */
export function lookupHostKey(files: readonly { file: string; text: string }[], hostId: string, key: HostKey): KnownHostsLookup {
  const recorded: Recorded[] = []
  let known: Recorded | undefined
  for (const { file, text } of files) {
    for (const entry of parseKnownHosts(text)) {
      const sameKey = entry.blob.equals(key.blob)
      // @revoked lines apply to the key whatever host field they carry (OpenSSH uses `*` there).
      if (entry.marker === '@revoked') {
        if (sameKey) return { kind: 'revoked', at: { entry, file } }
        continue
      }
      if (entry.marker === '@cert-authority') continue // certificates are not supported; never a match
      if (!matchKnownHost(entry.hosts, hostId)) continue
      if (sameKey) known ??= { entry, file }
      else recorded.push({ entry, file })
    }
  }
  if (known !== undefined) return { kind: 'known', at: known }
  if (recorded.length > 0) return { kind: 'changed', recorded }
  return { kind: 'unknown' }
}

/** Key types recorded for hostId (to ask the server for those algorithms first, as OpenSSH does). */
export function recordedKeyTypes(files: readonly { file: string; text: string }[], hostId: string): string[] {
  const types = new Set<string>()
  for (const { text } of files) {
    for (const e of parseKnownHosts(text)) if (e.marker === undefined && matchKnownHost(e.hosts, hostId)) types.add(e.keyType)
  }
  return [...types]
}

/** Largest known_hosts file read (a big organisation's shared file is a few MB). */
export const MAX_KNOWN_HOSTS_BYTES = 16 * 1024 * 1024

// OpenSSH's own idiom for "record nothing" (UserKnownHostsFile /dev/null): an empty file, not a device to read.
const NULL_DEVICE = '/dev/null'

function readIfExists(file: string): string | undefined {
  if (file === NULL_DEVICE) return undefined
  try {
    // Regular files only: a FIFO or /dev/zero given as known_hosts must not hang or fill memory (this runs
    // inside ssh2's synchronous host-key callback).
    return readBoundedFileSync(file, { what: 'the known-hosts file', maxBytes: MAX_KNOWN_HOSTS_BYTES, code: 'ssh-connect-failed' }).bytes.toString('utf8')
  } catch (err) {
    if (err instanceof BoundedReadError && err.reason === 'missing') return undefined
    throw new SshError('ssh-connect-failed', err instanceof BoundedReadError ? err.message : `Cannot read the known-hosts file ${file}.`, {
      cause: err,
      likelyCause: err instanceof BoundedReadError && err.reason !== 'denied' ? 'The path names something other than an ordinary known_hosts file.' : 'The file is not readable by this user.',
      fix: 'Check the path and permissions of the known-hosts file.',
    })
  }
}

/** Reads the policy's files (OpenSSH ones first, then the app's store); missing files count as empty. */
export function readPolicyFiles(policy: HostKeyPolicy): { file: string; text: string }[] {
  const files = [...(policy.knownHostsFiles ?? []), join(policy.storeDir, STORE_FILE)]
  const out: { file: string; text: string }[] = []
  for (const file of files) {
    const text = readIfExists(file)
    if (text !== undefined) out.push({ file, text })
  }
  return out
}

/** Appends one key to the app's store atomically (temp file 0600, fsync, rename); the folder is made 0700. */
export function storeHostKey(storeDir: string, hostId: string, key: HostKey): void {
  mkdirSync(storeDir, { recursive: true, mode: 0o700 })
  const file = join(storeDir, STORE_FILE)
  const before = readIfExists(file) ?? ''
  const line = `${hostId} ${key.type} ${key.blob.toString('base64')}\n`
  const text = before === '' || before.endsWith('\n') ? before + line : `${before}\n${line}`
  writePrivateFile(file, text)
}

function describe(key: HostKey, hostId: string): PresentedHostKey {
  return { hostId, keyType: key.type, fingerprint: key.fingerprint }
}

/**
 * Decides on a presented key under a policy: returns the verdict (storing a newly accepted key) or
 * throws a HostKeyError. A changed or revoked key is refused whatever the user accepted.
 */
export function verifyHostKey(policy: HostKeyPolicy, hostId: string, key: HostKey): HostKeyVerdict {
  const files = readPolicyFiles(policy)
  const found = lookupHostKey(files, hostId, key)
  const presented = describe(key, hostId)
  switch (found.kind) {
    case 'known':
      return { key, hostId, status: 'known' }
    case 'revoked':
      throw new HostKeyError(
        'ssh-host-key-revoked',
        `The host key of ${hostId} (${key.type} ${key.fingerprint}) is marked @revoked in ${found.at.file} line ${found.at.entry.line}; refusing to connect.`,
        presented,
        [{ keyType: found.at.entry.keyType, fingerprint: key.fingerprint, file: found.at.file, line: found.at.entry.line }],
        {
          likelyCause: 'Whoever manages the known-hosts file revoked this key (it was compromised or retired).',
          fix: 'Ask the gateway administrator for the current host key; do not remove the @revoked line.',
        },
      )
    case 'changed': {
      const recorded = found.recorded.map((r) => ({
        keyType: r.entry.keyType,
        fingerprint: toFingerprint(r.entry.blob),
        file: r.file,
        line: r.entry.line,
      }))
      const was = recorded.map((r) => `${r.keyType} ${r.fingerprint} (${r.file} line ${r.line})`).join('; ')
      throw new HostKeyError(
        'ssh-host-key-changed',
        `The host key of ${hostId} has CHANGED. On record: ${was}. The gateway now presents: ${key.type} ${key.fingerprint}. Refusing to connect.`,
        presented,
        recorded,
        {
          likelyCause:
            'Either someone is intercepting the connection (man-in-the-middle), or the gateway was reinstalled or its SSH host keys were regenerated.',
          fix:
            `Verify the new fingerprint out of band: at the gateway's console run \`ssh-keygen -lf /etc/ssh/ssh_host_${key.type.replace(/^ssh-|-.*$/g, '')}_key.pub\` ` +
            `(pfSense: Diagnostics > Command Prompt) and compare with ${key.fingerprint}. Only if it matches, remove the old entry with ` +
            `\`ssh-keygen -R '${hostId}' -f ${recorded[0]?.file ?? '<file>'}\` and connect again.`,
        },
      )
    }
    case 'unknown': {
      const accept = policy.accept
      const accepted = accept === 'first-use' || (accept !== undefined && accept.fingerprint === key.fingerprint)
      if (!accepted) {
        throw new HostKeyError(
          'ssh-host-key-unknown',
          `The host key of ${hostId} is not known: ${key.type} ${key.fingerprint}. Refusing to connect until you accept it.`,
          presented,
          [],
          {
            likelyCause: 'This is the first connection to this gateway from this computer (or from this known-hosts store).',
            fix:
              `Check the fingerprint at the gateway's console (\`ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub\`; pfSense shows it on the console and in Diagnostics > Command Prompt), ` +
              `then accept ${key.fingerprint} (CLI: --accept-new-host-key).`,
          },
        )
      }
      storeHostKey(policy.storeDir, hostId, key)
      return { key, hostId, status: 'accepted' }
    }
  }
}
