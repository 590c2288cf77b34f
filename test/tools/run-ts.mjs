// Runs a TypeScript entry (bench, lab CLI) the way the app ships: bundled by vite, then plain Node.
//
// Not tsx: ip-cidr 4 is ESM-only and its own `import ipAddress from 'ip-address'` breaks under
// tsx's CommonJS transform (the default import comes out undefined); vite's bundle gets it right.
import { createRequire } from 'node:module'
import { basename, join, resolve } from 'node:path'
import { build } from 'vite'

// --bundle: only build, and print the bundle's path (for a child process that must not carry vite).
const bundleOnly = process.argv[2] === '--bundle'
const [entry, ...args] = process.argv.slice(bundleOnly ? 3 : 2)
if (!entry) {
  console.error('usage: node test/tools/run-ts.mjs [--bundle] ENTRY.ts [args…]')
  process.exit(2)
}
const root = resolve(import.meta.dirname, '..', '..')
const outDir = join(root, 'node_modules', '.tmp', 'run-ts')
const name = basename(entry).replace(/\.[cm]?ts$/, '')
await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir,
    emptyOutDir: false,
    sourcemap: 'inline',
    lib: { entry: resolve(entry), formats: ['cjs'] },
    rollupOptions: { external: [/^node:/, 'ssh2', 'cpu-features', 'vite', 'vitest', /^@playwright\//, 'playwright-core'] },
  },
  ssr: { noExternal: true, external: ['ssh2', 'vite'] },
})
// Run in this process (not a child): signals such as Ctrl-C and SIGTERM reach the program itself.
const file = join(outDir, `${name}.js`)
if (bundleOnly) {
  console.log(file)
  process.exit(0)
}
process.setSourceMapsEnabled(true)
process.argv = [process.argv[0], file, ...args]
createRequire(import.meta.url)(file)
