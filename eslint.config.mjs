// Lint enforces the three rings (../shared/docs/house-style.md): main/core knows nothing of Electron,
// the renderer knows nothing of Node or main, and preload/api.ts is the only shared contract; the two
// faces (main/cli, main/shell) enter the core through one door (main/core/index.ts), and inside the core
// the base pieces and the gateway port import nothing above them.
import { dirname, relative, resolve } from 'node:path'
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const noElectron = { name: 'electron', message: 'main/core must not know it runs inside Electron: keep Electron in main/shell (the Electron face).' }
const ROOT = import.meta.dirname

/**
 * Where an import may lead, decided on the resolved path (not on its spelling). Each rule: the files it
 * applies to (`from`, minus `except`), the targets it forbids, and why.
 */
const RING_RULES = [
  { from: 'main/cli/', bad: (t) => t.startsWith('main/core/') && t !== 'main/core/index', message: 'The CLI enters the core through its one door: import from main/core (index.ts), nothing under it.' },
  { from: 'main/shell/', bad: (t) => t.startsWith('main/core/') && t !== 'main/core/index', message: 'The Electron shell enters the core through its one door: import from main/core (index.ts), nothing under it.' },
  { from: 'main/cli/', bad: (t) => /^(main\/shell|preload|renderer)\//.test(t), message: 'The CLI is a face of its own: it imports neither the Electron shell, the preload nor the renderer.' },
  { from: 'main/shell/', bad: (t) => t.startsWith('main/cli/'), message: 'The Electron shell is a face of its own: it does not import the CLI.' },
  { from: 'main/core/', bad: (t) => !t.startsWith('main/core/') && t !== 'package', message: 'main/core imports nothing outside it: no face (main/cli, main/shell), no preload/ contract, no renderer.' },
  { from: 'main/core/', except: ['main/core/index.ts'], bad: (t) => t === 'main/core/index', message: 'Only the faces use the door (main/core/index.ts); inside the core import the module itself.' },
  { from: 'main/core/base/', bad: (t) => t.startsWith('main/core/') && !t.startsWith('main/core/base/'), message: 'main/core/base is the bottom of the core: it imports only other base pieces.' },
  { from: 'main/core/gateway/', bad: (t) => /^main\/core\/(apply|checks|status|workflow|app-data)\//.test(t), message: 'The gateway port sits below apply, checks, status and the workflows: it must not import them.' },
  { from: 'main/core/', except: ['main/core/index.ts', 'main/core/workflow/'], bad: (t) => t.startsWith('main/core/workflow/'), message: 'The workflows sit on top of the core (the door exports them): nothing below imports them.' },
]

/** The import target as a repo path without extension (`main/core/index`), or undefined for packages. */
function toTarget(filename, spec) {
  if (!spec.startsWith('.')) return undefined
  const abs = resolve(dirname(filename), spec)
  return relative(ROOT, abs).split('\\').join('/').replace(/\.(ts|tsx|mts|json)$/, '').replace(/\/$/, '')
}

/** Folders imported by their index module (`../core` means `../core/index`). */
const FOLDER_INDEX = new Set(['main/core', 'main/shell/services', 'main/cli'])

const rings = {
  rules: {
    'one-door': {
      meta: { type: 'problem', schema: [] },
      create(context) {
        const file = relative(ROOT, context.filename).split('\\').join('/')
        const check = (node, spec) => {
          if (typeof spec !== 'string') return
          let target = toTarget(context.filename, spec)
          if (target === undefined) return
          if (FOLDER_INDEX.has(target)) target = `${target}/index`
          for (const r of RING_RULES) {
            if (!file.startsWith(r.from) || r.except?.some((e) => file.startsWith(e))) continue
            if (r.bad(target)) return context.report({ node, message: `${r.message} (${spec})` })
          }
        }
        return {
          ImportDeclaration: (n) => check(n, n.source.value),
          ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
          ExportAllDeclaration: (n) => check(n, n.source.value),
          ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
        }
      },
    },
  },
}

export default tseslint.config(
  { ignores: ['out/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench-results/**', '.lab-runs/**', '.lab-cache/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['main/**/*.ts'],
    plugins: { rings },
    rules: { 'rings/one-door': 'error' },
  },
  {
    files: ['main/core/**/*.ts', 'main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['electron/*'], message: noElectron.message }] }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer reaches the app only through window.tunnelwright.' }],
        patterns: [
          { regex: '^node:', message: 'The renderer is plain web code: no Node built-ins.' },
          { regex: '^(fs|path|os|child_process|net|crypto|util|stream|events|url|buffer)$', message: 'The renderer is plain web code: no Node built-ins.' },
          { group: ['**/main/**', '**/main'], message: 'The renderer must not import main/: use the bridge.' },
          { regex: 'preload/(?!api$)', message: 'Only preload/api is shared with the renderer.' },
          { regex: 'preload/api$', allowTypeImports: true, message: 'Import the contract with `import type` only.' },
        ],
      }],
    },
  },
  {
    files: ['preload/api.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '.*', message: 'preload/api.ts is the contract: no imports at all.' }] }],
    },
  },
  {
    files: ['preload/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!electron$|\\./api$).*', message: 'The sandboxed preload imports only electron and ./api.' }] }],
    },
  },
  {
    files: ['main/bin/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
