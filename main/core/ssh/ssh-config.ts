// A small reader for the ~/.ssh/config subset we use: Host blocks (patterns with * ? !) and HostName,
// User, Port, IdentityFile, ProxyJump, UserKnownHostsFile. Match and Include blocks are skipped (not
// applied). The npm package `ssh-config` could replace this parser if it is ever added.
import { BoundedReadError, readBoundedTextSync } from '../base/bounded-read'
import { matchPatternList } from './host-key'

/** Largest ~/.ssh/config read. */
export const MAX_SSH_CONFIG_BYTES = 1024 * 1024

/**
 * Reads an ssh_config file through the bounded reader (regular file, at most MAX_SSH_CONFIG_BYTES, UTF-8);
 * undefined when it does not exist. Anything else (a FIFO, a device, too large) is a BoundedReadError
 * with code 'ssh-config-unreadable' naming the file.
 */
export function readSshConfigFile(path: string): string | undefined {
  try {
    return readBoundedTextSync(path, { what: 'the SSH config file', maxBytes: MAX_SSH_CONFIG_BYTES, timeoutMs: 5000, code: 'ssh-config-unreadable' })
  } catch (err) {
    if (err instanceof BoundedReadError && err.reason === 'missing') return undefined
    throw err
  }
}

/** One `Host` block: its patterns and its options (lower-cased keyword → values in order). */
export interface SshConfigBlock {
  readonly patterns: string
  readonly options: readonly { readonly key: string; readonly args: readonly string[] }[]
}

/** What ~/.ssh/config says about one host alias. */
export interface SshHostConfig {
  readonly hostName: string
  readonly user: string | undefined
  readonly port: number | undefined
  readonly identityFiles: readonly string[]
  /** ProxyJump hops in order, each [user@]host[:port]; empty for none. */
  readonly proxyJump: readonly { readonly user: string | undefined; readonly host: string; readonly port: number | undefined }[]
  readonly userKnownHostsFiles: readonly string[]
}

/** Splits one config line into words: whitespace-separated, "double quotes" group, `key=value` allowed. */
export function splitConfigLine(line: string): string[] {
  const words: string[] = []
  let i: number
  const s = line.trim()
  // The keyword may be followed by `=` instead of (or besides) whitespace.
  const kw = /^([^\s=]+)\s*=?\s*/.exec(s)
  if (kw === null) return []
  words.push(kw[1] ?? '')
  i = kw[0].length
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i] ?? '')) i++
    if (i >= s.length) break
    if (s[i] === '"') {
      const end = s.indexOf('"', i + 1)
      if (end < 0) throw new Error(`unterminated quote in ssh config line: ${line}`)
      words.push(s.slice(i + 1, end))
      i = end + 1
    } else {
      let j = i
      while (j < s.length && !/\s/.test(s[j] ?? '')) j++
      words.push(s.slice(i, j))
      i = j
    }
  }
  return words
}

/** Parses an ssh config file into Host blocks; options before the first Host belong to `*`. */
export function parseSshConfig(text: string): SshConfigBlock[] {
  const blocks: { patterns: string; options: { key: string; args: string[] }[]; skip: boolean }[] = [
    { patterns: '*', options: [], skip: false },
  ]
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const [keyword, ...args] = splitConfigLine(line)
    if (keyword === undefined) continue
    const key = keyword.toLowerCase()
    if (key === 'host') {
      blocks.push({ patterns: args.join(','), options: [], skip: false })
    } else if (key === 'match') {
      // Match criteria (exec, user, …) are not evaluated: its options are not applied.
      blocks.push({ patterns: '', options: [], skip: true })
    } else {
      const block = blocks[blocks.length - 1]
      if (block !== undefined && !block.skip) block.options.push({ key, args })
    }
  }
  return blocks.filter((b) => !b.skip).map(({ patterns, options }) => ({ patterns, options }))
}

/** Parses one ProxyJump hop `[user@]host[:port]` (also `[v6]:port`). */
export function parseJumpHop(hop: string): { user: string | undefined; host: string; port: number | undefined } {
  const at = hop.lastIndexOf('@')
  const user = at >= 0 ? hop.slice(0, at) : undefined
  const rest = at >= 0 ? hop.slice(at + 1) : hop
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:]+)(?::(\d+))?$/.exec(rest)
  if (m === null || m[1] === undefined || m[1] === '') throw new Error(`not a jump host: ${hop}`)
  const port = m[2] === undefined ? undefined : Number(m[2])
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`bad port in jump host: ${hop}`)
  return { user: user === '' ? undefined : user, host: m[1], port }
}

/** Expands ~ and the %-tokens OpenSSH allows in IdentityFile / UserKnownHostsFile (%h %p %r %u %d %%). */
function expandPath(path: string, tokens: { h: string; p: string; r: string; u: string; d: string }): string {
  const withTokens = path.replace(/%([%hprud])/g, (_, t: string) => (t === '%' ? '%' : (tokens[t as keyof typeof tokens] ?? '')))
  if (withTokens === '~') return tokens.d
  if (withTokens.startsWith('~/')) return tokens.d + withTokens.slice(1)
  return withTokens
}

/**
 * Resolves a host alias as OpenSSH does: blocks in file order, the first value of each option wins,
 * IdentityFile and UserKnownHostsFile accumulate.
 */
export function resolveSshHost(blocks: readonly SshConfigBlock[], alias: string, env: { home: string; localUser: string }): SshHostConfig {
  let hostName: string | undefined
  let user: string | undefined
  let port: number | undefined
  let proxyJump: string | undefined
  const identityFiles: string[] = []
  const knownHosts: string[] = []
  let knownHostsSet = false
  for (const block of blocks) {
    if (!matchPatternList(block.patterns, alias)) continue
    for (const { key, args } of block.options) {
      const first = args[0]
      if (first === undefined) continue
      switch (key) {
        case 'hostname':
          hostName ??= first
          break
        case 'user':
          user ??= first
          break
        case 'port':
          if (port === undefined) {
            const n = Number(first)
            if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`bad Port in ssh config: ${first}`)
            port = n
          }
          break
        case 'identityfile':
          identityFiles.push(first)
          break
        case 'proxyjump':
          proxyJump ??= first
          break
        case 'userknownhostsfile':
          if (!knownHostsSet) {
            knownHosts.push(...args)
            knownHostsSet = true
          }
          break
      }
    }
  }
  const h = (hostName ?? alias).replace(/%h/g, alias)
  const tokens = { h, p: String(port ?? 22), r: user ?? env.localUser, u: env.localUser, d: env.home }
  return {
    hostName: h,
    user,
    port,
    identityFiles: identityFiles.map((f) => expandPath(f, tokens)),
    proxyJump: proxyJump === undefined || proxyJump.toLowerCase() === 'none' ? [] : proxyJump.split(',').map(parseJumpHop),
    userKnownHostsFiles: knownHosts.filter((f) => f.toLowerCase() !== 'none').map((f) => expandPath(f, tokens)),
  }
}
