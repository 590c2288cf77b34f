// A VICI client over any Duplex stream: a local unix socket, or an SSH channel from ssh2's
// `openssh_forwardOutStreamLocal` to the gateway's /run/charon.vici. Transport-agnostic: it never opens
// the stream itself.
//
// The protocol allows one outstanding request per connection (command or event (un)registration), so
// every operation goes through one queue. Events may arrive at any time, between or during requests.
import { type Duplex } from 'node:stream'
import { UserError } from '../base/result'
import { type Secret } from '../base/secret'
import { encodePacket, PacketType, ViciProtocolError, ViciStreamDecoder, type ViciMessage, type ViciPacket } from './wire'

/** Options for a client. */
export interface ViciClientOptions {
  /** Per-request timeout in ms (default 30 s). A timed-out connection is closed: replies would be misattributed. */
  readonly timeoutMs?: number
}

/** A VICI command that charon answered with `success=no` (or did not know). */
export class ViciCommandError extends UserError {
  constructor(readonly command: string, errmsg: string) {
    super('vici-command-failed', `charon refused ${command}: ${errmsg}`, {
      likelyCause: 'the daemon rejected the request (unknown name, bad configuration, or an unsupported command)',
      fix: 'check the message above and the charon log on the gateway',
    })
  }
}

/** One line of charon's `control-log` stream during initiate/terminate. */
export interface ControlLogLine {
  readonly group: string
  readonly level: number
  readonly ikeName?: string
  readonly message: string
}

/** The outcome of initiate/terminate: charon's verdict plus the log it streamed meanwhile. */
export interface ControlResult {
  readonly success: boolean
  readonly errmsg?: string
  readonly log: readonly ControlLogLine[]
}

/** Filter for list-sas (all optional). */
export interface ListSasFilter {
  readonly ike?: string
  readonly ikeId?: number
  readonly child?: string
  readonly childId?: number
  /** Do not wait for SAs that are busy (charon may block on an SA under negotiation otherwise). */
  readonly noblock?: boolean
}

/** A shared secret to load (load-shared). The data is a Secret and revealed only into the request. */
export interface SharedSecret {
  readonly id?: string
  readonly type: 'IKE' | 'EAP' | 'XAUTH' | 'NTLM' | 'PPK'
  readonly data: Secret
  readonly owners: readonly string[]
}

/** Event names the client knows how to subscribe to (charon accepts others too). */
export type ViciEventName = 'ike-updown' | 'child-updown' | 'ike-rekey' | 'child-rekey' | 'log' | (string & {})

/** One event from charon. */
export interface ViciEvent {
  readonly name: string
  readonly message: ViciMessage
}

/** Events from charon as an async iterator; close() unregisters. */
export interface ViciSubscription extends AsyncIterable<ViciEvent> {
  close(): Promise<void>
}

interface Pending {
  readonly expect: 'response' | 'confirm'
  readonly what: string
  readonly resolve: (p: ViciPacket) => void
  readonly reject: (e: Error) => void
}

class EventQueue implements AsyncIterator<ViciEvent> {
  private items: ViciEvent[] = []
  private waiters: { resolve: (r: IteratorResult<ViciEvent>) => void; reject: (e: Error) => void }[] = []
  private ended = false
  private error: Error | undefined

  push(ev: ViciEvent): void {
    if (this.ended) return
    const w = this.waiters.shift()
    if (w) w.resolve({ value: ev, done: false })
    else this.items.push(ev)
  }

  end(err?: Error): void {
    if (this.ended) return
    this.ended = true
    this.error = err
    for (const w of this.waiters.splice(0)) {
      if (err) w.reject(err)
      else w.resolve({ value: undefined, done: true })
    }
  }

  next(): Promise<IteratorResult<ViciEvent>> {
    const item = this.items.shift()
    if (item) return Promise.resolve({ value: item, done: false })
    if (this.ended) return this.error ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
  }
}

