// The one shell-quoting function: every argument sent to a gateway's shell goes through quoteSh.

/** Bytes that never need quoting in a POSIX shell word (no globbing, expansion, tilde or word splitting). */
const BARE_WORD = /^[A-Za-z0-9_./=:@%+,-]+$/

/**
 * Quotes one argument for a POSIX shell (sh, dash, bash, FreeBSD sh) as a single word.
 *
 * Single quotes keep every byte literal except the single quote itself, which is closed, escaped and
 * reopened ('\''). NUL cannot be carried in an argument at all, so it is refused.
 */
export function quoteSh(arg: string): string {
  if (arg.includes('\0')) throw new Error('quoteSh: NUL cannot be passed in a shell argument')
  if (BARE_WORD.test(arg) && !arg.startsWith('=')) return arg
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

/** Joins an argv into one shell command line, every word quoted by quoteSh. */
export function toShellLine(argv: readonly string[]): string {
  return argv.map(quoteSh).join(' ')
}
