// The shell's services behind the bridge, with the real core: import → profile → secrets → export,
// render preview, lint, provider request, change records, diagnostics. Secrets go in and never come
// back out through any method's answer or any file other than the encrypted secret store.
//
// Gateway flows (connect/detect/check/plan/apply) need an SSH server and a strongSwan; they are not
// covered here (see the report): only their refusal when no session is open.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ARG_SCHEMAS, createHandlers } from '../../main/shell/ipc/handlers'
import { createShellServices } from '../../main/shell/services'
import type { ProfileDetails } from '../../main/core/app-data/profiles'
import type { EventPayloads, ProfileId } from '../../preload/api'
import { createTestEncryptor } from '../e2e/bridge'

const XML = readFileSync('test/fixtures/aws/vpn-static.xml', 'utf8')
const PSKS = [...XML.matchAll(/<pre_shared_key>([^<]+)<\/pre_shared_key>/g)].map((m) => m[1]!)

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-svc-'))
  const events: { event: string; payload: unknown }[] = []
  const saves: string[] = []
  const services = createShellServices({
    dataDir,
    encryptor: createTestEncryptor(),
    emit: (event, payload) => events.push({ event, payload }),
    chooseSavePath: async (o) => {
      const p = join(dataDir, o.defaultName)
      saves.push(p)
      return p
    },
    user: 'ops',
  })
  return { dataDir, services, events, saves, table: createHandlers(services) }
}

/** Every file under dir, as text. */
function allFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = []
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, name)
    if (statSync(p).isFile()) out.push({ path: p, text: readFileSync(p, 'utf8') })
  }
  return out
}

function complete(d: ProfileDetails): ProfileDetails {
  return { ...d, gateway: { ...d.gateway, privateCidrs: ['10.40.0.0/24'] }, remote: { ...d.remote, dedicatedCidrs: ['10.200.0.0/24'] } }
}

