#!/usr/bin/env node
// The `tunnelwright` bin: runs the bundled CLI (built by `npm ci` via the prepare script, or `npm run build`).
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const bundle = join(__dirname, '..', '..', 'out', 'main', 'cli.js')
if (!existsSync(bundle)) {
  process.stderr.write('tunnelwright: the CLI is not built yet. Run `npm run build` (npm ci does it for you).\n')
  process.exit(2)
}
require(bundle)
  .main(process.argv.slice(2))
  .catch((err) => {
    process.stderr.write(`tunnelwright: internal error: ${err && err.name ? err.name : 'unknown'}\n`)
    process.exitCode = 1
  })
