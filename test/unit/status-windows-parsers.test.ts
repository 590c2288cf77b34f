// Windows Server read-only status, parsers only (not read over SSH yet): Get-VpnS2SInterface on the output
// Microsoft documents (verbatim, test/fixtures/status/vendors/windows-server/ms-docs-*), and two HANDWRITTEN
// files that use the property names of the MSFT_NetMainModeSA / MSFT_NetQuickModeSA classes (no published
// Get-NetIPsecMainModeSA / Get-NetIPsecQuickModeSA output was found), mapped into the shared status model.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readVendorStatus } from '../../main/core/status/vendor'
import { parseFormatList, parseMainModeSas, parseQuickModeSas, parseVpnS2SInterfaces, parseWindowsStatus, WINDOWS_STATUS_COMMANDS } from '../../main/core/status/vendor/windows'

const fx = (name: string) => readFileSync(join(__dirname, '../fixtures/status/vendors/windows-server', name), 'utf8')
const details = (peers: readonly [string, string]) => ({ name: 'HQ east', remote: { tunnels: peers.map((outsideIp, i) => ({ outsideIp, insideCidr: `169.254.1${i}.0/30` })) } }) as never

describe('Windows Server: Get-VpnS2SInterface (Microsoft documented output)', () => {
  it('Format-List (Example 2): the interface, its destination, state, protocol and last error; trailing blanks ignored', () => {
    expect(parseVpnS2SInterfaces(fx('ms-docs-get-vpns2sinterface-format-list.txt'))).toEqual([{ name: 'edge1', destinations: ['131.107.0.2'], adminUp: true, connectionState: 'Disconnected', protocol: 'Ikev2', lastError: 0 }])
    // Every documented property is read, empty ones as empty strings.
    const [r] = parseFormatList(fx('ms-docs-get-vpns2sinterface-format-list.txt'))
    expect(Object.keys(r!)).toHaveLength(31)
    expect(r!['SALifeTime(s)']).toBe('3600')
    expect(r!['PfsGroup']).toBe('')
  })

  it('the default table (Example 1) reads the same interface', () => {
    const table = parseVpnS2SInterfaces(fx('ms-docs-get-vpns2sinterface-table.txt'))
    expect(table).toEqual([{ name: 'edge1', destinations: ['131.107.0.2'], adminUp: true, connectionState: 'Disconnected' }])
  })

  it('the same object as Connect-VpnS2SInterface -PassThru prints it (Microsoft\'s example): a Connected interface', () => {
    expect(parseVpnS2SInterfaces(fx('ms-docs-connect-vpns2sinterface-passthru-table.txt'))).toEqual([{ name: '2-edge1', destinations: ['131.107.0.20'], adminUp: true, connectionState: 'Connected' }])
  })

  it('a row published with a leading blank (Disconnect-VpnS2SInterface -PassThru example) is still read', () => {
    expect(parseVpnS2SInterfaces(fx('ms-docs-disconnect-vpns2sinterface-passthru-table.txt'))).toEqual([{ name: '2-edge1', destinations: ['131.107.0.20'], adminUp: true, connectionState: 'Connected' }])
  })

  it('a multi-tenant gateway\'s table has a RoutingDomain column first (Add-VpnS2SInterface example 3): the name is the second column, not the domain', () => {
    expect(parseVpnS2SInterfaces(fx('ms-docs-add-vpns2sinterface-routingdomain-table.txt'))).toEqual([{ name: 'Blue-Tunnel-2', destinations: ['100.0.0.7'], adminUp: true, connectionState: 'Disconnected' }])
  })

  it('one of two tunnels down, COMPOSED from two published tables (Connect example: 2-edge1 Connected; Get example 1: edge1 Disconnected): tunnel 1 up, tunnel 2 down and diagnosed', () => {
    const s2s = fx('ms-docs-connect-vpns2sinterface-passthru-table.txt') + fx('ms-docs-get-vpns2sinterface-table.txt')
    const r = readVendorStatus('windows-server', details(['131.107.0.20', '131.107.0.2']), { s2s }, { at: 1_000 })
    expect(r.snapshot.tunnels.map((t) => [t.name, t.peer, t.up, t.ikeState, t.childSaCount, t.deviceState])).toEqual([
      ['hq-east-t1', '131.107.0.20', true, 'ESTABLISHED', 1, 'Connected'],
      ['hq-east-t2', '131.107.0.2', false, 'DOWN', 0, 'Disconnected'],
    ])
    expect(r.diagnoses.filter((d) => d.severity === 'error' || d.id === 'not-reinitiated').map((d) => [d.id, d.tunnel])).toEqual([['not-reinitiated', 'hq-east-t2']])
  })

  it('a Disconnected interface to an AWS peer is down, named after its tunnel, with the not-re-initiated diagnosis', () => {
    const r = readVendorStatus('windows-server', details(['131.107.0.2', '198.51.100.9']), { s2s: fx('ms-docs-get-vpns2sinterface-format-list.txt') }, { at: 1_000 })
    expect(r.source).toBe('windows-server')
    expect(r.snapshot.tunnels.map((t) => [t.name, t.peer, t.up, t.ikeState, t.deviceState])).toEqual([
      ['hq-east-t1', '131.107.0.2', false, 'DOWN', 'Disconnected'],
      ['hq-east-t2', '198.51.100.9', false, undefined, undefined],
    ])
    expect(r.diagnoses.filter((d) => d.id === 'not-reinitiated').map((d) => d.tunnel)).toEqual(['hq-east-t1', 'hq-east-t2'])
  })
})

