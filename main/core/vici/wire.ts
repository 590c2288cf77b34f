// The VICI wire format (strongSwan's versatile IKE control interface), both directions, no I/O.
//
// Transport: each packet is a 32-bit big-endian length followed by that many bytes. A packet is a type
// byte, a 1-byte-length name for the named types, then a message of elements: section start/end,
// key-value (16-bit value length), list start/item/end. All values are byte strings.

/** A VICI value: a string, a list of strings, or a nested section. */
export type ViciValue = string | readonly string[] | ViciMessage

/** A VICI message (or section): ordered keys to values. */
export interface ViciMessage {
  readonly [key: string]: ViciValue
}

/** Packet types on the wire. */
export const PacketType = {
  CMD_REQUEST: 0,
  CMD_RESPONSE: 1,
  CMD_UNKNOWN: 2,
  EVENT_REGISTER: 3,
  EVENT_UNREGISTER: 4,
  EVENT_CONFIRM: 5,
  EVENT_UNKNOWN: 6,
  EVENT: 7,
} as const

/** One of the packet type numbers. */
export type PacketTypeCode = (typeof PacketType)[keyof typeof PacketType]

const Element = {
  SECTION_START: 1,
  SECTION_END: 2,
  KEY_VALUE: 3,
  LIST_START: 4,
  LIST_ITEM: 5,
  LIST_END: 6,
} as const

/** strongSwan refuses segments above 512 KiB (VICI_MESSAGE_SIZE_MAX); so do we, in both directions. */
export const MAX_PACKET_BYTES = 512 * 1024

/** Nesting deeper than this is refused (real list-sas messages nest 4 deep). */
export const MAX_DEPTH = 32

/** A decoded packet. `name` is set for the named types (request, register, unregister, event). */
export interface ViciPacket {
  readonly type: PacketTypeCode
  readonly name?: string
  readonly message: ViciMessage
}

/** Malformed or oversized VICI data: the stream cannot be trusted any more. */
export class ViciProtocolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ViciProtocolError'
  }
}

function isNamed(type: number): boolean {
  return type === PacketType.CMD_REQUEST || type === PacketType.EVENT_REGISTER || type === PacketType.EVENT_UNREGISTER || type === PacketType.EVENT
}

function isPacketType(type: number): type is PacketTypeCode {
  return Number.isInteger(type) && type >= 0 && type <= 7
}

