import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fillDraft, importAwsText, importAwsXml, MAX_EXPORT_BYTES, toCompleteDetails, toNeeds, type AwsImport } from '../../main/core/details/aws-import'
import { hasErrors, lintDetails } from '../../main/core/details/lint'
import { Crypto } from '../../main/core/details/model'
import { UserError } from '../../main/core/base/result'

const dir = join(__dirname, '../fixtures/aws')
const fixture = (name: string) => readFileSync(join(dir, name), 'utf8')
const PSK_A = 'Qn7xV2._kdP3aZ4rT8mWyL3sHc6bJ9fE' // tunnel to 203.0.113.36
const PSK_B = 'mR5_tY8.wK2nA7qX4zB1cV6hL9pD3gS2' // tunnel to 203.0.113.164

function userError(fn: () => unknown): UserError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(UserError)
    return err as UserError
  }
  throw new Error('expected a UserError')
}

const byOutside = (imp: AwsImport) => Object.fromEntries(imp.draft.remote.tunnels.map((t) => [t.outsideIp, { psk: t.psk, insideCidr: t.insideCidr }]))

describe('importAwsXml', () => {
  const imp = importAwsXml(fixture('vpn-static.xml'))

  it('takes name, gateway IP and both tunnels from the CustomerGatewayConfiguration', () => {
    expect(imp.draft.format).toBe('tunnelwright/details@1')
    expect(imp.draft.name).toBe('vpn-0a1b2c3d4e5f60718')
    expect(imp.draft.provider).toBe('aws')
    expect(imp.draft.gateway.publicIp).toBe('198.51.100.7')
    expect(imp.draft.remote.tunnels).toEqual([
      { outsideIp: '203.0.113.36', psk: PSK_A, insideCidr: '169.254.44.8/30' },
      { outsideIp: '203.0.113.164', psk: PSK_B, insideCidr: '169.254.201.4/30' },
    ])
    expect(imp.source).toEqual({ kind: 'xml', shape: 'CustomerGatewayConfiguration XML', vpnConnectionId: 'vpn-0a1b2c3d4e5f60718', customerGatewayId: 'cgw-0f1e2d3c4b5a69788', vpnGatewayId: 'vgw-07a6b5c4d3e2f1009' })
  })

  it('leaves what AWS cannot know empty and lists it in needs', () => {
    expect(imp.draft.gateway.privateCidrs).toEqual([])
    expect(imp.draft.remote.dedicatedCidrs).toEqual([])
    expect(imp.needs.map((n) => n.path)).toEqual(['/gateway/privateCidrs', '/remote/dedicatedCidrs'])
    expect(toCompleteDetails(imp.draft)).toBeUndefined()
  })

  it("does not copy AWS's sha1/DH2 default proposal and says so", () => {
    expect(imp.draft.crypto).toEqual(Crypto.parse({}))
    expect(imp.draft.crypto.integrity).toBe('sha256')
    expect(imp.draft.crypto.dhGroup).toBe(14)
    const note = imp.notes.find((n) => n.includes('does not copy'))
    expect(note).toMatch(/sha1/)
    expect(note).toMatch(/cloud\.gov's required crypto/)
  })

  it('copies a GovCloud-grade proposal (AES256, SHA2-256, group 14)', () => {
    const gov = importAwsXml(fixture('vpn-static-govcloud.xml'))
    expect(gov.draft.crypto).toMatchObject({ ikeVersion: 1, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600 })
    expect(gov.notes.some((n) => n.includes('does not copy'))).toBe(false)
  })

  it('keeps a PSK that looks like a number exactly as written', () => {
    const xml = fixture('vpn-static.xml').replace(PSK_A, '10000000000000000000001')
    expect(importAwsXml(xml).draft.remote.tunnels[0]!.psk).toBe('10000000000000000000001')
  })

  it('once filled in, the draft is valid details with no lint errors', () => {
    const filled = fillDraft(imp.draft, { privateCidrs: ['10.10.0.0/24'], dedicatedCidrs: ['10.200.0.0/16'] })
    expect(toNeeds(filled)).toEqual([])
    const details = toCompleteDetails(filled)!
    expect(details).toBeDefined()
    const findings = lintDetails(details, { sources: { env: {}, readFile: () => '' } })
    expect(hasErrors(findings)).toBe(false)
    // The fixture uses documentation addresses: lint calls them out as examples, as warnings only.
    expect(findings.map((f) => f.id)).toContain('gateway-ip-example')
  })

  it('fillDraft refuses an invalid CIDR with a UserError', () => {
    expect(userError(() => fillDraft(imp.draft, { privateCidrs: ['10.0.0.0/40'] })).code).toBe('draft-fill')
  })
})

describe('importAwsText', () => {
  it('reads the generic text export into the same draft as the XML', () => {
    const xml = importAwsXml(fixture('vpn-static.xml'))
    const text = importAwsText(fixture('vpn-static-generic.txt'))
    expect(text.draft).toEqual(xml.draft)
    expect(text.source.kind).toBe('text')
    expect(text.notes.some((n) => n.includes('does not copy'))).toBe(true)
  })

  it('pairs each PSK with its outside IP even when the tunnels come in another order', () => {
    const xml = importAwsXml(fixture('vpn-static.xml'))
    const reordered = importAwsText(fixture('vpn-static-generic-reordered.txt'))
    // The reordering is real: position 1 is a different tunnel in the two exports...
    expect(reordered.draft.remote.tunnels[0]!.outsideIp).toBe('203.0.113.164')
    expect(reordered.draft.remote.tunnels[0]!.psk).not.toBe(xml.draft.remote.tunnels[0]!.psk)
    // ...and every outside IP still carries its own PSK and inside CIDR.
    expect(byOutside(reordered)).toEqual(byOutside(xml))
    expect(byOutside(reordered)['203.0.113.36']).toEqual({ psk: PSK_A, insideCidr: '169.254.44.8/30' })
    expect(byOutside(reordered)['203.0.113.164']).toEqual({ psk: PSK_B, insideCidr: '169.254.201.4/30' })
  })

  it("treats AWS's YOUR_UPLINK_ADDRESS placeholder as a field still to fill in", () => {
    const imp = importAwsText(fixture('vpn-generic-placeholder.txt'))
    expect(imp.draft.gateway.publicIp).toBeUndefined()
    expect(imp.needs.map((n) => n.path)).toEqual(['/gateway/publicIp', '/gateway/privateCidrs', '/remote/dedicatedCidrs'])
    const filled = fillDraft(imp.draft, { publicIp: '34.120.5.6', privateCidrs: ['10.10.0.0/24'], dedicatedCidrs: ['10.200.0.0/16'] })
    expect(toCompleteDetails(filled)?.gateway.publicIp).toBe('34.120.5.6')
  })

  it('accepts Windows line endings', () => {
    const crlf = fixture('vpn-static-generic.txt').replace(/\n/g, '\r\n')
    expect(importAwsText(crlf).draft).toEqual(importAwsText(fixture('vpn-static-generic.txt')).draft)
  })
})

describe('hostile or broken exports give a clear UserError, never partial details', () => {
  const xml = fixture('vpn-static.xml')
  const text = fixture('vpn-static-generic.txt')

  it('refuses a DTD with entities (billion laughs) before parsing', () => {
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE vpn_connection [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n${xml.split('\n').slice(2).join('\n').replace(PSK_A, '&c;')}`
    expect(userError(() => importAwsXml(bomb)).code).toBe('aws-xml-dtd')
  })

  it('refuses files larger than AWS ever writes', () => {
    expect(userError(() => importAwsXml(`${xml}<!--${'x'.repeat(MAX_EXPORT_BYTES)}-->`)).code).toBe('aws-export-too-large')
    expect(userError(() => importAwsText(text + ' '.repeat(MAX_EXPORT_BYTES))).code).toBe('aws-export-too-large')
  })

  it('reports malformed XML with its line, without quoting the file', () => {
    const cut = xml.slice(0, xml.indexOf('</ike>'))
    const e = userError(() => importAwsXml(cut))
    expect(e.code).toBe('aws-xml-syntax')
    expect(e.message).toMatch(/line \d+, column \d+/)
    expect(e.message).not.toContain(PSK_A)
  })

  it('names the missing element and the tunnel', () => {
    const lines = xml.split('\n')
    const secondKey = lines.findIndex((l) => l.includes(PSK_B))
    const noKey = lines.filter((_, i) => i !== secondKey).join('\n')
    const e = userError(() => importAwsXml(noKey))
    expect(e.code).toBe('aws-export-psk')
    expect(e.message).toContain('#2')
    expect(e.message).not.toContain(PSK_A)
    const noOutside = xml.replace('<ip_address>203.0.113.164</ip_address>', '')
    expect(userError(() => importAwsXml(noOutside)).message).toMatch(/#2: <vpn_gateway><tunnel_outside_address><ip_address> is missing/)
  })

  it('wants exactly two tunnels, a vpn_connection root and an id', () => {
    const oneTunnel = xml.replace(/<ipsec_tunnel>[\s\S]*?<\/ipsec_tunnel>/, '')
    expect(userError(() => importAwsXml(oneTunnel)).code).toBe('aws-xml-tunnels')
    expect(userError(() => importAwsXml('<?xml version="1.0"?><config><a>1</a></config>')).code).toBe('aws-xml-root')
    expect(userError(() => importAwsXml(xml.replace('id="vpn-0a1b2c3d4e5f60718"', ''))).code).toBe('aws-xml-missing')
    expect(userError(() => importAwsXml('')).code).toBe('aws-export-empty')
  })

  it('refuses values that are not what AWS writes', () => {
    expect(userError(() => importAwsXml(xml.replace('<ip_address>203.0.113.36</ip_address>', '<ip_address>not-an-ip</ip_address>'))).code).toBe('aws-export-address')
    expect(userError(() => importAwsXml(xml.replace(/<network_cidr>30<\/network_cidr>/g, '<network_cidr>x</network_cidr>'))).code).toBe('aws-export-inside')
    expect(userError(() => importAwsXml(xml.replace(/<network_cidr>30<\/network_cidr>/g, '<network_cidr>29</network_cidr>'))).code).toBe('aws-export-inside')
    expect(userError(() => importAwsXml(xml.replace('203.0.113.164', '203.0.113.36'))).code).toBe('aws-export-tunnels')
    expect(userError(() => importAwsXml(xml.replace(/198\.51\.100\.7(?![\s\S]*198\.51\.100\.7)/, '198.51.100.8'))).code).toBe('aws-export-customer')
  })

  it('text exports: not one, wrong tunnel count, missing key', () => {
    expect(userError(() => importAwsText('hello\nworld\n')).code).toBe('aws-text-format')
    const third = text.replace('IPSec Tunnel #2', 'IPSec Tunnel #2\nIPSec Tunnel #3')
    expect(userError(() => importAwsText(third)).code).toBe('aws-text-tunnels')
    const noKey = text.replace(`Pre-Shared Key           : ${PSK_B}`, 'Pre-Shared Key           :')
    const e = userError(() => importAwsText(noKey))
    expect(e.code).toBe('aws-export-psk')
    expect(e.message).toContain('IPSec Tunnel #2')
  })

  it('any text at all: a draft with two tunnels or a UserError, nothing else', () => {
    const lines = xml.split('\n')
    const tlines = text.split('\n')
    const check = (fn: () => AwsImport) => {
      try {
        const imp = fn()
        expect(imp.draft.remote.tunnels).toHaveLength(2)
        for (const t of imp.draft.remote.tunnels) expect(t.psk).not.toBe('')
      } catch (err) {
        expect(err).toBeInstanceOf(UserError)
      }
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.nat(lines.length - 1), fc.nat(tlines.length - 1), fc.string({ maxLength: 30 }), (junk, i, j, insert) => {
        check(() => importAwsXml(junk))
        check(() => importAwsText(junk))
        check(() => importAwsXml(lines.map((l, k) => (k === i ? insert : l)).join('\n')))
        check(() => importAwsText(tlines.map((l, k) => (k === j ? insert : l)).join('\n')))
      }),
      { numRuns: 300 },
    )
  })
})