describe('Windows Server: main mode and quick mode SAs (HANDWRITTEN, documented property names)', () => {
  it('main mode SA: endpoints, IKEv1, algorithms; NAT-T from the UDP encapsulation port', () => {
    expect(parseMainModeSas(fx('HANDWRITTEN-get-netipsecmainmodesa.txt'))).toEqual([{ id: '7', local: '34.201.10.20', remote: '52.1.2.3', keyModule: 'IkeV1', algorithms: 'AES256/SHA256/DH14', natT: false }])
    expect(parseMainModeSas(fx('HANDWRITTEN-get-netipsecmainmodesa.txt').replace('RemoteUdpEncapsulationPort : 0', 'RemoteUdpEncapsulationPort : 4500'))[0]!.natT).toBe(true)
  })

  it('quick mode SAs: one per direction, the decimal SPI in the model\'s hex form', () => {
    expect(parseQuickModeSas(fx('HANDWRITTEN-get-netipsecquickmodesa.txt')).map((q) => [q.remote, q.inbound, q.spi, q.mainModeId])).toEqual([
      ['52.1.2.3', true, 'cafe0000', '7'],
      ['52.1.2.3', false, 'abcdef01', '7'],
    ])
  })

  it('policy-based (main mode + quick mode SAs) and route-based (RRAS Connecting) side by side: tunnel 1 up with its SPIs, tunnel 2 stuck negotiating', () => {
    const outputs = { s2s: fx('HANDWRITTEN-two-tunnels-connected-and-connecting.txt'), mm: fx('HANDWRITTEN-get-netipsecmainmodesa.txt'), qm: fx('HANDWRITTEN-get-netipsecquickmodesa.txt') }
    const sas = parseWindowsStatus(outputs)
    expect(sas.map((s) => [s.remoteHost, s.state, s.version, s.children.length])).toEqual([
      ['52.1.2.3', 'ESTABLISHED', 1, 1],
      ['52.1.2.4', 'CONNECTING', 2, 0],
    ])
    const r = readVendorStatus('windows-server', details(['52.1.2.3', '52.1.2.4']), outputs, { at: 1_000 })
    const [t1, t2] = r.snapshot.tunnels
    expect(t1).toMatchObject({ name: 'hq-east-t1', up: true, spiIn: 'cafe0000', spiOut: 'abcdef01', ikeAlgorithms: 'AES256/SHA256/DH14' })
    expect(t2).toMatchObject({ name: 'hq-east-t2', up: false, ikeState: 'CONNECTING', deviceState: 'Connecting (error 13801)' })
    const stuck = r.diagnoses.find((d) => d.tunnel === 'hq-east-t2')
    expect(stuck?.id).toBe('ike-no-answer')
    expect(stuck?.evidence.join(' ')).toMatch(/windows-server says Connecting \(error 13801\)/)
    expect(r.diagnoses.some((d) => d.tunnel === 'hq-east-t1' && d.severity === 'error')).toBe(false)
  })

  it('an RRAS interface that is Connected counts as up even when no quick mode SA is listed (RRAS says Connected only with its IKEv2 child SA)', () => {
    const r = readVendorStatus('windows-server', details(['52.1.2.3', '52.1.2.4']), { s2s: fx('HANDWRITTEN-two-tunnels-connected-and-connecting.txt') }, { at: 1_000 })
    expect(r.snapshot.tunnels.map((t) => [t.peer, t.up])).toEqual([['52.1.2.3', true], ['52.1.2.4', false]])
  })

  it('the status commands only read (Get- cmdlets piped to Format-List)', () => {
    for (const c of WINDOWS_STATUS_COMMANDS) expect(c.line).toMatch(/^Get-[A-Za-z0-9]+ \| Format-List -Property \* \| Out-String -Width 4096$/)
  })

  it('garbage or empty output yields no SA rather than a wrong one', () => {
    expect(parseWindowsStatus({ s2s: 'Get-VpnS2SInterface : The term is not recognized\n', mm: '', qm: 'Name : x\nRemoteEndpoint : not-an-ip\nSPI : 1\n' })).toEqual([])
  })
})
