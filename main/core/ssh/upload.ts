// The stdin fallback for writing a file when SFTP is unavailable or the write needs sudo: a sh script
// (fed on stdin to the one word `sh`) that rebuilds the bytes with printf octal escapes into a temp file
// in the target's folder, sets the mode, and renames it over the target (atomic on one file system).
import { quoteSh } from './quote'
import { type RemotePath } from './catalog'

const CHUNK = 1024

/** One printf format argument (single-quoted) that prints exactly these bytes. */
function toPrintfFormat(bytes: Buffer): string {
  let s = ''
  for (const [i, b] of bytes.entries()) {
    if (b === 0x25) s += '%%'
    // A format that starts with '-' is taken for an option by printf (dash: "printf: Illegal option -").
    else if (i === 0 && b === 0x2d) s += '\\055'
    else if (b >= 0x20 && b < 0x7f && b !== 0x5c && b !== 0x27) s += String.fromCharCode(b)
    else s += '\\' + b.toString(8).padStart(3, '0')
  }
  return `'${s}'`
}

/** The temp file a write goes through, next to the target. */
export function toTempPath(path: RemotePath, suffix: string): RemotePath {
  return `${path}.tw-${suffix}.tmp` as RemotePath
}

/** The script that writes data to path with mode, atomically. Binary-safe; needs only POSIX sh, printf, chmod, mv. */
export function toUploadScript(path: RemotePath, data: Buffer, mode: number, tmpSuffix: string): string {
  const lines = ['set -e', 'umask 077', `tw_t=${quoteSh(toTempPath(path, tmpSuffix))}`, `trap 'rm -f -- "$tw_t"' EXIT`, ': > "$tw_t"']
  for (let i = 0; i < data.length; i += CHUNK) lines.push(`printf ${toPrintfFormat(data.subarray(i, i + CHUNK))} >> "$tw_t"`)
  lines.push(`chmod ${mode.toString(8).padStart(4, '0')} "$tw_t"`, `mv -f -- "$tw_t" ${quoteSh(path)}`, '')
  return lines.join('\n')
}
