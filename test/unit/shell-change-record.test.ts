// Change records: the Markdown and HTML say what changed, why, the diff, checks before/after and how
// to roll back; HTML is escaped and self-contained; masking hides public IPs; no secret survives.
import { describe, expect, it } from 'vitest'
import { toChangeRecordHtml, toChangeRecordMarkdown, toRollbackInstructions, type ChangeRecord } from '../../main/core/app-data/change-record'
import { toRedactor } from '../../main/core/base/redact'

const PSK = 'Qn7xV2._kdP3aZ4rT8mWyL3sHc6bJ9fE'
const REC: ChangeRecord = {
  id: 'r-0123456789abcdef',
  profileId: 'p-abcdef012345',
  profileName: 'HQ <script>alert(1)</script>',
  action: 'apply',
  at: '2025-03-01T10:00:00.000Z',
  user: 'ops',
  gateway: { host: 'gw.example.org', publicIp: '198.51.100.7', kind: 'strongswan', version: '5.9.8', hostKey: 'ssh-ed25519 SHA256:abc' },
  reason: 'Ticket CHG-42: first setup of the cloud.gov tunnels',
  outcome: 'committed',
  txnId: '20250301T100000Z-a1b2c3',
  stateDir: '/var/lib/tunnelwright',
  changes: [
    { path: '/etc/swanctl/conf.d/tunnelwright.conf', action: 'create', secret: false, diff: `--- /dev/null\n+++ b/etc/swanctl/conf.d/tunnelwright.conf\n+connections {\n+  # psk was ${PSK}\n+}` },
    { path: '/etc/swanctl/conf.d/tunnelwright.secrets', action: 'create', secret: true, diff: 'new secret file (content not shown)' },
  ],
  steps: [
    { step: 'BACKUP', at: 1740823200, detail: '' },
    { step: 'COMMITTED', at: 1740823260, detail: 'both tunnels up' },
  ],
  checksBefore: [{ id: 'fw.in.esp', severity: 'error', verdict: 'blocked', subject: '203.0.113.10 esp inbound', why: 'INPUT drops proto 50' }],
  checksAfter: [{ id: 'fw.in.esp', severity: 'ok', verdict: 'allowed', subject: '203.0.113.10 esp inbound', why: 'accepted by rule 3' }],
}

describe('change record', () => {
  const opts = { redact: toRedactor([PSK]) }

  it('Markdown says what, why, the diff, checks before/after and how to roll back', () => {
    const md = toChangeRecordMarkdown(REC, opts)
    expect(md).toContain('Ticket CHG-42')
    expect(md).toContain('### /etc/swanctl/conf.d/tunnelwright.conf (create)')
    expect(md).toContain('+connections {')
    expect(md).toContain('Secret file: content not shown')
    expect(md).toMatch(/## Checks before[\s\S]*fw\.in\.esp \| 203\.0\.113\.10 esp inbound \| blocked/)
    expect(md).toMatch(/## Checks after[\s\S]*allowed/)
    expect(md).toContain('tunnelwright rollback --host gw.example.org')
    expect(md).toContain('/var/lib/tunnelwright/20250301T100000Z-a1b2c3/')
    expect(md).not.toContain(PSK)
  })

  it('HTML is escaped, printable, self-contained, and holds no secret', () => {
    const html = toChangeRecordHtml(REC, opts)
    expect(html).not.toContain('<script>')
    expect(html).toContain('HQ &lt;script&gt;')
    expect(html).toContain("default-src 'none'")
    expect(html).toContain('@media print')
    expect(html).not.toMatch(/https?:\/\//)
    expect(html).toContain('<span class="add">+connections {</span>')
    expect(html).not.toContain(PSK)
  })

  it('masks public IPs when asked', () => {
    const md = toChangeRecordMarkdown(REC, { ...opts, maskPublicIps: true })
    expect(md).toContain('198.x.x.x')
    expect(md).not.toContain('198.51.100.7')
  })

  it('has nothing to roll back when the change did not commit', () => {
    expect(toRollbackInstructions({ ...REC, outcome: 'reverted' })[0]).toMatch(/Nothing to undo/)
  })
})