describe('shell services over the real core', () => {
  it('imports an AWS export without returning its PSKs, then adopts them into the secret store only', async () => {
    expect(PSKS).toHaveLength(2)
    const { services, dataDir, table } = setup()
    const imp = await table.importDetails.run({ text: XML, format: 'aws-xml' })
    expect(JSON.stringify(imp)).not.toContain(PSKS[0])
    expect(JSON.stringify(imp)).not.toContain(PSKS[1])
    expect(imp.secretsFound).toEqual({ psk1: true, psk2: true })
    expect(imp.needs.map((n) => n.path)).toEqual(expect.arrayContaining(['/gateway/privateCidrs', '/remote/dedicatedCidrs']))
    expect(imp.importId).toMatch(/^imp-/)

    const draft = complete(imp.draft as ProfileDetails)
    const saved = await table.saveProfile.run({ name: 'HQ', details: draft, connection: { host: 'gw.example.org', port: 22, username: 'admin', auth: 'password', useSudo: false }, adoptImport: imp.importId! })
    expect(saved.hasSecret).toMatchObject({ psk1: true, psk2: true, sshPassword: false })
    expect(JSON.stringify(saved)).not.toContain(PSKS[0])
    // The import is consumed: adopting it twice is refused.
    await expect(async () => table.saveProfile.run({ name: 'HQ2', details: draft, connection: saved.connection, adoptImport: imp.importId! })).rejects.toThrow(/no longer held/)

    // Lint with the stored PSKs: the lint sees them (no psk-missing finding) but never returns them.
    const lint = await table.lintDetails.run({ draft, profileId: saved.id })
    expect(lint.complete).toBe(true)
    expect(lint.findings.filter((f) => f.path.endsWith('/psk') && f.severity === 'error')).toEqual([])
    expect(JSON.stringify(lint)).not.toContain(PSKS[0])

    // setSecret answers only hasSecret.
    expect(await table.setSecret.run({ profileId: saved.id, slot: 'sshPassword', value: 'hunter2-hunter2-x' })).toEqual({ hasSecret: true })

    // Files on disk: only the secret store (encrypted) may relate to the secrets; nothing holds them in clear.
    for (const f of allFiles(dataDir)) {
      for (const s of [...PSKS, 'hunter2-hunter2-x']) expect(f.text.includes(s), `${f.path} holds a secret`).toBe(false)
    }
    void services
  })

  it("imports AWS's describe-vpn-connections JSON through the app's details-json path, and lets the app pick one of several", async () => {
    const { services, table } = setup()
    const text = readFileSync('test/fixtures/aws/vpn-describe-tunnel-options.json', 'utf8')
    // The app guesses "details-json" for anything starting with "{": the core recognises AWS's JSON.
    const imp = await table.importDetails.run({ text, format: 'details-json' })
    expect(imp.secretsFound).toEqual({ psk1: true, psk2: true })
    expect(JSON.stringify(imp)).not.toContain(PSKS[0])
    expect((imp.draft as ProfileDetails).tunnelOptions).toHaveLength(2)
    expect(imp.findings.some((f) => f.id === 'aws-proposal-none-acceptable')).toBe(true)
    // Several connections: the import fails with a code the app can act on, and the service lists them.
    const other = JSON.parse(readFileSync('test/fixtures/aws/real/awscli-create-vpn-connection-psk-insidecidr.json', 'utf8')).VpnConnection
    const two = JSON.stringify({ VpnConnections: [JSON.parse(text).VpnConnections[0], other] })
    expect(() => services.details.importDetails(two, 'details-json')).toThrow(expect.objectContaining({ code: 'aws-json-choose' }))
    expect(services.details.listAwsConnections(two).map((c) => [c.position, c.vpnConnectionId, c.routing])).toEqual([
      [1, 'vpn-0a1b2c3d4e5f60718', 'static'],
      [2, 'vpn-123123123123abcab', 'bgp'],
    ])
    expect(services.details.listAwsConnections(XML)).toEqual([])
    const picked = services.details.importDetails(two, 'aws-export', '2')
    expect(picked.draft.name).toBe('vpn-123123123123abcab')
    expect(picked.findings.find((f) => f.id === 'bgp-frr')?.severity).toBe('info')
    // The same through the IPC table, as the app's pick list uses it: the list, then the pick by position.
    const listed = await table.listAwsConnections.run({ text: two })
    expect(listed.map((c) => c.vpnConnectionId)).toEqual(['vpn-0a1b2c3d4e5f60718', 'vpn-123123123123abcab'])
    expect(JSON.stringify(listed)).not.toContain(PSKS[0])
    expect((await table.importDetails.run({ text: two, format: 'details-json', connection: '2' })).draft.name).toBe('vpn-123123123123abcab')
    await expect(Promise.resolve().then(() => table.importDetails.run({ text: two, format: 'details-json' }))).rejects.toMatchObject({ code: 'aws-json-choose', fix: 'Choose the connection to import from the list.' })
  })

  it('exports without secrets by default, with them only encrypted, and imports both back', async () => {
    const { table, saves } = setup()
    const imp = await table.importDetails.run({ text: XML, format: 'aws-xml' })
    const p = await table.saveProfile.run({ name: 'HQ', details: complete(imp.draft as ProfileDetails), connection: { host: 'gw.example.org', port: 22, username: 'admin', auth: 'password', useSudo: false }, adoptImport: imp.importId! })

    const plain = await table.exportProfile.run({ id: p.id, includeSecrets: false })
    expect(plain.saved).toBe(true)
    const plainText = readFileSync(saves[0]!, 'utf8')
    expect(plainText).not.toContain(PSKS[0])
    expect(JSON.parse(plainText).secrets).toBeUndefined()

    await table.exportProfile.run({ id: p.id, includeSecrets: true, passphrase: 'correct horse battery staple' })
    const encText = readFileSync(saves[1]!, 'utf8')
    for (const s of PSKS) expect(encText).not.toContain(s)
    expect(JSON.parse(encText).secrets.cipher).toBe('aes-256-gcm')

    await expect(async () => table.importProfile.run({ text: encText })).rejects.toThrow(/encrypted secrets/)
    await expect(async () => table.importProfile.run({ text: encText, passphrase: 'wrong horse battery staple' })).rejects.toThrow(/Could not open/)
    const back = await table.importProfile.run({ text: encText, passphrase: 'correct horse battery staple' })
    expect(back.hasSecret).toMatchObject({ psk1: true, psk2: true })
    expect(back.id).not.toBe(p.id)
    const noSecrets = await table.importProfile.run({ text: plainText })
    expect(noSecrets.hasSecret.psk1).toBe(false)
  })

  it('previews a render with every file shown, the keys cut from secret files, a plain summary, and no PSK anywhere', async () => {
    const { table } = setup()
    const imp = await table.importDetails.run({ text: XML, format: 'aws-xml' })
    for (const device of ['strongswan', 'strongswan-legacy', 'libreswan', 'pfsense'] as const) {
      const prev = await table.previewRender.run({ draft: complete(imp.draft as ProfileDetails), device })
      expect(prev.files.length).toBeGreaterThan(0)
      expect(prev.files.some((f) => f.secret)).toBe(true)
      // Cut, not withheld: the key is replaced where it stood and the rest of the file is there.
      for (const f of prev.files.filter((x) => x.secret)) {
        expect(f.content).toContain('[redacted: the pre-shared key]')
        expect(f.content.length).toBeGreaterThan(200)
      }
      if (device === 'strongswan') expect(prev.files.find((f) => f.secret)!.content).toMatch(/proposals = aes\d+-sha\d+-modp\d+/)
      expect(prev.summary.tunnels.map((t) => t.peer)).toEqual(imp.draft.remote.tunnels.map((t) => t.outsideIp))
      expect(prev.summary.tunnels[0].ike).toMatch(/^IKEv1 main mode, AES-\d+, SHA-\d+, DH group \d+/)
      expect(prev.summary.tunnels[0].starts.length).toBeGreaterThan(10)
      const text = JSON.stringify(prev)
      expect(text).not.toContain('TunnelwrightPreviewPsk')
      for (const s of PSKS) expect(text).not.toContain(s)
    }
  })

  it("previews a BGP export offline with FRR's section: the section only, marked as going into the gateway's own frr.conf, with the note on what the gateway needs", async () => {
    const { table } = setup()
    const imp = await table.importDetails.run({ text: readFileSync('test/fixtures/aws/vpn-bgp-tgw.xml', 'utf8'), format: 'aws-xml' })
    expect(imp.draft.bgp).toBeDefined()
    for (const device of ['strongswan', 'strongswan-legacy', 'libreswan'] as const) {
      const prev = await table.previewRender.run({ draft: { ...complete(imp.draft as ProfileDetails), routing: 'route' }, device })
      const frr = prev.files.filter((f) => f.path.startsWith('/etc/frr/'))
      expect(frr.map((f) => [f.path, f.mode, f.secret]), device).toEqual([[expect.stringMatching(/^\/etc\/frr\/frr\.conf\.tunnelwright-[a-z0-9-]+-section$/), 0o640, false]])
      expect(frr[0]!.role).toMatch(/not a whole file; it goes between its marker lines in the gateway's own \/etc\/frr\/frr\.conf/)
      expect(frr[0]!.content).toMatch(/^! tunnelwright:begin \S+ [^\n]*\n[\s\S]*\nrouter bgp \d+\n[\s\S]*\n! tunnelwright:end \S+\n$/)
      expect(prev.notes.find((n) => n.startsWith('BGP: '))).toMatch(/bgpd=yes in \/etc\/frr\/daemons[\s\S]*frr-reload\.py/)
    }
  })

  it('lints an unfinished form in words: what is missing per field, real problems beside it, no schema paths', async () => {
    const { table } = setup()
    const crypto = { ikeVersion: 1, encryption: 'aes256', integrity: 'md5', dhGroup: 2, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } } as const
    const draft = { name: '', provider: 'cloud.gov', gateway: { publicIp: '34.201.10.20', privateCidrs: ['10.40.0.0/24'] }, remote: { dedicatedCidrs: ['10.40.0.0/25'], egressIps: [], tunnels: [{ outsideIp: '', insideCidr: '' }, { outsideIp: '34.201.10.20', insideCidr: '169.254.1' }] }, crypto, routing: 'auto' } as const
    const parsed = ARG_SCHEMAS.lintDetails.parse([{ draft }])
    const r = await table.lintDetails.run(...parsed)
    expect(r.complete).toBe(false)
    const by = (path: string) => r.findings.filter((f) => f.path === path).map((f) => f.message)
    expect(by('/remote/tunnels/0/outsideIp')).toEqual([expect.stringMatching(/^Missing: tunnel 1's outside IP/)])
    expect(by('/remote/tunnels/1/insideCidr')).toEqual([expect.stringMatching(/^Tunnel 2's inside CIDR "169\.254\.1" is not an IPv4 CIDR\.$/)])
    expect(r.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['crypto-md5', 'outside-ip-is-gateway', 'cidr-overlap']))
    expect(r.findings.find((f) => f.id.startsWith('dh-'))?.message).toMatch(/DH group 2/)
    // The stand-ins that let lint judge the rest never show.
    expect(JSON.stringify(r)).not.toMatch(/240\.|169\.254\.250\./)
  })

  it('builds the provider request offline with findings', async () => {
    const { table } = setup()
    const r = await table.buildProviderRequest.run({ publicIp: '10.0.0.1', privateCidrs: ['10.40.0.1/24'], endpointType: 'strongswan', approxApps: 3 })
    expect(r.ready).toBe(false)
    expect(r.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['request-public-ip-not-public', 'request-cidr-host-bits']))
    const ok = await table.buildProviderRequest.run({ publicIp: '8.8.4.4', privateCidrs: ['10.40.0.0/24'], endpointType: 'pfsense', approxApps: 3 })
    expect(ok.ready).toBe(true)
    expect(ok.body).toContain('8.8.4.4')
    expect(ok.body).toContain('10.40.0.0/24')
    expect(ok.mailto).toMatch(/^mailto:support@cloud\.gov\?subject=/)
    expect(decodeURIComponent(ok.mailto.split('body=')[1]!)).toBe(ok.body)
  })

  it('keeps the request with the profile across instances, through the bridge\'s argument schema', async () => {
    const { dataDir, table } = setup()
    const imp = await table.importDetails.run({ text: XML, format: 'aws-xml' })
    const request = { name: 'HQ', organization: 'agency-org', contact: '', publicIp: '198.51.100.7', privateCidrs: ['10.40.0.0/24'], endpointType: 'strongswan' as const, endpointOther: '', approxApps: 3 }
    const connection = { host: 'gw.example.org', port: 22, username: 'admin', auth: 'password' as const, useSudo: false }
    const [input] = table.saveProfile.args.parse([{ name: 'HQ', details: complete(imp.draft as ProfileDetails), connection, request }])
    const saved = await table.saveProfile.run(input)
    expect(saved.request).toEqual(request)
    const again = createHandlers(createShellServices({ dataDir, encryptor: createTestEncryptor(), emit: () => undefined, chooseSavePath: async () => undefined }))
    expect((await again.getProfile.run(saved.id)).request).toEqual(request)
    // A save without the request (e.g. from the Gateway step of an older renderer) keeps it.
    await again.saveProfile.run({ id: saved.id, name: 'HQ', details: saved.details, connection })
    expect((await again.getProfile.run(saved.id)).request).toEqual(request)
    expect(table.saveProfile.args.safeParse([{ name: 'HQ', details: saved.details, connection, request: { ...request, approxApps: 1.5 } }]).success).toBe(false)
  })

  it('remembers settings across instances', async () => {
    const { dataDir, table } = setup()
    await table.updateSettings.run({ maskPublicIps: true })
    const again = createShellServices({ dataDir, encryptor: createTestEncryptor(), emit: () => undefined, chooseSavePath: async () => undefined })
    expect(again.settings.get()).toEqual({ screenShareSafe: false, maskPublicIps: true })
  })

  it('gateway methods refuse with not-connected before a session exists; cancel of an unknown job is false', async () => {
    const { table } = setup()
    const imp = await table.importDetails.run({ text: XML, format: 'aws-xml' })
    const p = await table.saveProfile.run({ name: 'HQ', details: complete(imp.draft as ProfileDetails), connection: { host: 'gw.example.org', port: 22, username: 'admin', auth: 'password', useSudo: false } })
    await expect(async () => table.detectGateway.run({ profileId: p.id })).rejects.toThrow(/Not connected/)
    await expect(async () => table.planChange.run({ profileId: p.id })).rejects.toThrow(/Not connected/)
    await expect(async () => table.connectGateway.run({ profileId: p.id })).rejects.toThrow(/SSH password is not set/)
    expect(await table.cancelJob.run('abcdefgh-1234' as never)).toEqual({ cancelled: false })
  })

  it('diagnostics bundle of a profile holds versions, lint and rendered configs, and no secret', async () => {
    const { table, saves } = setup()
    const imp = await table.importDetails.run({ text: XML, format: 'aws-xml' })
    const draft = { ...complete(imp.draft as ProfileDetails), gateway: { ...complete(imp.draft as ProfileDetails).gateway, kind: 'strongswan' as const } }
    const p = await table.saveProfile.run({ name: 'HQ', details: draft, connection: { host: 'gw.example.org', port: 22, username: 'admin', auth: 'password', useSudo: false }, adoptImport: imp.importId! })
    await table.setSecret.run({ profileId: p.id as ProfileId, slot: 'sshPassword', value: 'hunter2-hunter2-x' })
    const r = await table.exportDiagnostics.run({ profileId: p.id })
    expect(r.saved).toBe(true)
    const text = readFileSync(saves[0]!, 'utf8')
    const doc = JSON.parse(text)
    expect(doc.format).toBe('tunnelwright/diagnostics@1')
    expect(doc.versions.app).toBeDefined()
    expect(doc.rendered.length).toBeGreaterThan(0)
    expect(doc.activity.length).toBeGreaterThan(0)
    for (const s of [...PSKS, 'hunter2-hunter2-x']) {
      expect(text).not.toContain(s)
      expect(text).not.toContain(Buffer.from(s).toString('base64'))
    }
  })

  it('pushes job progress events with the job id', async () => {
    const { services, events } = setup()
    await services.jobs.run('job-abcdefgh', 'detect', async (ctx) => ctx.progress('DETECT', 'x'))
    expect(events[0]).toMatchObject({ event: 'job:progress', payload: { jobId: 'job-abcdefgh', kind: 'detect', step: 'DETECT' } })
    expect((events[0]!.payload as EventPayloads['onJobProgress']).at).toBeGreaterThan(0)
  })

  it('cancel ends a running job with "cancelled" at once', async () => {
    const { services } = setup()
    let release: () => void = () => undefined
    const running = services.jobs.run('job-cancelme', 'check', () => new Promise<void>((r) => (release = r)))
    expect(services.jobs.cancel('job-cancelme')).toBe(true)
    await expect(running).rejects.toMatchObject({ code: 'cancelled' })
    release()
    expect(services.jobs.running()).toEqual([])
  })
})
