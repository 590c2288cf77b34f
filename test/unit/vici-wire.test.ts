import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeMessage,
  decodePacket,
  encodeMessage,
  encodePacket,
  MAX_DEPTH,
  PacketType,
  ViciProtocolError,
  ViciStreamDecoder,
  type ViciMessage,
  type ViciPacket,
} from '../../main/core/vici/wire'

// The example from strongSwan's VICI README (src/libcharon/plugins/vici/README.md, "Message format"):
// key1 = value1, section1 { sub-section { key2 = value2 }, list1 = [item1, item2] }.
const README_BYTES = Buffer.from(
  '03046b6579310006' + '76616c756531' + '010873656374696f6e31' + '010b7375622d73656374696f6e' + '03046b657932' + '0006' + '76616c756532' + '02' +
    '04056c69737431' + '05000569' + '74656d31' + '05000569' + '74656d32' + '06' + '02',
  'hex',
)

const README_MESSAGE: ViciMessage = {
  key1: 'value1',
  section1: { 'sub-section': { key2: 'value2' }, list1: ['item1', 'item2'] },
}

const name = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => Buffer.byteLength(s) <= 255)
const value = fc.string({ maxLength: 40 })
const message: fc.Arbitrary<ViciMessage> = fc.letrec<{ msg: ViciMessage }>((tie) => ({
  msg: fc.dictionary(name, fc.oneof({ depthSize: 'small', maxDepth: 4 }, value, fc.array(value, { maxLength: 4 }), tie('msg')), { maxKeys: 5 }),
})).msg

const packet: fc.Arbitrary<ViciPacket> = fc.oneof(
  fc.record({ type: fc.constantFrom(PacketType.CMD_REQUEST, PacketType.EVENT, PacketType.EVENT_REGISTER, PacketType.EVENT_UNREGISTER), name, message }),
  fc.record({ type: fc.constantFrom(PacketType.CMD_RESPONSE, PacketType.CMD_UNKNOWN, PacketType.EVENT_CONFIRM, PacketType.EVENT_UNKNOWN), message }),
)

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let prev = 0
  for (const p of points) {
    out.push(buf.subarray(prev, p))
    prev = p
  }
  out.push(buf.subarray(prev))
  return out
}

describe('VICI message codec', () => {
  it('decodes the example message of the VICI README byte for byte', () => {
    expect(decodeMessage(README_BYTES)).toEqual(README_MESSAGE)
    expect(encodeMessage(README_MESSAGE).equals(README_BYTES)).toBe(true)
  })

  it('round-trips any message and packet', () => {
    fc.assert(
      fc.property(packet, (p) => {
        const wire = encodePacket(p)
        expect(wire.readUInt32BE(0)).toBe(wire.length - 4)
        expect(decodePacket(wire.subarray(4))).toEqual(p)
      }),
    )
  })

  it('treats a key named __proto__ as data, not as a prototype', () => {
    const bytes = Buffer.concat([Buffer.from([3, 9]), Buffer.from('__proto__'), Buffer.from([0, 1]), Buffer.from('x')])
    const m = decodeMessage(bytes)
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype)
    expect(Object.keys(m)).toEqual(['__proto__'])
  })

  it('refuses nesting deeper than MAX_DEPTH with a typed error', () => {
    const deep = Buffer.concat([...Array.from({ length: MAX_DEPTH + 1 }, () => Buffer.from([1, 1, 0x61])), ...Array.from({ length: MAX_DEPTH + 1 }, () => Buffer.from([2]))])
    expect(() => decodeMessage(deep)).toThrow(ViciProtocolError)
  })

  it.each([
    ['unclosed section', '010161'],
    ['section end at top level', '02'],
    ['truncated value', '0301610005616263'],
    ['unknown element', '09'],
    ['item outside a list', '05000161'],
    ['section inside a list', '0401610101620206'],
    ['empty key', '03000000'],
  ])('rejects %s', (_label, hex) => {
    expect(() => decodeMessage(Buffer.from(hex, 'hex'))).toThrow(ViciProtocolError)
  })

  it('refuses to encode what the format cannot carry', () => {
    expect(() => encodeMessage({ ['k'.repeat(256)]: 'v' })).toThrow(RangeError)
    expect(() => encodeMessage({ k: 'v'.repeat(70_000) })).toThrow(RangeError)
    expect(() => encodePacket({ type: PacketType.CMD_REQUEST, message: {} })).toThrow(RangeError)
  })
})

describe('VICI stream decoder', () => {
  it('reassembles packets from arbitrary chunk boundaries, several per chunk', () => {
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (packets, cuts) => {
        const wire = Buffer.concat(packets.map(encodePacket))
        const d = new ViciStreamDecoder()
        const got = splitAt(wire, cuts).flatMap((c) => d.push(c))
        expect(got).toEqual(packets)
        expect(d.buffered).toBe(0)
      }),
    )
  })

  it('feeds one byte at a time', () => {
    const p: ViciPacket = { type: PacketType.EVENT, name: 'list-sa', message: README_MESSAGE }
    const d = new ViciStreamDecoder()
    const got: ViciPacket[] = []
    for (const b of encodePacket(p)) got.push(...d.push(Buffer.from([b])))
    expect(got).toEqual([p])
  })

  it('refuses an oversized length before buffering it, and stays failed', () => {
    const d = new ViciStreamDecoder(1024)
    const head = Buffer.alloc(4)
    head.writeUInt32BE(1025, 0)
    expect(() => d.push(head)).toThrow(/exceeds 1024/)
    expect(() => d.push(encodePacket({ type: PacketType.CMD_RESPONSE, message: {} }))).toThrow(ViciProtocolError)
  })

  it('refuses a zero-length packet and an unknown packet type', () => {
    expect(() => new ViciStreamDecoder().push(Buffer.from('00000000', 'hex'))).toThrow(/empty packet/)
    expect(() => new ViciStreamDecoder().push(Buffer.from('0000000108', 'hex'))).toThrow(/unknown packet type 8/)
  })

  it('never throws anything but ViciProtocolError and never hangs on random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const d = new ViciStreamDecoder(4096)
        try {
          for (const c of chunks) d.push(Buffer.from(c))
        } catch (err) {
          expect(err).toBeInstanceOf(ViciProtocolError)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws anything but ViciProtocolError on mutated valid packets', () => {
    fc.assert(
      fc.property(packet, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (p, flips) => {
        const wire = Buffer.from(encodePacket(p))
        for (const [at, byte] of flips) wire[4 + (at % Math.max(1, wire.length - 4))] = byte
        try {
          new ViciStreamDecoder().push(wire)
        } catch (err) {
          expect(err).toBeInstanceOf(ViciProtocolError)
        }
      }),
      { numRuns: 2000 },
    )
  })
})