// Own-property assignment, so a key named "__proto__" is data, not a prototype change.
function put(target: Record<string, ViciValue>, key: string, value: ViciValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

class Reader {
  private pos = 0
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length
  }

  u8(what: string): number {
    if (this.pos + 1 > this.buf.length) throw new ViciProtocolError(`truncated ${what}`)
    return this.buf[this.pos++] as number
  }

  bytes(n: number, what: string): Buffer {
    if (this.pos + n > this.buf.length) throw new ViciProtocolError(`truncated ${what}`)
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  name(what: string): string {
    const len = this.u8(`${what} length`)
    if (len === 0) throw new ViciProtocolError(`empty ${what}`)
    return this.bytes(len, what).toString('utf8')
  }

  value(what: string): string {
    const hi = this.u8(`${what} length`)
    const lo = this.u8(`${what} length`)
    return this.bytes((hi << 8) | lo, what).toString('utf8')
  }
}

/** Decodes a message body (the elements after the packet header). Throws ViciProtocolError. */
export function decodeMessage(body: Buffer): ViciMessage {
  const r = new Reader(body)
  const root: Record<string, ViciValue> = {}
  const stack: Record<string, ViciValue>[] = [root]
  while (!r.done) {
    const el = r.u8('element type')
    const top = stack[stack.length - 1] as Record<string, ViciValue>
    switch (el) {
      case Element.SECTION_START: {
        if (stack.length > MAX_DEPTH) throw new ViciProtocolError(`sections nested deeper than ${MAX_DEPTH}`)
        const section: Record<string, ViciValue> = {}
        put(top, r.name('section name'), section)
        stack.push(section)
        break
      }
      case Element.SECTION_END:
        if (stack.length === 1) throw new ViciProtocolError('section end without a section')
        stack.pop()
        break
      case Element.KEY_VALUE: {
        const key = r.name('key')
        put(top, key, r.value('value'))
        break
      }
      case Element.LIST_START: {
        const key = r.name('list name')
        const items: string[] = []
        for (;;) {
          const t = r.u8('list element')
          if (t === Element.LIST_END) break
          if (t !== Element.LIST_ITEM) throw new ViciProtocolError(`element ${t} inside a list`)
          items.push(r.value('list item'))
        }
        put(top, key, items)
        break
      }
      default:
        throw new ViciProtocolError(`unknown element type ${el}`)
    }
  }
  if (stack.length !== 1) throw new ViciProtocolError('section not closed')
  return root
}

/** Decodes one packet (without its 4-byte length prefix). Throws ViciProtocolError. */
export function decodePacket(data: Buffer): ViciPacket {
  const r = new Reader(data)
  const type = r.u8('packet type')
  if (!isPacketType(type)) throw new ViciProtocolError(`unknown packet type ${type}`)
  if (!isNamed(type)) return { type, message: decodeMessage(data.subarray(1)) }
  const nameLen = data[1]
  const name = r.name('packet name')
  return { type, name, message: decodeMessage(data.subarray(2 + (nameLen ?? 0))) }
}

function nameBytes(name: string, what: string): Buffer {
  const b = Buffer.from(name, 'utf8')
  if (b.length === 0 || b.length > 255) throw new RangeError(`VICI ${what} must be 1..255 bytes: ${JSON.stringify(name)}`)
  return b
}

function valueBytes(value: string): Buffer {
  const b = Buffer.from(value, 'utf8')
  if (b.length > 0xffff) throw new RangeError(`VICI value longer than 65535 bytes (${b.length})`)
  const out = Buffer.alloc(2 + b.length)
  out.writeUInt16BE(b.length, 0)
  b.copy(out, 2)
  return out
}

function encodeElements(msg: ViciMessage, parts: Buffer[], depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError(`VICI sections nested deeper than ${MAX_DEPTH}`)
  for (const [key, value] of Object.entries(msg)) {
    const k = nameBytes(key, 'key')
    const head = Buffer.from([0, k.length])
    if (typeof value === 'string') {
      head[0] = Element.KEY_VALUE
      parts.push(head, k, valueBytes(value))
    } else if (Array.isArray(value)) {
      head[0] = Element.LIST_START
      parts.push(head, k)
      for (const item of value as readonly string[]) parts.push(Buffer.from([Element.LIST_ITEM]), valueBytes(item))
      parts.push(Buffer.from([Element.LIST_END]))
    } else {
      head[0] = Element.SECTION_START
      parts.push(head, k)
      encodeElements(value as ViciMessage, parts, depth + 1)
      parts.push(Buffer.from([Element.SECTION_END]))
    }
  }
}

/** Encodes a message body. Throws RangeError for names or values the format cannot carry. */
export function encodeMessage(msg: ViciMessage): Buffer {
  const parts: Buffer[] = []
  encodeElements(msg, parts, 1)
  return Buffer.concat(parts)
}

/** Encodes one packet with its 4-byte length prefix, ready to write to the socket. */
export function encodePacket(packet: ViciPacket): Buffer {
  const parts: Buffer[] = [Buffer.from([packet.type])]
  if (isNamed(packet.type)) {
    if (packet.name === undefined) throw new RangeError(`VICI packet type ${packet.type} needs a name`)
    const n = nameBytes(packet.name, 'packet name')
    parts.push(Buffer.from([n.length]), n)
  }
  parts.push(encodeMessage(packet.message))
  const body = Buffer.concat(parts)
  if (body.length > MAX_PACKET_BYTES) throw new RangeError(`VICI packet of ${body.length} bytes exceeds ${MAX_PACKET_BYTES}`)
  const len = Buffer.alloc(4)
  len.writeUInt32BE(body.length, 0)
  return Buffer.concat([len, body])
}

/**
 * Splits a byte stream into packets: feed it chunks as they arrive (partial reads, several packets per
 * chunk); it returns every complete packet. After a ViciProtocolError the decoder stays failed.
 */
export class ViciStreamDecoder {
  private pending: Buffer[] = []
  private pendingBytes = 0
  private failed: ViciProtocolError | undefined

  constructor(private readonly maxPacketBytes = MAX_PACKET_BYTES) {}

  /** Bytes received but not yet part of a complete packet. */
  get buffered(): number {
    return this.pendingBytes
  }

  /** Adds a chunk and returns the packets it completed. Throws ViciProtocolError on malformed input. */
  push(chunk: Buffer): ViciPacket[] {
    if (this.failed) throw this.failed
    if (chunk.length > 0) {
      this.pending.push(chunk)
      this.pendingBytes += chunk.length
    }
    const out: ViciPacket[] = []
    try {
      for (;;) {
        if (this.pendingBytes < 4) break
        const head = this.peek(4)
        const len = head.readUInt32BE(0)
        if (len === 0) throw new ViciProtocolError('empty packet')
        if (len > this.maxPacketBytes) throw new ViciProtocolError(`packet of ${len} bytes exceeds ${this.maxPacketBytes}`)
        if (this.pendingBytes < 4 + len) break
        const all = this.take(4 + len)
        out.push(decodePacket(all.subarray(4)))
      }
    } catch (err) {
      this.failed = err instanceof ViciProtocolError ? err : new ViciProtocolError(String(err))
      this.pending = []
      this.pendingBytes = 0
      throw this.failed
    }
    return out
  }

  private peek(n: number): Buffer {
    const first = this.pending[0] as Buffer
    if (first.length >= n) return first.subarray(0, n)
    const joined = Buffer.concat(this.pending)
    this.pending = [joined]
    return joined.subarray(0, n)
  }

  private take(n: number): Buffer {
    const joined = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending)
    const out = joined.subarray(0, n)
    const rest = joined.subarray(n)
    this.pending = rest.length > 0 ? [rest] : []
    this.pendingBytes = rest.length
    return out
  }
}
