// The published JSON Schema file (templates/details.schema.json), generated from the zod model.
import { detailsJsonSchema } from './model'

/** Where the schema is published, relative to the repository root. */
export const DETAILS_SCHEMA_PATH = 'templates/details.schema.json'

/**
 * The exact text of templates/details.schema.json. A unit test fails when the file is stale;
 * regenerate with `TW_WRITE_SCHEMA=1 npx vitest run --project unit test/unit/details-schema.test.ts`.
 */
export function toDetailsSchemaText(): string {
  return `${JSON.stringify(detailsJsonSchema(), null, 2)}\n`
}
