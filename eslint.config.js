// @ts-check
import tseslint from 'typescript-eslint'

// The layers: the call flows sit on top, only the daemon wires them in, and only
// lib/esl speaks FreeSWITCH's wire protocol. The rule, not a reviewer, keeps it so. Tests may import anything, and
// so may the bench (its baseline is modesl as published, on purpose: bench/baseline-process.ts).
const onlyDaemonImportsFlows = {
  regex: '(^|/)flows(/|$)',
  message:
    'Only daemon/ and lib/flows/ import the call flows: put what is shared below them (lib/contracts, lib/quota, lib/lifecycle).',
}
const onlyEslImportsModesl = {
  name: 'modesl',
  message: 'Only lib/esl/ talks to FreeSWITCH through modesl: use its Call, InboundLink or requests.',
}
/** `no-restricted-imports` for a folder: one rule entry per file (a later entry would replace an earlier one). */
function layerRule(files, ignores, restrictions) {
  const patterns = restrictions.filter((r) => 'regex' in r)
  const paths = restrictions.filter((r) => 'name' in r)
  return { files, ignores, rules: { 'no-restricted-imports': ['error', { patterns, paths }] } }
}
const sources = ['**/*.ts', '**/*.js', '**/*.mjs']

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      '.tap/',
      'var/',
      'eslint.config.js',
      'test/coverage-map.js',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // Plain-JS helper scripts (run by .ci/run with node) are linted outside the TypeScript project.
      parserOptions: {
        projectService: { allowDefaultProject: ['scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layerRule(
    sources,
    ['test/**', 'bench/**', 'daemon/**', 'lib/flows/**', 'lib/esl/**'],
    [onlyDaemonImportsFlows, onlyEslImportsModesl],
  ),
  layerRule(['daemon/**', 'lib/flows/**'], [], [onlyEslImportsModesl]),
  layerRule(['bench/**'], [], [onlyDaemonImportsFlows]),
  layerRule(['lib/esl/**'], [], [onlyDaemonImportsFlows]),
  {
    // The voicemail page's browser scripts: plain JavaScript shipped as it is, linted without type information.
    files: ['lib/web/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
)
