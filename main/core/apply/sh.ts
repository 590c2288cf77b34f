// Shell quoting for everything the app sends to a gateway's POSIX sh.

/** Quotes one argument for POSIX sh: single quotes, with ' written as '\''. NUL cannot be passed. */
export function quoteSh(arg: string): string {
  if (arg.includes('\0')) throw new Error('a shell argument cannot contain NUL')
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

/** A command line from fixed words and typed parameters, each quoted. */
export function shCommand(argv: readonly string[]): string {
  return argv.map(quoteSh).join(' ')
}
