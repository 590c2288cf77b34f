// Read-only status of a vendor device over one SSH shell: wait for the CLI prompt, enter enable mode when
// the platform needs it (Cisco), turn paging off for this session, run the show commands of the catalog,
// cut each output between its echoed command line and the next prompt, and map them into the status model.
// Every line written is checked by isReadOnlyVendorLine first (or is `enable` / the enable password).
// Windows Server: each catalog line on its own exec channel through powershell.exe (status/vendor/windows.ts).
import { StringDecoder } from 'node:string_decoder'
import type { Duplex } from 'node:stream'
import type { Secret } from '../../base/secret'
import type { Details } from '../../details/model'
import { SshError } from '../../ssh/errors'
import type { HostKeyPolicy } from '../../ssh/host-key'
import { connect, type ConnectOptions, type SshEndpoint } from '../../ssh/session'
import type { StatusSnapshot } from '../model'
import { isReadOnlyVendorLine, readVendorStatus, toVendorFollowUpCommands, toVendorStatusCommands, toVendorSshAlgorithms, VENDOR_SSH, type VendorCommand, type VendorStatusKind, type VendorStatusReading } from './index'
import { toPowerShellExec, toWindowsConnectError, toWindowsOutput, WINDOWS_STATUS_COMMANDS, type PowerShellResult } from './windows'

/** What a vendor status sample needs of the details: the tunnels, the name, and (Windows: RRAS or not) the IKE version. */
export type VendorStatusDetails = Pick<Details, 'remote' | 'name'> & { readonly crypto?: Pick<Details['crypto'], 'ikeVersion'> }

/** A pager prompt some releases print even with paging off (ASA "<--- More --->", IOS " --More-- ", PAN-OS "lines 1-40"). */
const MORE = /(<--- More --->|--More--|\(END\)|lines \d+-\d+)\s*$/

/** What drives one shell: the channel, how long to wait for each prompt. */
export interface VendorShellOptions {
  readonly enablePassword?: Secret
  /** Per prompt; default 20 s (devices answer show commands slowly under load). */
  readonly timeoutMs?: number
}

/** Drives a vendor CLI shell on `channel` (the catalog's commands, then their follow-ups) and returns each command's output by command id. */
export async function runVendorShell(channel: Duplex, kind: VendorStatusKind, opts: VendorShellOptions = {}): Promise<Record<string, string>> {
  const profile = VENDOR_SSH[kind]
  const timeoutMs = opts.timeoutMs ?? 20_000
  const decoder = new StringDecoder('utf8')
  let buffer = ''
  let waiter: (() => void) | undefined
  // A device that drops the session mid-sample (reload, idle timeout, session limit) fails the sample at once
  // instead of after the prompt timeout.
  let closed = false
  let onClose: (() => void) | undefined
  channel.on('data', (d: Buffer) => {
    buffer += decoder.write(d).replace(/\r/g, '')
    waiter?.()
  })
  channel.on('close', () => {
    closed = true
    onClose?.()
  })
  const lastLine = () => buffer.slice(buffer.lastIndexOf('\n') + 1)
  const waitFor = (re: RegExp, what: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const closedError = () => new SshError('ssh-session-closed', `The ${kind} closed the session while Tunnelwright waited for ${what}.`, { likelyCause: 'The device dropped the SSH session (a reload, an idle or session limit, or the account was logged out).', fix: 'Log in by hand to see whether the device still answers; check its SSH session limit and idle timeout.' })
      if (closed) return reject(closedError())
      onClose = () => {
        clearTimeout(timer)
        waiter = undefined
        onClose = undefined
        reject(closedError())
      }
      const timer = setTimeout(() => {
        waiter = undefined
        onClose = undefined
        reject(new SshError('ssh-command-timeout', `The ${kind} did not show ${what} within ${Math.round(timeoutMs / 1000)} s.`, { likelyCause: 'The CLI prompt differs from the usual one, or the device is slow or asks something else (a banner, a password change).', fix: 'Log in by hand once to see what the device asks; raise the timeout on slow links.' }))
      }, timeoutMs)
      const check = () => {
        // Some releases page even with paging off: a space shows the next page; nothing is answered otherwise.
        if (MORE.test(lastLine())) {
          buffer = buffer.replace(MORE, '')
          channel.write(' ')
          return
        }
        if (re.test(lastLine())) {
          clearTimeout(timer)
          waiter = undefined
          onClose = undefined
          const text = buffer
          buffer = ''
          resolve(text)
        }
      }
      waiter = check
      check()
    })
  const send = (line: string) => {
    if (line !== 'enable' && !isReadOnlyVendorLine(line)) throw new Error(`not a read-only line: ${line}`)
    channel.write(`${line}\n`)
  }
  // The catalog's prompt is anchored per line; here it is tested on the last (partial) line only.
  const prompt = new RegExp(profile.prompt.source)
  const login = await waitFor(prompt, 'its CLI prompt')
  if (profile.enable) {
    // Cisco: the crypto show commands need privileged mode ("#"); a login that lands on ">" is user mode.
    if (/>\s*$/.test(login.split('\n').at(-1) ?? '')) {
      send('enable')
      const p = await waitFor(new RegExp(`${profile.enable.passwordPrompt.source}|#\\s*$`), 'the enable password prompt')
      if (profile.enable.passwordPrompt.test(p.split('\n').at(-1) ?? '')) {
        if (!opts.enablePassword) throw new SshError('ssh-auth-failed', `The ${kind} asks for the enable password and none was given.`, { likelyCause: 'The crypto show commands need privileged mode.', fix: 'Give the enable password for this device (it is used for this session only).' })
        const pw = opts.enablePassword.reveal()
        if (/[\r\n\0]/.test(pw)) throw new SshError('ssh-auth-failed', 'The enable password contains a line break or NUL character.', { fix: 'Give the password without a line break.' })
        channel.write(`${pw}\n`)
        const after = await waitFor(new RegExp(`${profile.enable.passwordPrompt.source}|[>#]\\s*$`), 'the privileged prompt')
        if (!/#\s*$/.test(after.split('\n').at(-1) ?? '')) throw new SshError('ssh-auth-failed', `The ${kind} refused the enable password.`, { likelyCause: 'The enable password is wrong.', fix: 'Check the enable password (it is not the login password on most devices).' })
      }
    }
  }
  if (profile.pagingOff) {
    send(profile.pagingOff)
    await waitFor(prompt, 'its prompt after turning paging off')
  }
  const outputs: Record<string, string> = {}
  const run = async (commands: readonly VendorCommand[]) => {
    for (const c of commands) {
      send(c.line)
      const text = await waitFor(prompt, `its prompt after "${c.line}"`)
      outputs[c.id] = toCommandOutput(text, c.line)
    }
  }
  await run(toVendorStatusCommands(kind))
  await run(toVendorFollowUpCommands(kind, outputs))
  channel.end('exit\n')
  return outputs
}

