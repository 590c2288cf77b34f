// An AWS export's BGP sessions and tunnel options travel the whole way the app takes them: the import, the
// Details form (which does not show them), the IPC schema of the form's lint, and the lint of an unfinished
// form. Before this, the form dropped them and a BGP VPN imported in the app linted (and saved) as static.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importDetailsText, lintPartialDraft } from '../../main/core'
import { ARG_SCHEMAS } from '../../main/shell/ipc/handlers'
import type { DetailsDraftDto } from '../../preload/api'
import { EMPTY_FORM, mergeImport, toDraft, toForm } from '../../renderer/src/features/details/details-store'

const AWS = join(__dirname, '../fixtures/aws')
const imported = (file: string, format: 'aws-xml' | 'details-json') => importDetailsText(readFileSync(join(AWS, file), 'utf8'), format).draft as unknown as DetailsDraftDto

describe('AWS facts beyond the form fields', () => {
  it('a BGP export: the form carries the sessions to the lint call, which the IPC schema accepts and lint judges', () => {
    const draft = imported('vpn-bgp-tgw.xml', 'aws-xml')
    expect(draft.bgp?.tunnels).toHaveLength(2)
    const { merged } = mergeImport({ ...EMPTY_FORM, publicIp: '198.51.100.7', privateCidrs: '10.40.0.0/24', dedicatedCidrs: '10.50.0.0/24' }, toForm(draft), 'aws-xml')
    const sent = toDraft(merged)
    expect(sent.bgp).toEqual(draft.bgp)
    const parsed = ARG_SCHEMAS.lintDetails.safeParse([{ draft: sent }])
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
    const ids = lintPartialDraft(parsed.data![0].draft, {}).findings.map((f) => f.id)
    expect(ids.some((id) => id.startsWith('bgp-'))).toBe(true)
  })

  it('JSON tunnel options survive the form, and a later static export clears an earlier BGP one', () => {
    const withOptions = imported('vpn-describe-tunnel-options.json', 'details-json')
    expect(withOptions.tunnelOptions?.length).toBeGreaterThan(0)
    expect(toDraft(toForm(withOptions)).tunnelOptions).toEqual(withOptions.tunnelOptions)

    const bgpForm = mergeImport(EMPTY_FORM, toForm(imported('vpn-bgp-tgw.xml', 'aws-xml')), 'aws-xml').merged
    expect(bgpForm.awsFacts?.bgp).toBeDefined()
    const after = mergeImport(bgpForm, toForm(imported('vpn-static.xml', 'aws-xml')), 'aws-xml')
    expect(after.merged.awsFacts).toBeUndefined()
    expect(after.replaced.awsFacts).toBeUndefined()
    expect(toDraft(after.replaced).bgp).toBeUndefined()
  })

  it('the IPC schema still refuses a malformed BGP section (ASN out of range)', () => {
    const draft = toDraft(toForm(imported('vpn-bgp-tgw.xml', 'aws-xml')))
    const bad = { ...draft, bgp: { tunnels: draft.bgp!.tunnels.map((t) => ({ ...t, awsAsn: 2 ** 32 + 5 })) } }
    expect(ARG_SCHEMAS.lintDetails.safeParse([{ draft: bad }]).success).toBe(false)
  })
})
