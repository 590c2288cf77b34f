// Every check finding has built-in help in the renderer (offline): by its flow or its topic. The topics are
// read from the check sources themselves, so a new kind of finding without help fails here.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkFirewall } from '../../main/core/checks/firewall-check'
import { INPUT, loadScenario } from '../fixtures/firewall/load'
import { FINDING_HELP, toFindingHelp } from '../../renderer/src/help/help-texts'

describe('help for every finding', () => {
  it('every topic the checks can emit, and every flow, has a help topic', () => {
    const dir = 'main/core/checks'
    const topics = new Set(readdirSync(dir).flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/topic: '([\w.-]+)'/g)].map((m) => m[1]!)))
    expect(topics.size).toBeGreaterThan(10)
    const missing = [...topics, 'udp500', 'udp4500', 'esp'].filter((t) => FINDING_HELP[t] === undefined)
    expect(missing).toEqual([])
  })

  it('findings on captured gateways resolve to their help (flows by flow, the rest by topic)', () => {
    const findings = [...checkFirewall(INPUT, loadScenario('nft-drop-udp500')), ...checkFirewall(INPUT, loadScenario('nft-masq-wrong'))]
    for (const f of findings) expect(toFindingHelp(f), f.id).toBeDefined()
    const esp = findings.find((f) => f.subject.flow === 'esp')!
    expect(toFindingHelp(esp)?.title).toMatch(/ESP/)
    expect(toFindingHelp(findings.find((f) => f.id === 'kernel.rp_filter')!)?.title).toMatch(/Reverse-path/)
  })
})
