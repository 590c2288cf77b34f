// The three rings are enforced by lint: prove each boundary rejects a violation (and accepts the legal form).
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: `${__dirname}/../..` })

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal:${m.message}`)
}

describe('ring boundaries', () => {
  it('main/core may not import electron', async () => {
    expect(await ruleIds("import { app } from 'electron'\nexport const x = app\n", 'main/core/probe.ts')).toContain('no-restricted-imports')
    expect(await ruleIds("import { ipcMain } from 'electron/main'\nexport const x = ipcMain\n", 'main/core/probe.ts')).toContain('no-restricted-imports')
  })

  it('main/core may import Node built-ins', async () => {
    expect(await ruleIds("import { readFile } from 'node:fs/promises'\nexport const x = readFile\n", 'main/core/probe.ts')).toEqual([])
  })

  it('the renderer may import neither electron, node:* nor main/', async () => {
    for (const spec of ['electron', 'node:fs', 'fs', '../../main/core/app-info']) {
      expect(await ruleIds(`import * as m from '${spec}'\nexport const x = m\n`, 'renderer/src/probe.ts'), spec).toContain('no-restricted-imports')
    }
  })

  it('the renderer imports preload/api as types only', async () => {
    expect(await ruleIds("import { CHANNELS } from '../../preload/api'\nexport const x = CHANNELS\n", 'renderer/src/probe.ts')).toContain('no-restricted-imports')
    expect(await ruleIds("import type { AppInfo } from '../../preload/api'\nexport type X = AppInfo\n", 'renderer/src/probe.ts')).toEqual([])
  })

  it('preload/api.ts imports nothing', async () => {
    expect(await ruleIds("import { z } from 'zod'\nexport const x = z\n", 'preload/api.ts')).toContain('no-restricted-imports')
  })
})
