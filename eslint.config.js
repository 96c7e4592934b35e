// Lint rules are chosen one by one rather than taken from a recommended set, so each rule here is one the
// code base has agreed to keep clean. Further blocks (for example import boundaries) are appended to the list.
import { defineConfig, globalIgnores } from 'eslint/config'
import tseslint from 'typescript-eslint'

// The sources compiled by tsconfig.json; the rules below need its type information.
const typeScriptSources = ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts']

export default defineConfig([
  // Build output, installed packages and what runs leave behind (see .gitignore).
  globalIgnores(['dist/', 'node_modules/', '.cache/', 'data/', 'test-artifacts/']),
  {
    files: typeScriptSources,
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test tracks every test and suite it is handed and reports their failures itself.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // An explicit `default` is an accepted way to cover the rest of a union.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // Module doors (docs/architecture.md "Floors"): another module is imported through its index.ts, never a
    // file behind it. Tests may reach any file, as they mirror src/.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(syntax|runtime|http|pprof|cluster|server|metrics)/(?!index\\.js$)',
              message: "Import another module through its door, its index.js (docs/architecture.md 'Doors').",
            },
            {
              regex: '^(\\.\\./)+(components/)?(pyroscope/)?(scrape|write|receive_http|discovery|common)/(?!index\\.js$)',
              message: "Import a component's module through its door, its index.js (docs/architecture.md 'Doors').",
            },
          ],
        },
      ],
    },
  },
])
