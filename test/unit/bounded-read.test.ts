// The one bounded reader (main/core/base/bounded-read.ts) on real special files of this machine: FIFOs,
// character devices, a directory, a Unix socket, procfs files that report size 0, and strict UTF-8.
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { BoundedReadError, findInvalidUtf8, readBoundedFile, readBoundedFileSync, readBoundedText, readBoundedTextSync, toShownPath, toUtf8Text, type BoundedReadReason } from '../../main/core/base/bounded-read'
import { UserError } from '../../main/core/base/result'

const linux = process.platform === 'linux'
const tmp = mkdtempSync(join(tmpdir(), 'tw-bounded-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
const opts = { what: 'the test file', maxBytes: 1024, code: 'test-unreadable' }

function syncFailure(path: string, o = opts): BoundedReadError {
  try {
    readBoundedFileSync(path, o)
  } catch (err) {
    expect(err).toBeInstanceOf(BoundedReadError)
    return err as BoundedReadError
  }
  throw new Error(`expected ${path} to be refused`)
}

async function asyncFailure(path: string, o = opts): Promise<BoundedReadError> {
  try {
    await readBoundedFile(path, o)
  } catch (err) {
    expect(err).toBeInstanceOf(BoundedReadError)
    return err as BoundedReadError
  }
  throw new Error(`expected ${path} to be refused`)
}

async function expectBoth(path: string, reason: BoundedReadReason, message: RegExp): Promise<void> {
  for (const err of [syncFailure(path), await asyncFailure(path)]) {
    expect(err.reason).toBe(reason)
    expect(err.code).toBe('test-unreadable')
    expect(err.message).toMatch(message)
    expect(err.message).toContain('the test file')
    expect(err.fix).toBeTruthy()
  }
}

describe('readBoundedFile / readBoundedFileSync', () => {
  it('reads a regular file with its mode', async () => {
    const f = join(tmp, 'plain.txt')
    writeFileSync(f, 'hello\n')
    chmodSync(f, 0o640)
    for (const r of [readBoundedFileSync(f, opts), await readBoundedFile(f, opts)]) {
      expect(r.bytes.toString()).toBe('hello\n')
      if (linux) expect(r.mode).toBe(0o640)
    }
    expect(readBoundedTextSync(f, opts)).toBe('hello\n')
    expect(await readBoundedText(f, opts)).toBe('hello\n')
  })

  it('a missing file and a directory are refused with their reason', async () => {
    await expectBoth(join(tmp, 'nope'), 'missing', /does not exist/)
    await expectBoth(tmp, 'not-regular', /directory/)
  })

  it('a file larger than the cap is refused before it is read', async () => {
    const f = join(tmp, 'big.bin')
    writeFileSync(f, Buffer.alloc(4096, 0x61))
    await expectBoth(f, 'too-large', /4 kB, more than the 1 kB accepted/)
  })

  it.skipIf(!linux)('character devices are refused before a byte is read (/dev/null, /dev/zero, /dev/urandom)', async () => {
    for (const dev of ['/dev/null', '/dev/zero', '/dev/urandom']) await expectBoth(dev, 'not-regular', /character device, not a regular file/)
  })

  it.skipIf(!linux)('a FIFO with no writer is refused at once (the open does not wait for a writer)', async () => {
    const fifo = join(tmp, 'fifo')
    execFileSync('mkfifo', [fifo])
    await expectBoth(fifo, 'not-regular', /FIFO \(named pipe\)/)
  })

  it.skipIf(!linux)('a Unix socket is refused', async () => {
    const sock = join(tmp, 'sock')
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(sock, resolve))
    try {
      await expectBoth(sock, 'not-regular', /not a regular file|socket/)
    } finally {
      server.close()
    }
  })

  it.skipIf(!linux)('procfs files that report size 0 are read in full, and cut off at the cap', async () => {
    const big = { ...opts, maxBytes: 1024 * 1024 }
    expect(readBoundedTextSync('/proc/self/status', big)).toMatch(/^Name:/)
    expect(await readBoundedText('/proc/self/status', big)).toMatch(/^Name:/)
    const small = { ...opts, maxBytes: 16 }
    expect(syncFailure('/proc/self/status', small).reason).toBe('too-large')
    expect((await asyncFailure('/proc/self/status', small)).reason).toBe('too-large')
  })

  it('a path with control characters is shown JSON-quoted (no terminal escapes in messages)', async () => {
    const evil = join(tmp, 'a\nFAKE finding\u001b[31m')
    const err = syncFailure(evil)
    expect(err.message.includes('\n') || err.message.includes('\u001b')).toBe(false)
    expect(err.message).toContain(JSON.stringify(evil))
    expect(toShownPath('/plain/path.json')).toBe('/plain/path.json')
  })
})

describe('strict UTF-8', () => {
  it('findInvalidUtf8 agrees with a fatal TextDecoder on arbitrary bytes', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true })
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8'))))
    fc.assert(
      fc.property(bytes, (b) => {
        let valid = true
        try {
          fatal.decode(b)
        } catch {
          valid = false
        }
        expect(findInvalidUtf8(b) === undefined).toBe(valid)
      }),
      { numRuns: 1000 },
    )
  })

  it('names the offset of the first bad byte (overlong, surrogate, truncated, stray continuation)', () => {
    const cases: [number[], number][] = [
      [[0x61, 0x62, 0xff], 2],
      [[0x61, 0xc0, 0xaf], 1], // overlong "/"
      [[0xed, 0xa0, 0x80], 0], // UTF-16 surrogate
      [[0x61, 0x62, 0x63, 0xe2, 0x82], 3], // truncated euro sign
      [[0x80], 0],
      [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
    ]
    for (const [b, at] of cases) expect(findInvalidUtf8(Uint8Array.from(b))).toBe(at)
    expect(findInvalidUtf8(Buffer.from('€ 🔑 ü', 'utf8'))).toBeUndefined()
    const err = (() => {
      try {
        toUtf8Text(Uint8Array.from([0x7b, 0x22, 0xe9, 0x22]), 'The file x.json')
      } catch (e) {
        return e as UserError
      }
      throw new Error('expected a UserError')
    })()
    expect(err).toBeInstanceOf(UserError)
    expect(err.message).toMatch(/byte 2 \(0xe9\)/)
  })

  it('readBoundedTextSync refuses a Latin-1 file with reason not-utf8 and the offset', () => {
    const f = join(tmp, 'latin1.txt')
    writeFileSync(f, Buffer.from('caf\xe9', 'latin1'))
    const err = (() => {
      try {
        readBoundedTextSync(f, opts)
      } catch (e) {
        return e as BoundedReadError
      }
      throw new Error('expected a BoundedReadError')
    })()
    expect(err.reason).toBe('not-utf8')
    expect(err.message).toMatch(/byte 3 \(0xe9\)/)
  })
})
