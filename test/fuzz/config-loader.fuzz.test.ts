import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { ConfigError } from '../../lib/config/errors.js'
import { formatConfigError } from '../../lib/config/format.js'
import { loadConfig } from '../../lib/config/load.js'
import { fuzz, type Fuzz } from './fuzz-support.js'

/**
 * SPEC §8 "invalid config → a clear error": random YAML documents (random trees over the real keys, random
 * values, and raw text mutations: tabs, unbalanced brackets, anchors, merge keys, duplicate keys) through the
 * real loader. It resolves with a Config or rejects with a ConfigError whose report formats; nothing else.
 */
const KEYS = [
  'stateDir',
  'listen',
  'host',
  'port',
  'allowFrom',
  'freeswitch',
  'password',
  'smtp',
  'secure',
  'requireTls',
  'user',
  'from',
  'mail',
  'defaultDomain',
  'domains',
  'mode',
  'unifiedMailbox',
  'operator',
  'autoProvision',
  'timezone',
  'mailboxes',
  'id',
  'domain',
  'kind',
  'name',
  'pin',
  'email',
  'mwiAccounts',
  'quotaBytes',
  'retention',
  'savedDays',
  'newDays',
  'recording',
  'maxMessageSeconds',
  'menus',
  'retries',
  'security',
  'prompts',
  'jobs',
  'cleanup',
  'drainSeconds',
  'logLevel',
  'pbx.test',
  '<<',
  'bogus',
]
const RAW = [
  '\t',
  '{',
  '}',
  '[',
  ']',
  ': ',
  '- ',
  '&a ',
  '*a',
  '<<: *a',
  '!!binary ',
  '%YAML 1.2\n',
  '---\n',
  '"',
  "'",
  '#',
  '\n  ',
  '\0',
  '|',
  '>',
  '? ',
]

function value(f: Fuzz, depth: number): unknown {
  const k = f.int(0, depth > 3 ? 6 : 9)
  switch (k) {
    case 0:
      return f.int(-1e6, 1e6)
    case 1:
      return f.pick([0, -1, 1e308, 0.5, 65536, 8084, Number.MAX_SAFE_INTEGER + 2])
    case 2:
      return f.hostile(20)
    case 3:
      return f.pick([
        '127.0.0.1',
        'pbx.test',
        'dual',
        'unified',
        'personal',
        'general',
        '100',
        '4821',
        'info',
        '15 3 * * *',
        'America/Chicago',
        '::1',
        '0.0.0.0/0',
      ])
    case 4:
      return f.pick([true, false, null])
    case 5:
      return ''
    case 6:
      return f.pick(['yes', 'no', '~', '0x1F', '1e3', '.inf'])
    case 7:
      return Array.from({ length: f.int(0, 3) }, () => value(f, depth + 1))
    default: {
      const o: Record<string, unknown> = {}
      for (let i = f.int(0, 4); i > 0; i--) o[f.pick(KEYS)] = value(f, depth + 1)
      return o
    }
  }
}

function document(f: Fuzz): string {
  const tree: Record<string, unknown> = {}
  for (let i = f.int(0, 8); i > 0; i--) tree[f.pick(KEYS)] = value(f, 0)
  let text = stringify(tree)
  if (f.int(0, 2) === 0) {
    // Raw mutations: break the YAML itself.
    for (let m = f.int(1, 4); m > 0; m--) {
      const at = f.int(0, text.length)
      text = text.slice(0, at) + f.pick(RAW) + text.slice(at + f.int(0, 3))
    }
  }
  return text
}

void t.test('the config loader resolves or throws ConfigError on any YAML', async (t) => {
  const f = fuzz(t, 'config loader')
  const dir = t.testdir({})
  const file = join(dir, 'voicemaild.yaml')
  let ok = 0
  let refused = 0
  for (let i = 0; i < 400; i++) {
    const text = document(f)
    await writeFile(file, text)
    try {
      await loadConfig(file, {}, { cwd: dir })
      ok++
    } catch (err) {
      if (!(err instanceof ConfigError)) {
        t.fail(`case ${i}: ${String(err)}\n${text}`)
        return
      }
      const report = formatConfigError(err, file)
      if (report.length === 0) {
        t.fail(`case ${i}: empty report\n${text}`)
        return
      }
      refused++
    }
  }
  t.ok(refused > 0, `${refused} documents refused with a ConfigError`)
  t.ok(ok + refused === 400, `${ok} accepted`)
})
