// runBatch's wire format: several catalog commands in one sh script fed on stdin (one exec round trip),
// each framed on stdout and stderr by a random per-batch marker with its exit code, parsed back here.
import { randomBytes } from 'node:crypto'
import { toShellLine } from './quote'

/** The outcome of one remote command. */
export interface CommandResult {
  readonly id: string
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A fresh marker: 128 random bits, so no command output can forge a frame without reading the script. */
export function toBatchNonce(): string {
  return `TWB${randomBytes(16).toString('hex')}`
}

/**
 * The sh script of a batch. Every command gets stdin from /dev/null (it must not eat the rest of the
 * script, which sh is still reading from the same stdin) and is framed on both streams:
 * `NONCE:B:i\n` … `\nNONCE:E:i:CODE\n` (stdout) and `NONCE:B:i\n` … `\nNONCE:E:i\n` (stderr).
 */
export function toBatchScript(commands: readonly { readonly argv: readonly string[] }[], nonce: string): string {
  if (!/^[A-Za-z0-9]+$/.test(nonce)) throw new Error('batch nonce must be alphanumeric')
  const lines: string[] = []
  commands.forEach((c, i) => {
    lines.push(
      `printf '%s\\n' '${nonce}:B:${i}'; printf '%s\\n' '${nonce}:B:${i}' >&2`,
      `${toShellLine(c.argv)} </dev/null`,
      `tw_rc=$?`,
      `printf '\\n%s:%s\\n' '${nonce}:E:${i}' "$tw_rc"; printf '\\n%s\\n' '${nonce}:E:${i}' >&2`,
    )
  })
  lines.push('exit 0', '')
  return lines.join('\n')
}

/** One framed section per command out of a stream; undefined where the frame is missing (the batch was cut). */
function sections(stream: Buffer, nonce: string, count: number, withCode: boolean): ({ body: Buffer; code: number } | undefined)[] {
  const out: ({ body: Buffer; code: number } | undefined)[] = []
  let from = 0
  for (let i = 0; i < count; i++) {
    const begin = Buffer.from(`${nonce}:B:${i}\n`)
    const b = stream.indexOf(begin, from)
    if (b < 0) {
      out.push(undefined)
      continue
    }
    const bodyStart = b + begin.length
    const endMark = Buffer.from(`\n${nonce}:E:${i}${withCode ? ':' : '\n'}`)
    const e = stream.indexOf(endMark, bodyStart)
    if (e < 0) {
      out.push(undefined)
      continue
    }
    let next = e + endMark.length
    let code = 0
    if (withCode) {
      const nl = stream.indexOf(0x0a, next)
      if (nl < 0) {
        out.push(undefined)
        continue
      }
      code = Number(stream.subarray(next, nl).toString('latin1'))
      next = nl + 1
    }
    out.push({ body: stream.subarray(bodyStart, e), code })
    from = next
  }
  return out
}

/**
 * Parses a batch's stdout and stderr back into one result per command; a command whose frame is
 * missing (the shell died, a timeout cut it) is reported with code -1 and whatever was captured.
 */
export function parseBatchOutput(
  ids: readonly string[],
  stdout: Buffer,
  stderr: Buffer,
  nonce: string,
): { results: CommandResult[]; complete: boolean; strayStderr: string } {
  const outs = sections(stdout, nonce, ids.length, true)
  const errs = sections(stderr, nonce, ids.length, false)
  let complete = true
  const results = ids.map((id, i) => {
    const o = outs[i]
    const e = errs[i]
    if (o === undefined || e === undefined || !Number.isInteger(o.code)) complete = false
    return {
      id,
      code: o !== undefined && Number.isInteger(o.code) ? o.code : -1,
      stdout: o?.body.toString('utf8') ?? '',
      stderr: e?.body.toString('utf8') ?? '',
    }
  })
  // Whatever came before the first frame on stderr (login banners, sudo, the shell's own complaints).
  const first = stderr.indexOf(Buffer.from(`${nonce}:B:0\n`))
  const strayStderr = (first < 0 ? stderr : stderr.subarray(0, first)).toString('utf8')
  return { results, complete, strayStderr }
}