function closedError(cause?: unknown): UserError {
  return new UserError('vici-closed', 'the VICI connection to charon closed', {
    cause,
    likelyCause: 'charon stopped or restarted, or the SSH channel to its socket closed',
    fix: 'check that charon runs on the gateway, then reconnect',
  })
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

function toLogLine(m: ViciMessage): ControlLogLine {
  // charon names the field ikesa-name in log events (ike-name is not sent).
  const ikeName = str(m['ikesa-name']) ?? str(m['ike-name'])
  return {
    group: str(m['group']) ?? '',
    level: Number(str(m['level']) ?? '0'),
    ...(ikeName === undefined ? {} : { ikeName }),
    message: str(m['msg']) ?? '',
  }
}

/** A VICI session over one stream. */
export class ViciClient {
  private readonly decoder = new ViciStreamDecoder()
  private readonly timeoutMs: number
  private queue: Promise<unknown> = Promise.resolve()
  private pending: Pending | undefined
  private closed: Error | undefined
  private readonly registered = new Map<string, number>()
  private readonly listeners = new Set<{ names: ReadonlySet<string>; push: (e: ViciEvent) => void; end: (err?: Error) => void }>()

  constructor(private readonly stream: Duplex, opts: ViciClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 30_000
    stream.on('data', (chunk: Buffer) => this.onData(chunk))
    stream.on('error', (err) => this.fail(closedError(err)))
    stream.on('close', () => this.fail(closedError()))
    stream.on('end', () => this.fail(closedError()))
  }

  /** True once the connection failed or was closed. */
  get isClosed(): boolean {
    return this.closed !== undefined
  }

  /** Closes the stream; outstanding requests reject and subscriptions end. */
  close(): void {
    this.fail(closedError())
    this.stream.destroy()
  }

  /** Sends one command and resolves with charon's response message (success or not). */
  request(command: string, message: ViciMessage = {}, timeoutMs = this.timeoutMs): Promise<ViciMessage> {
    return this.enqueue(async () => (await this.roundTrip({ type: PacketType.CMD_REQUEST, name: command, message }, 'response', command, timeoutMs)).message)
  }

  /**
   * Sends a streaming command: registers `event` first, collects those events until the response, then
   * unregisters (as the protocol requires).
   */
  streamedRequest(command: string, event: string, message: ViciMessage = {}, timeoutMs = this.timeoutMs): Promise<{ events: ViciMessage[]; reply: ViciMessage }> {
    return this.enqueue(async () => {
      const events: ViciMessage[] = []
      const sink = { names: new Set([event]), push: (e: ViciEvent) => events.push(e.message), end: () => undefined }
      await this.registerLocked(event, timeoutMs)
      this.listeners.add(sink)
      try {
        const reply = await this.roundTrip({ type: PacketType.CMD_REQUEST, name: command, message }, 'response', command, timeoutMs)
        return { events, reply: reply.message }
      } finally {
        this.listeners.delete(sink)
        if (!this.closed) await this.unregisterLocked(event, timeoutMs)
      }
    })
  }

  /** Registers for events and returns them as an async iterator; close() unregisters. */
  async subscribe(names: readonly ViciEventName[]): Promise<ViciSubscription> {
    const q = new EventQueue()
    const sink = { names: new Set<string>(names), push: (e: ViciEvent) => q.push(e), end: (err?: Error) => q.end(err) }
    await this.enqueue(async () => {
      for (const n of names) await this.registerLocked(n, this.timeoutMs)
      this.listeners.add(sink)
    })
    let open = true
    return {
      [Symbol.asyncIterator]: () => q,
      close: async () => {
        if (!open) return
        open = false
        this.listeners.delete(sink)
        q.end()
        if (this.closed) return
        await this.enqueue(async () => {
          for (const n of names) await this.unregisterLocked(n, this.timeoutMs)
        })
      },
    }
  }

  /** charon's version: {daemon, version, sysname, release, machine}. */
  version(): Promise<ViciMessage> {
    return this.request('version')
  }

  /** Daemon statistics (uptime, workers, queues, IKE SA counts, plugins). */
  stats(): Promise<ViciMessage> {
    return this.request('stats')
  }

  /** Every IKE SA (with its CHILD SAs) as charon's list-sa events: one `{name: ike}` message each. */
  async listSas(filter: ListSasFilter = {}): Promise<ViciMessage[]> {
    const msg: Record<string, string> = {}
    if (filter.ike !== undefined) msg['ike'] = filter.ike
    if (filter.ikeId !== undefined) msg['ike-id'] = String(filter.ikeId)
    if (filter.child !== undefined) msg['child'] = filter.child
    if (filter.childId !== undefined) msg['child-id'] = String(filter.childId)
    if (filter.noblock) msg['noblock'] = 'yes'
    return (await this.streamedRequest('list-sas', 'list-sa', msg)).events
  }

  /** Loaded connections as list-conn events (`{name: conn}` each). */
  async listConns(ike?: string): Promise<ViciMessage[]> {
    return (await this.streamedRequest('list-conns', 'list-conn', ike === undefined ? {} : { ike })).events
  }

  /** Names of the connections loaded over VICI. */
  async getConns(): Promise<string[]> {
    const reply = await this.request('get-conns')
    const conns = reply['conns']
    return Array.isArray(conns) ? [...(conns as readonly string[])] : []
  }

  /** Loads (or replaces) one connection; `conf` is the connection's section as in swanctl.conf. */
  async loadConn(name: string, conf: ViciMessage): Promise<void> {
    this.assertSuccess('load-conn', await this.request('load-conn', { [name]: conf }))
  }

  /** Unloads one connection by name. */
  async unloadConn(name: string): Promise<void> {
    this.assertSuccess('unload-conn', await this.request('unload-conn', { name }))
  }

  /** Loads a shared secret (the PSK is revealed only into the request packet). */
  async loadShared(secret: SharedSecret): Promise<void> {
    const msg: Record<string, string | readonly string[]> = { type: secret.type, data: secret.data.reveal(), owners: secret.owners }
    if (secret.id !== undefined) msg['id'] = secret.id
    this.assertSuccess('load-shared', await this.request('load-shared', msg))
  }

  /** Unloads a shared secret loaded with an `id`. */
  async unloadShared(id: string): Promise<void> {
    this.assertSuccess('unload-shared', await this.request('unload-shared', { id }))
  }

  /** Initiates a CHILD (or IKE) SA; waits up to timeoutMs for charon's verdict and returns its log. */
  initiate(opts: { child?: string; ike?: string; timeoutMs?: number; loglevel?: number }): Promise<ControlResult> {
    const msg: Record<string, string> = { timeout: String(opts.timeoutMs ?? 20_000), loglevel: String(opts.loglevel ?? 1) }
    if (opts.child !== undefined) msg['child'] = opts.child
    if (opts.ike !== undefined) msg['ike'] = opts.ike
    return this.control('initiate', msg, (opts.timeoutMs ?? 20_000) + 5_000)
  }

  /** Terminates SAs by IKE/CHILD name or unique id; returns charon's verdict and log. */
  terminate(opts: { child?: string; ike?: string; ikeId?: number; childId?: number; force?: boolean; timeoutMs?: number }): Promise<ControlResult> {
    const msg: Record<string, string> = { timeout: String(opts.timeoutMs ?? 20_000), loglevel: '1' }
    if (opts.child !== undefined) msg['child'] = opts.child
    if (opts.ike !== undefined) msg['ike'] = opts.ike
    if (opts.ikeId !== undefined) msg['ike-id'] = String(opts.ikeId)
    if (opts.childId !== undefined) msg['child-id'] = String(opts.childId)
    if (opts.force) msg['force'] = 'yes'
    return this.control('terminate', msg, (opts.timeoutMs ?? 20_000) + 5_000)
  }

  private async control(command: string, msg: ViciMessage, timeoutMs: number): Promise<ControlResult> {
    const { events, reply } = await this.streamedRequest(command, 'control-log', msg, timeoutMs)
    const success = reply['success'] === 'yes'
    const errmsg = str(reply['errmsg'])
    return { success, ...(errmsg === undefined ? {} : { errmsg }), log: events.map(toLogLine) }
  }

  private assertSuccess(command: string, reply: ViciMessage): void {
    if (reply['success'] !== 'yes') throw new ViciCommandError(command, str(reply['errmsg']) ?? 'no reason given')
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw this.closed
      return op()
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  private async registerLocked(event: string, timeoutMs: number): Promise<void> {
    const n = this.registered.get(event) ?? 0
    if (n === 0) {
      const p = await this.roundTrip({ type: PacketType.EVENT_REGISTER, name: event, message: {} }, 'confirm', `register ${event}`, timeoutMs)
      if (p.type === PacketType.EVENT_UNKNOWN) throw new ViciCommandError(`register ${event}`, 'unknown event')
    }
    this.registered.set(event, n + 1)
  }

  private async unregisterLocked(event: string, timeoutMs: number): Promise<void> {
    const n = this.registered.get(event) ?? 0
    if (n > 1) {
      this.registered.set(event, n - 1)
      return
    }
    this.registered.delete(event)
    if (n === 1) await this.roundTrip({ type: PacketType.EVENT_UNREGISTER, name: event, message: {} }, 'confirm', `unregister ${event}`, timeoutMs)
  }

  private roundTrip(packet: ViciPacket, expect: Pending['expect'], what: string, timeoutMs: number): Promise<ViciPacket> {
    if (this.closed) return Promise.reject(this.closed)
    return new Promise<ViciPacket>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new UserError('vici-timeout', `charon did not answer ${what} within ${timeoutMs} ms`, {
          likelyCause: 'charon is busy or hung, or the SSH channel to its socket stalled',
          fix: 'retry; if it persists, check the charon process and its log on the gateway',
        })
        this.fail(err)
        this.stream.destroy()
      }, timeoutMs)
      this.pending = {
        expect,
        what,
        resolve: (p) => {
          clearTimeout(timer)
          resolve(p)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      }
      this.stream.write(encodePacket(packet))
    })
  }

  private onData(chunk: Buffer): void {
    let packets: ViciPacket[]
    try {
      packets = this.decoder.push(chunk)
    } catch (err) {
      this.fail(new UserError('vici-protocol', 'charon sent data that is not valid VICI', {
        cause: err instanceof ViciProtocolError ? err : undefined,
        likelyCause: 'the forwarded socket is not charon\'s VICI socket, or the stream was corrupted',
        fix: 'check the socket path (/run/charon.vici; RHEL /run/strongswan/charon.vici)',
      }))
      this.stream.destroy()
      return
    }
    for (const p of packets) this.dispatch(p)
  }

  private dispatch(p: ViciPacket): void {
    if (p.type === PacketType.EVENT) {
      const ev: ViciEvent = { name: p.name ?? '', message: p.message }
      for (const l of [...this.listeners]) if (l.names.has(ev.name)) l.push(ev)
      return
    }
    const pending = this.pending
    const isResponse = p.type === PacketType.CMD_RESPONSE || p.type === PacketType.CMD_UNKNOWN
    const isConfirm = p.type === PacketType.EVENT_CONFIRM || p.type === PacketType.EVENT_UNKNOWN
    if (!pending || (pending.expect === 'response' && !isResponse) || (pending.expect === 'confirm' && !isConfirm)) {
      this.fail(new UserError('vici-protocol', `charon sent an unexpected packet (type ${p.type})`, {
        likelyCause: 'another client shares this stream, or the daemon is not charon',
        fix: 'use one VICI connection per client',
      }))
      this.stream.destroy()
      return
    }
    this.pending = undefined
    if (p.type === PacketType.CMD_UNKNOWN) pending.reject(new ViciCommandError(pending.what, 'unknown command'))
    else pending.resolve(p)
  }

  private fail(err: Error): void {
    if (this.closed) return
    this.closed = err
    const pending = this.pending
    this.pending = undefined
    pending?.reject(err)
    const normal = err instanceof UserError && err.code === 'vici-closed'
    for (const l of [...this.listeners]) l.end(normal ? undefined : err)
    this.listeners.clear()
  }
}
