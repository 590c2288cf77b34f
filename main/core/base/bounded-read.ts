// The one bounded reader for every file the app or the CLI reads (details, PSK files, known_hosts, AWS
// exports, private keys, profile exports): regular files only, a size cap per caller, a time limit.
//
// Why not readFileSync after a stat: stat says size 0 for FIFOs and devices, so a FIFO hangs the open or
// the read forever, /dev/zero grows a buffer until the process aborts, /dev/urandom never ends. Here the
// file is opened non-blocking (a FIFO without a writer cannot hang the open), fstat-ed on the open
// descriptor (no race with a swap between stat and open), and anything but a regular file is refused
// before a byte is read. The descriptor stays non-blocking: the few "regular" files that could block
// (/proc/kmsg) answer EAGAIN instead. Files that lie about their size (procfs says 0) are read in chunks
// and cut off at the cap.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs'
import { open as openAsync, type FileHandle } from 'node:fs/promises'
import { UserError } from './result'

/** What a caller says about the file it reads. */
export interface BoundedReadOptions {
  /** What the file is, for messages: "the details file", "tunnel 1's PSK file", "the known-hosts file". */
  readonly what: string
  /** Largest size accepted, in bytes. */
  readonly maxBytes: number
  /** Give up after this long (default 10 s): a hung network file system must not hang the app. */
  readonly timeoutMs?: number
  /** The code of the UserError thrown on any failure (default 'file-unreadable'); `reason` says which. */
  readonly code?: string
}

/** Why a bounded read failed. */
export type BoundedReadReason = 'missing' | 'denied' | 'not-regular' | 'too-large' | 'timeout' | 'not-utf8' | 'io'

/** A bounded read failed; the message names the file and why, and never quotes its content. */
export class BoundedReadError extends UserError {
  readonly reason: BoundedReadReason
  readonly path: string
  /** The reason in words, e.g. "it is a FIFO (named pipe), not a regular file" (for callers' own messages). */
  readonly why: string

  constructor(code: string, reason: BoundedReadReason, path: string, why: string, what: string, opts: { cause?: unknown; likelyCause?: string; fix?: string } = {}) {
    super(code, `Cannot read ${what} ${toShownPath(path)}: ${why}.`, opts)
    this.name = 'BoundedReadError'
    this.reason = reason
    this.path = path
    this.why = why
  }
}

/** A file read by the bounded reader: its bytes and its permission bits (from the same descriptor). */
export interface BoundedFile {
  readonly bytes: Buffer
  /** st_mode & 0o7777 of the opened file (0 on Windows, where it means nothing). */
  readonly mode: number
}

const DEFAULT_TIMEOUT_MS = 10_000
const CHUNK = 64 * 1024
// O_NONBLOCK: opening a FIFO does not wait for a writer. O_NOCTTY: a terminal never becomes ours.
// (Both are undefined on Windows, where neither applies.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0)

/** A path as shown in a message: as is, or JSON-quoted when it holds control characters (no terminal escapes). */
export function toShownPath(path: string): string {
  return /[\p{Cc}\p{Cf}\u2028\u2029]/u.test(path) || path.trim() !== path || path === '' ? JSON.stringify(path) : path
}

function kindOf(st: Stats): string | undefined {
  if (st.isFile()) return undefined
  if (st.isFIFO()) return 'a FIFO (named pipe)'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isDirectory()) return 'a directory'
  if (st.isSocket()) return 'a socket'
  return 'not a regular file'
}

