// The desktop app's vendor preview (details:preview-vendor): every vendor kind renders from a profile
// draft (placeholder keys, then cut), with the steps in order and no key anywhere in the answer.
import { describe, expect, it } from 'vitest'
import { VENDOR_KINDS } from '../../main/core/base/vocabulary'
import { PREVIEW_PSKS } from '../../main/core/workflow/review'
import { previewVendorDraft } from '../../main/core/workflow/vendor-render'
import type { ProfileDetails } from '../../main/core/app-data/profiles'

const DRAFT = { name: 'agency', provider: 'cloud.gov', gateway: { publicIp: '34.120.5.6', privateCidrs: ['10.10.0.0/24'] }, remote: { dedicatedCidrs: ['10.200.0.0/16'], egressIps: [], tunnels: [{ outsideIp: '18.253.1.10', insideCidr: '169.254.44.8/30' }, { outsideIp: '18.253.2.20', insideCidr: '169.254.201.4/30' }] }, crypto: { ikeVersion: 2, encryption: 'aes256', integrity: 'sha256', dhGroup: 14, pfsGroup: 14, ikeLifetime: 28800, ipsecLifetime: 3600, dpd: { delay: 10, timeout: 30 } }, routing: 'auto' } as unknown as ProfileDetails

describe('previewVendorDraft', () => {
  it.each(VENDOR_KINDS.map((k) => [k]))('%s: both tunnels, the steps in order, the keys cut', (kind) => {
    const p = previewVendorDraft(DRAFT, { kind })
    expect(p.kind).toBe(kind)
    expect(p.files).toHaveLength(1)
    const text = JSON.stringify(p)
    for (const psk of PREVIEW_PSKS) expect(text).not.toContain(psk)
    expect(p.files[0]!.content).toContain('[redacted: the pre-shared key]')
    expect(p.files[0]!.content).toContain('18.253.1.10')
    expect(p.files[0]!.content).toContain('18.253.2.20')
    expect(p.steps.length).toBeGreaterThan(1)
    expect(p.connectionNames).toHaveLength(2)
  })

  it('a draft that cannot render is a clear UserError, not a partial configuration', () => {
    const bad = { ...DRAFT, remote: { ...(DRAFT as unknown as { remote: object }).remote, tunnels: [] } } as unknown as ProfileDetails
    expect(() => previewVendorDraft(bad, { kind: 'fortigate' })).toThrow(/tunnel/i)
  })
})