/** Runs each catalog command, then each follow-up, on its own exec channel (FortiOS: no pager there, no prompt to wait for) and returns the outputs by id. */
export async function runVendorExec(openExec: (line: string) => Promise<Duplex>, kind: VendorStatusKind, opts: Pick<VendorShellOptions, 'timeoutMs'> = {}): Promise<Record<string, string>> {
  const timeoutMs = opts.timeoutMs ?? 20_000
  const outputs: Record<string, string> = {}
  const run = async (commands: readonly VendorCommand[]) => {
    for (const c of commands) {
      if (!isReadOnlyVendorLine(c.line)) throw new Error(`not a read-only line: ${c.line}`)
      const channel = (await openExec(c.line)) as ExecChannel
      const r = await readExec(channel, timeoutMs, () => new SshError('ssh-command-timeout', `The ${kind} did not finish "${c.line}" within ${Math.round(timeoutMs / 1000)} s.`, { likelyCause: 'The device is slow or busy, or the command waits for input.', fix: 'Run the command by hand once to see what the device does; raise the timeout on slow links.' }))
      outputs[c.id] = r.stdout.replace(/\r/g, '')
    }
  }
  await run(toVendorStatusCommands(kind))
  await run(toVendorFollowUpCommands(kind, outputs))
  return outputs
}

/** An exec channel as ssh2 gives it: stdout as the stream, stderr beside it, the exit status as an event. */
type ExecChannel = Duplex & { readonly stderr?: NodeJS.ReadableStream }

/** Reads one exec channel to its end: stdout, stderr and the exit status, within timeoutMs. */
function readExec(channel: ExecChannel, timeoutMs: number, onTimeout: () => Error): Promise<PowerShellResult> {
  return new Promise((resolve, reject) => {
    const out = new StringDecoder('utf8')
    const err = new StringDecoder('utf8')
    let stdout = ''
    let stderr = ''
    let code: number | undefined
    const timer = setTimeout(() => {
      channel.destroy()
      reject(onTimeout())
    }, timeoutMs)
    channel.on('data', (d: Buffer) => (stdout += out.write(d)))
    channel.stderr?.on('data', (d: Buffer) => (stderr += err.write(d)))
    channel.on('exit', (c: unknown) => (code = typeof c === 'number' ? c : undefined))
    // ssh2 repeats the exit status on 'close': an 'exit' that came before these listeners is not lost.
    channel.on('close', (c: unknown) => {
      if (code === undefined && typeof c === 'number') code = c
      clearTimeout(timer)
      resolve({ stdout: stdout + out.end(), stderr: stderr + err.end(), code })
    })
  })
}