function sizeText(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB` : n >= 1024 ? `${Math.round(n / 1024)} kB` : `${n} bytes`
}

function fail(path: string, opts: BoundedReadOptions, reason: BoundedReadReason, why: string, extra: { cause?: unknown; fix?: string } = {}): BoundedReadError {
  const fix =
    extra.fix ??
    (reason === 'missing' || reason === 'denied' ? 'Check the path and that this user may read the file.' : reason === 'not-regular' ? 'Give the path of an ordinary file (save the content to a file first).' : reason === 'too-large' ? 'Check that this is the right file.' : 'Check the file and try again.')
  return new BoundedReadError(opts.code ?? 'file-unreadable', reason, path, why, opts.what, { ...(extra.cause === undefined ? {} : { cause: extra.cause }), fix })
}

function toOpenError(err: unknown, path: string, opts: BoundedReadOptions): BoundedReadError {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return fail(path, opts, 'missing', 'it does not exist', { cause: err })
  if (code === 'EACCES' || code === 'EPERM') return fail(path, opts, 'denied', 'permission denied', { cause: err })
  // A Unix socket cannot be opened (ENXIO); O_RDONLY on a directory fails this way on some systems.
  if (code === 'ENXIO' || code === 'EISDIR' || code === 'EOPNOTSUPP') return fail(path, opts, 'not-regular', 'it is not a regular file', { cause: err })
  if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return fail(path, opts, 'not-regular', 'reading it would wait for data (it is not a plain file)', { cause: err })
  if (code === 'ELOOP') return fail(path, opts, 'io', 'it is a loop of symbolic links', { cause: err })
  return fail(path, opts, 'io', `the system refused (${code ?? 'error'})`, { cause: err })
}

function checkStat(st: Stats, path: string, opts: BoundedReadOptions): void {
  const kind = kindOf(st)
  if (kind !== undefined) throw fail(path, opts, 'not-regular', `it is ${kind}, not a regular file`)
  if (st.size > opts.maxBytes) throw fail(path, opts, 'too-large', `it is ${sizeText(st.size)}, more than the ${sizeText(opts.maxBytes)} accepted`)
}

function modeOf(st: Stats): number {
  return process.platform === 'win32' ? 0 : st.mode & 0o7777
}

/**
 * Reads a regular file of at most `maxBytes` (synchronously: for call sites that cannot await, such as
 * ssh2's host-key callback). Refuses FIFOs, devices, directories and sockets before reading a byte.
 *
 * The time limit is checked between chunks: a single read stuck in a dead network file system cannot be
 * interrupted synchronously — call sites that can await should use readBoundedFile.
 */
export function readBoundedFileSync(path: string, opts: BoundedReadOptions): BoundedFile {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  let fd: number
  try {
    fd = openSync(path, OPEN_FLAGS)
  } catch (err) {
    throw toOpenError(err, path, opts)
  }
  try {
    const st = fstatSync(fd)
    checkStat(st, path, opts)
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, opts.maxBytes + 1 - total))
      let n: number
      try {
        n = readSync(fd, buf, 0, buf.length, null)
      } catch (err) {
        throw toOpenError(err, path, opts)
      }
      if (n === 0) break
      chunks.push(buf.subarray(0, n))
      total += n
      if (total > opts.maxBytes) throw fail(path, opts, 'too-large', `it holds more than the ${sizeText(opts.maxBytes)} accepted`)
      if (Date.now() > deadline) throw fail(path, opts, 'timeout', `reading it took longer than ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`)
    }
    return { bytes: Buffer.concat(chunks, total), mode: modeOf(st) }
  } finally {
    closeSync(fd)
  }
}

/**
 * Reads a regular file of at most `maxBytes`, giving up after `timeoutMs` (the returned promise rejects
 * then, even if the system call is still stuck; the descriptor is closed once it returns). Refuses FIFOs,
 * devices, directories and sockets before reading a byte.
 */
export async function readBoundedFile(path: string, opts: BoundedReadOptions): Promise<BoundedFile> {
  const limit = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let timer: NodeJS.Timeout | undefined
  let handle: FileHandle | undefined
  let timedOut = false
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true
      reject(fail(path, opts, 'timeout', `reading it took longer than ${Math.round(limit / 1000)} s`))
    }, limit)
  })
  const work = (async (): Promise<BoundedFile> => {
    try {
      handle = await openAsync(path, OPEN_FLAGS)
    } catch (err) {
      throw toOpenError(err, path, opts)
    }
    if (timedOut) throw fail(path, opts, 'timeout', 'it did not open in time')
    const st = await handle.stat()
    checkStat(st, path, opts)
    const chunks: Buffer[] = []
    let total = 0
    while (!timedOut) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, opts.maxBytes + 1 - total))
      let n: number
      try {
        n = (await handle.read(buf, 0, buf.length, null)).bytesRead
      } catch (err) {
        throw toOpenError(err, path, opts)
      }
      if (n === 0) break
      chunks.push(buf.subarray(0, n))
      total += n
      if (total > opts.maxBytes) throw fail(path, opts, 'too-large', `it holds more than the ${sizeText(opts.maxBytes)} accepted`)
    }
    return { bytes: Buffer.concat(chunks, total), mode: modeOf(st) }
  })()
  try {
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
    // After a timeout the work may still be inside a system call: close when it comes back.
    void work.catch(() => undefined).finally(() => handle?.close().catch(() => undefined))
  }
}

/** The offset of the first byte that is not valid UTF-8 (overlong forms and surrogates included), or undefined. */
export function findInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0
  const n = bytes.length
  while (i < n) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80]
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800]
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000]
    else return i
    let cp = b & (0xff >> (need + 2))
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined || (c & 0xc0) !== 0x80) return i
      cp = (cp << 6) | (c & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i
    i += need + 1
  }
  return undefined
}

const UTF8_FIX = 'Save the file as UTF-8 (editors: "Save with encoding → UTF-8"); a binary or Latin-1 file is not a text file the app can read.'

function utf8Why(bytes: Uint8Array, at: number): string {
  return `it is not valid UTF-8 text: byte ${at} (0x${bytes[at]!.toString(16).padStart(2, '0')}) starts no valid character`
}

/** Decodes strict UTF-8; invalid bytes are a UserError naming the byte offset (never silently replaced). */
export function toUtf8Text(bytes: Uint8Array, source: string, code = 'text-not-utf8'): string {
  const bad = findInvalidUtf8(bytes)
  if (bad !== undefined) throw new UserError(code, `${source} is not usable: ${utf8Why(bytes, bad)}.`, { fix: UTF8_FIX })
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
}

function toText(file: BoundedFile, path: string, opts: BoundedReadOptions): string {
  const bad = findInvalidUtf8(file.bytes)
  if (bad !== undefined) throw fail(path, opts, 'not-utf8', utf8Why(file.bytes, bad), { fix: UTF8_FIX })
  return file.bytes.toString('utf8')
}

/** readBoundedFileSync, then strict UTF-8: invalid bytes fail with reason 'not-utf8' and the byte offset. */
export function readBoundedTextSync(path: string, opts: BoundedReadOptions): string {
  return toText(readBoundedFileSync(path, opts), path, opts)
}

/** readBoundedFile, then strict UTF-8: invalid bytes fail with reason 'not-utf8' and the byte offset. */
export async function readBoundedText(path: string, opts: BoundedReadOptions): Promise<string> {
  return toText(await readBoundedFile(path, opts), path, opts)
}
