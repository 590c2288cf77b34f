// Remembered settings and window state (settings.json in the app data folder).
import { existsSync } from 'node:fs'
import { z } from 'zod'
import { readBoundedTextSync, writePrivateFile } from '../../core'

/** The user settings (the contract's Settings). */
export const SettingsSchema = z.strictObject({ screenShareSafe: z.boolean().default(false), maskPublicIps: z.boolean().default(false) })
/** Parsed settings. */
export type SettingsValue = z.infer<typeof SettingsSchema>

/** Window bounds to restore. */
export const WindowState = z.strictObject({ x: z.int().optional(), y: z.int().optional(), width: z.int().min(400).max(10000), height: z.int().min(300).max(10000), maximized: z.boolean().default(false) })
/** Parsed window state. */
export type WindowStateValue = z.infer<typeof WindowState>

const FileSchema = z.object({ settings: SettingsSchema.default({ screenShareSafe: false, maskPublicIps: false }), window: WindowState.optional() })

/** Settings backed by one file; a corrupt file falls back to defaults (settings hold nothing critical). */
export class SettingsStore {
  #data: z.infer<typeof FileSchema>

  constructor(private readonly file: string) {
    let raw: unknown = {}
    try {
      if (existsSync(file)) raw = JSON.parse(readBoundedTextSync(file, { what: 'the settings file', maxBytes: 64 * 1024, code: 'settings-unreadable' }))
    } catch {
      raw = {}
    }
    const parsed = FileSchema.safeParse(raw)
    this.#data = parsed.success ? parsed.data : FileSchema.parse({})
  }

  /** The current settings. */
  get(): SettingsValue {
    return this.#data.settings
  }

  /** Applies a partial update and saves. */
  update(patch: Partial<SettingsValue>): SettingsValue {
    this.#data = { ...this.#data, settings: SettingsSchema.parse({ ...this.#data.settings, ...patch }) }
    this.#save()
    return this.#data.settings
  }

  /** The remembered window bounds. */
  getWindow(): WindowStateValue | undefined {
    return this.#data.window
  }

  /** Remembers the window bounds. */
  setWindow(state: WindowStateValue): void {
    const parsed = WindowState.safeParse(state)
    if (!parsed.success) return
    this.#data = { ...this.#data, window: parsed.data }
    this.#save()
  }

  #save(): void {
    writePrivateFile(this.file, JSON.stringify(this.#data, null, 2) + '\n')
  }
}
