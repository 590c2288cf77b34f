// The rings and the one door are enforced by lint: prove each rule rejects a violation (and accepts the
// legal form), with a probe file at the place the rule guards.
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: `${__dirname}/../..` })

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal:${m.message}`)
}

/** Lint's verdict on one import line in a probe file. */
async function importing(spec: string, filePath: string): Promise<string[]> {
  return ruleIds(`import * as m from '${spec}'\nexport const x = m\n`, filePath)
}

const RING = 'rings/one-door'

describe('ring boundaries', () => {
  it('main/core may not import electron', async () => {
    expect(await ruleIds("import { app } from 'electron'\nexport const x = app\n", 'main/core/probe.ts')).toContain('no-restricted-imports')
    expect(await ruleIds("import { ipcMain } from 'electron/main'\nexport const x = ipcMain\n", 'main/core/probe.ts')).toContain('no-restricted-imports')
  })

  it('main/core may import Node built-ins', async () => {
    expect(await ruleIds("import { readFile } from 'node:fs/promises'\nexport const x = readFile\n", 'main/core/probe.ts')).toEqual([])
  })

  it('the renderer may import neither electron, node:* nor main/', async () => {
    for (const spec of ['electron', 'node:fs', 'fs', '../../main/core/base/app-info']) {
      expect(await importing(spec, 'renderer/src/probe.ts'), spec).toContain('no-restricted-imports')
    }
  })

  it('the renderer imports preload/api as types only', async () => {
    expect(await ruleIds("import { CHANNELS } from '../../preload/api'\nexport const x = CHANNELS\n", 'renderer/src/probe.ts')).toContain('no-restricted-imports')
    expect(await ruleIds("import type { AppInfo } from '../../preload/api'\nexport type X = AppInfo\n", 'renderer/src/probe.ts')).toEqual([])
  })

  it('preload/api.ts imports nothing', async () => {
    expect(await importing('zod', 'preload/api.ts')).toContain('no-restricted-imports')
  })
})

describe('one door into the core', () => {
  it('the CLI imports the door and nothing under it', async () => {
    expect(await importing('../../core', 'main/cli/commands/probe.ts')).toEqual([])
    expect(await importing('../core', 'main/cli/probe.ts')).toEqual([])
    expect(await importing('../../core/status/read', 'main/cli/commands/probe.ts')).toContain(RING)
    expect(await importing('../core/workflow/change', 'main/cli/probe.ts')).toContain(RING)
    // Spelled to the door's file, it is still the door.
    expect(await importing('../core/index', 'main/cli/probe.ts')).toEqual([])
  })

  it('the Electron shell imports the door and nothing under it', async () => {
    expect(await importing('../../core', 'main/shell/services/probe.ts')).toEqual([])
    expect(await importing('../../core/app-data/profiles', 'main/shell/services/probe.ts')).toContain(RING)
    expect(await importing('../core/ssh/session', 'main/shell/probe.ts')).toContain(RING)
  })

  it('the faces do not import each other; the CLI knows no Electron and no contract', async () => {
    expect(await importing('../shell/services', 'main/cli/probe.ts')).toContain(RING)
    expect(await importing('../cli', 'main/shell/probe.ts')).toContain(RING)
    expect(await importing('../../preload/api', 'main/cli/probe.ts')).toContain(RING)
    expect(await ruleIds("import { app } from 'electron'\nexport const x = app\n", 'main/cli/probe.ts')).toContain('no-restricted-imports')
  })

  it('the core imports no face, not the contract, not the renderer', async () => {
    expect(await importing('../../cli', 'main/core/status/probe.ts')).toContain(RING)
    expect(await importing('../../shell/services', 'main/core/workflow/probe.ts')).toContain(RING)
    expect(await importing('../../../preload/api', 'main/core/base/probe.ts')).toContain(RING)
    expect(await importing('../../../renderer/src/app-store', 'main/core/render/probe.ts')).toContain(RING)
    // package.json (the version) is the one file outside main/core it reads.
    expect(await importing('../../../package.json', 'main/core/base/probe.ts')).toEqual([])
  })

  it('inside the core nothing uses the door; only the door and the workflows import the workflows', async () => {
    expect(await importing('..', 'main/core/status/probe.ts')).toContain(RING)
    expect(await importing('../workflow/change', 'main/core/status/probe.ts')).toContain(RING)
    expect(await importing('./workflow/change', 'main/core/index.ts')).toEqual([])
    expect(await importing('./change', 'main/core/workflow/probe.ts')).toEqual([])
  })

  it('base imports only base; the gateway port imports nothing from apply, checks, status, workflow or app data', async () => {
    expect(await importing('./secret', 'main/core/base/probe.ts')).toEqual([])
    expect(await importing('../details/model', 'main/core/base/probe.ts')).toContain(RING)
    expect(await importing('../apply/engine', 'main/core/base/probe.ts')).toContain(RING)
    for (const spec of ['../apply/engine', '../checks/model', '../status/read', '../workflow/gateway', '../app-data/profiles']) {
      expect(await importing(spec, 'main/core/gateway/probe.ts'), spec).toContain(RING)
    }
    expect(await importing('../details/model', 'main/core/gateway/probe.ts')).toEqual([])
    expect(await importing('../ssh/quote', 'main/core/gateway/probe.ts')).toEqual([])
  })
})