/**
 * Windows Server: runs each catalog cmdlet through powershell.exe on its own exec channel and returns the outputs
 * by id; a cmdlet that fails is a clear error (toWindowsOutput), except a missing RemoteAccess module when the
 * details use IKEv1 (connection security rules, no RRAS).
 */
export async function runWindowsExec(openExec: (line: string) => Promise<Duplex>, details: VendorStatusDetails, opts: Pick<VendorShellOptions, 'timeoutMs'> = {}): Promise<Record<string, string>> {
  // PowerShell's first start on a server can take several seconds (module loading).
  const timeoutMs = opts.timeoutMs ?? 30_000
  const outputs: Record<string, string> = {}
  for (const c of WINDOWS_STATUS_COMMANDS) {
    const channel = (await openExec(toPowerShellExec(c.line))) as ExecChannel
    const r = await readExec(channel, timeoutMs, () => new SshError('ssh-command-timeout', `Windows Server did not finish "${c.line.split(' | ')[0]}" within ${Math.round(timeoutMs / 1000)} s.`, { likelyCause: 'PowerShell starts slowly on a busy server, or the cmdlet waits on a stopped service.', fix: 'Run the cmdlet in PowerShell on the server once to see what it does; raise the timeout on slow links.' }))
    outputs[c.id] = toWindowsOutput(c.id, c.line, r, { rrasExpected: details.crypto?.ikeVersion !== 1 })
  }
  return outputs
}

/** The output of one command: after its echoed line, before the closing prompt line. */
export function toCommandOutput(text: string, line: string): string {
  const lines = text.split('\n')
  const echo = lines.findIndex((l) => l.endsWith(line))
  return lines.slice(echo + 1, -1).join('\n')
}

/** One status sample of a vendor device over an open shell channel (read-only), mapped like the Linux stacks'. */
export async function readVendorStatusOverShell(
  openShell: () => Promise<Duplex>,
  kind: VendorStatusKind,
  details: VendorStatusDetails,
  opts: VendorShellOptions & { readonly at: number; readonly previous?: readonly StatusSnapshot[]; readonly openExec?: (line: string) => Promise<Duplex> },
): Promise<VendorStatusReading> {
  const after = { at: opts.at, ...(opts.previous ? { previous: opts.previous } : {}) }
  // Windows Server has no CLI to drive: PowerShell per exec channel, or nothing.
  if (kind === 'windows-server') {
    if (!opts.openExec) throw new Error('Windows Server status needs exec channels')
    return readVendorStatus(kind, details, await runWindowsExec(opts.openExec, details, opts), after)
  }
  // Exec-mode devices (FortiOS) run each command on its own channel when the session can open one.
  if (VENDOR_SSH[kind].mode === 'exec' && opts.openExec) return readVendorStatus(kind, details, await runVendorExec(opts.openExec, kind, opts), after)
  const channel = await openShell()
  try {
    const outputs = await runVendorShell(channel, kind, opts)
    return readVendorStatus(kind, details, outputs, after)
  } finally {
    channel.destroy()
  }
}

/** Where and how to reach a vendor device (the same target the Linux gateways use). */
export interface VendorTarget {
  readonly endpoint: SshEndpoint
  readonly policy: HostKeyPolicy
  readonly options: ConnectOptions
}

/**
 * Connects to a vendor device, reads one status sample read-only and disconnects. Older SSH algorithms are
 * offered only when `allowLegacy` (the notice says so); the enable password is used for this session only.
 */
export async function readVendorDeviceStatus(
  target: VendorTarget,
  kind: VendorStatusKind,
  details: VendorStatusDetails,
  opts: VendorShellOptions & { readonly allowLegacy?: boolean; readonly at?: number; readonly previous?: readonly StatusSnapshot[] },
): Promise<VendorStatusReading & { readonly notice?: string }> {
  const legacy = toVendorSshAlgorithms(kind, opts.allowLegacy === true)
  const session = await connect(target.endpoint, target.policy, { ...target.options, ...(legacy.append ? { legacyAlgorithms: legacy.append } : {}) }).catch((err: unknown) => {
    throw kind === 'windows-server' ? toWindowsConnectError(err) : err
  })
  try {
    const reading = await readVendorStatusOverShell(() => session.openShell(), kind, details, { ...opts, at: opts.at ?? Date.now(), openExec: (line) => session.openExec(line) })
    return { ...reading, ...(legacy.notice ? { notice: legacy.notice } : {}) }
  } finally {
    await session.close()
  }
}
