// Root postinstall: fetch the Electron binary on a workstation, skip it offline.
//
// Electron >= 42 has no install script of its own and downloads lazily on first require(),
// which electron-vite never triggers; without this a fresh `npm ci && npm start` fails with
// "Electron uninstall". Offline machines and CI set ELECTRON_SKIP_BINARY_DOWNLOAD=1.
const { spawnSync } = require('node:child_process')

const skip = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD || process.env.npm_config_electron_skip_binary_download
if (skip && skip !== '0' && skip !== 'false') {
  console.log('[ensure-electron] ELECTRON_SKIP_BINARY_DOWNLOAD set: not downloading the Electron binary')
  process.exit(0)
}
let installJs
try {
  installJs = require.resolve('electron/install.js')
} catch {
  process.exit(0) // installed with --omit=dev: nothing to fetch
}
const r = spawnSync(process.execPath, [installJs], { stdio: 'inherit' })
if (r.status !== 0) {
  console.error('[ensure-electron] Electron download failed. Offline? Re-run with ELECTRON_SKIP_BINARY_DOWNLOAD=1 (the app then cannot start here, everything else works).')
}
process.exit(r.status ?? 1)
