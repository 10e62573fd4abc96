import t from 'tap'
import { ESLint, Linter } from 'eslint'
import tseslint from 'typescript-eslint'

/**
 * The layer rule of eslint.config.js as each folder gets it: only daemon/ and lib/flows/ import the call flows,
 * only lib/esl/ imports modesl. Checked on sample import lines with the folder's own `no-restricted-imports`
 * entry (the type-aware rules need files in the TypeScript project; this one does not).
 */
const eslint = new ESLint({ cwd: process.cwd() })

async function restricted(file: string, source: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, Linter.RuleEntry> }
  const rule = config.rules?.['no-restricted-imports']
  if (rule === undefined) return []
  const linter = new Linter({ configType: 'flat' })
  const messages = linter.verify(
    source,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        rules: { 'no-restricted-imports': rule },
      },
    ],
    file,
  )
  return messages.map((m) => m.message)
}

const flowsImport = "import type { FlowDeps } from '../flows/deps.js'\n"
const modeslImport = "import modesl from 'modesl'\n"

void t.test('only daemon/ and lib/flows/ import the call flows', async (t) => {
  for (const file of [
    'lib/jobs/x.ts',
    'lib/ctl/x.ts',
    'lib/mail/x.ts',
    'lib/web/x.ts',
    'lib/esl/x.ts',
    'lib/x.ts',
  ]) {
    t.match(await restricted(file, flowsImport), [/Only daemon\/ and lib\/flows\//], file)
  }
  t.match(
    await restricted('lib/mwi/x.ts', "export type { FlowDeps } from '../../lib/flows/deps.js'\n"),
    [/lib\/flows/],
    're-exports too',
  )
  t.same(
    await restricted('daemon/x.ts', "import { routeCall } from '../lib/flows/router.js'\n"),
    [],
    'daemon/',
  )
  t.same(await restricted('lib/flows/owner/x.ts', flowsImport), [], 'lib/flows/')
  t.same(await restricted('test/flows/x.test.ts', "import { x } from '../../lib/flows/x.js'\n"), [], 'tests')
  t.same(await restricted('lib/jobs/x.ts', "import { x } from '../quota/box-quota.js'\n"), [], 'other layers')
})

void t.test('only lib/esl/ imports modesl', async (t) => {
  for (const file of ['lib/mwi/x.ts', 'lib/flows/x.ts', 'daemon/x.ts', 'lib/ctl/x.ts']) {
    t.match(await restricted(file, modeslImport), [/Only lib\/esl\//], file)
  }
  t.same(await restricted('lib/esl/x.ts', modeslImport), [], 'lib/esl/')
  t.same(await restricted('test/support/x.ts', modeslImport), [], 'tests')
})
