// Lint enforces the three rings (../shared/docs/house-style.md): main/core knows nothing of Electron,
// the renderer knows nothing of Node or main, and preload/api.ts is the only shared contract.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const noElectron = { name: 'electron', message: 'main/core must not know it runs inside Electron: keep Electron in main/ (the shell).' }

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
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['electron/*'], message: noElectron.message }, { group: ['**/renderer/**', '../*.ts', '../ipc', '../window', '../index', '../cli'], message: 'main/core imports nothing above it (shell, CLI or renderer).' }] }],
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
