// The installers cannot be built here (no Electron binary can be fetched); check the config as far as
// electron-builder itself can: its own schema validation, and the facts this product depends on.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const root = join(__dirname, '../..')

describe('electron-builder.yml', () => {
  const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8'))

  it("passes electron-builder's own schema validation", async () => {
    const { getConfig, validateConfiguration } = await import('app-builder-lib/out/util/config/config.js')
    const { DebugLogger } = await import('builder-util')
    const merged = await getConfig(root, join(root, 'electron-builder.yml'), null)
    await expect(validateConfiguration(merged, new DebugLogger(false))).resolves.toBeUndefined()
    // And a misspelt option is rejected, so the check above can fail.
    await expect(validateConfiguration({ ...merged, nsis: { ...merged.nsis, oneClikc: false } } as never, new DebugLogger(false))).rejects.toThrow()
  })

  it('builds the installers agencies deploy', () => {
    const targets = (os: string) => (config[os].target as { target: string }[]).map((t) => t.target)
    expect(targets('win')).toEqual(['nsis', 'msi'])
    expect(targets('mac')).toEqual(['dmg'])
    expect(targets('linux')).toEqual(['AppImage', 'deb'])
  })

  it('ships the templates and sets the release fuses', () => {
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'templates', to: 'templates' }))
    expect(config.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true })
    expect(config.npmRebuild).toBe(false)
  })

  it('package.json has what the deb target requires', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    for (const k of ['description', 'author', 'homepage', 'version', 'main']) expect(pkg[k], k).toBeTruthy()
  })
})
