import t, { type Test } from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError } from '../../lib/config/errors.js'
import { loadConfig } from '../../lib/config/load.js'

/** Inputs the fuzz tests found that broke a contract, kept as plain regression tests. */

async function loadText(t: Test, text: string): Promise<unknown> {
  const dir = t.testdir({})
  const file = join(dir, 'voicemaild.yaml')
  await writeFile(file, text)
  return loadConfig(file, {}, { cwd: dir }).catch((err: unknown) => err)
}

void t.test(
  'config: a merge key with a scalar source is a ConfigError, not a crash (fuzz seed 1137319389)',
  async (t) => {
    const err = await loadText(t, 'mwiAccounts: {}\n<<: 598544\nfrom: ""\n')
    t.type(err, ConfigError)
    t.match((err as ConfigError).issues[0]?.message, /Merge sources must be maps/)
  },
)

void t.test('config: an alias bomb is a ConfigError, not a crash', async (t) => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
  for (let i = 0; i < 8; i++) {
    const prev = String.fromCharCode(97 + i)
    const next = String.fromCharCode(98 + i)
    lines.push(
      `${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
    )
  }
  const err = await loadText(t, lines.join('\n') + '\n')
  t.type(err, ConfigError)
})
