import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DETAILS_SCHEMA_PATH, toDetailsSchemaText } from '../../main/core/details/schema-file'

const file = join(__dirname, '../..', DETAILS_SCHEMA_PATH)
const REGENERATE = 'TW_WRITE_SCHEMA=1 npx vitest run --project unit test/unit/details-schema.test.ts'

describe('templates/details.schema.json', () => {
  // Regenerating is this test with TW_WRITE_SCHEMA=1: it writes the file, then checks it like any run.
  if (process.env.TW_WRITE_SCHEMA === '1') writeFileSync(file, toDetailsSchemaText())

  it('is exactly what the zod model generates (stale → regenerate)', () => {
    expect(existsSync(file), `missing ${DETAILS_SCHEMA_PATH}; run: ${REGENERATE}`).toBe(true)
    const onDisk = readFileSync(file, 'utf8')
    expect(onDisk === toDetailsSchemaText(), `${DETAILS_SCHEMA_PATH} is stale: the model changed. Run: ${REGENERATE}`).toBe(true)
  })

  it('describes the details format an editor can validate against', () => {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as { $schema: string; required: string[]; properties: Record<string, { const?: string }>; additionalProperties: boolean }
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema.properties.format?.const).toBe('tunnelwright/details@1')
    expect(schema.required).toEqual(expect.arrayContaining(['format', 'name', 'provider', 'gateway', 'remote']))
    expect(schema.additionalProperties).toBe(false)
  })
})
