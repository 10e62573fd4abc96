import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'
import { ConfigError } from '../../lib/config/errors.js'
import { formatConfigError } from '../../lib/config/format.js'
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../lib/config/load.js'

/** The ConfigError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('expected a ConfigError')
}

void t.test('DEFAULT_CONFIG_PATH is the documented one', (t) => {
  t.equal(DEFAULT_CONFIG_PATH, '/etc/voicemaild/voicemaild.yaml')
  t.end()
})

void t.test('no path: embedded defaults, relative to the working directory', async (t) => {
  const config = await loadConfig(undefined, {}, { cwd: '/srv' })
  t.equal(config.stateDir, '/srv/var')
  t.same(config.source, { defaultsOnly: true, notes: [] })
})

void t.test('the default path missing: embedded defaults with a note to log', async (t) => {
  const dir = t.testdir()
  const defaultPath = join(dir, 'voicemaild.yaml')
  const config = await loadConfig(defaultPath, {}, { cwd: dir, defaultPath })
  t.equal(config.stateDir, join(dir, 'var'))
  t.equal(config.source?.defaultsOnly, true)
  t.same(config.source?.notes, [`no config file at ${defaultPath}, using embedded defaults`])
})

void t.test('an explicit path that does not exist is an error', async (t) => {
  const dir = t.testdir()
  const err = await rejection(loadConfig('missing.yaml', {}, { cwd: dir }))
  t.equal(err.file, join(dir, 'missing.yaml'), 'relative paths resolve against cwd')
  t.same(err.problems, ['cannot read the config file (no such file)'])
  const dirErr = await rejection(loadConfig(dir, {}, { cwd: dir }))
  t.same(dirErr.problems, ['cannot read the config file (EISDIR)'])
})

void t.test(
  'a file: values read, relative paths against its folder, env and credentials applied',
  async (t) => {
    const dir = t.testdir({
      etc: {
        'voicemaild.yaml': 'stateDir: state\nlisten: { port: 9000 }\nfreeswitch: [{ host: fs.example }]\n',
      },
      creds: { 'freeswitch-password': 'from-credentials\n' },
    })
    const file = join(dir, 'etc', 'voicemaild.yaml')
    const config = await loadConfig(
      file,
      { VOICEMAILD_LOG_LEVEL: 'error' },
      { credentialsDir: join(dir, 'creds') },
    )
    t.equal(config.stateDir, join(dir, 'etc', 'state'))
    t.equal(config.listen.port, 9000)
    t.same(config.freeswitch, [{ host: 'fs.example', port: 8021, password: 'from-credentials' }])
    t.equal(config.logLevel, 'error')
    t.same(config.source, {
      file,
      defaultsOnly: false,
      notes: ['FreeSWITCH ESL password from credentials'],
    })
    t.ok(Object.isFrozen(config))
  },
)

void t.test('an empty file is the embedded defaults, read from that file', async (t) => {
  const dir = t.testdir({ 'empty.yaml': '# nothing yet\n' })
  const config = await loadConfig(join(dir, 'empty.yaml'), {})
  t.equal(config.stateDir, join(dir, 'var'))
  t.equal(config.source?.defaultsOnly, false)
})

void t.test('YAML syntax errors are reported with line and column', async (t) => {
  const dir = t.testdir({
    'bad.yaml': 'listen:\n  host: 127.0.0.1\n  port: [8084\nstateDir: /x\nstateDir: /y\n',
  })
  const err = await rejection(loadConfig(join(dir, 'bad.yaml'), {}))
  t.equal(err.problems.length, 2)
  t.match(err.problems[0], /^YAML syntax error at line 4, column 1: Flow sequence .* end with a ]$/)
  t.match(err.problems[1], /^YAML syntax error at line 5, column 1: Map keys must be unique/)
})

void t.test('anchors, aliases and merge keys share settings between boxes', async (t) => {
  const dir = t.testdir({
    'vm.yaml': [
      'mailboxes:',
      "  - &sales { id: '800', kind: general, email: [sales@example.com] }",
      "  - { <<: *sales, id: '801' }",
      '',
    ].join('\n'),
  })
  const config = await loadConfig(join(dir, 'vm.yaml'), {})
  t.same(config.mailboxes[1], {
    id: '801',
    domain: 'localhost',
    kind: 'general',
    email: ['sales@example.com'],
  })
})

void t.test('several YAML documents in one file are refused', async (t) => {
  const dir = t.testdir({ 'two.yaml': 'logLevel: info\n---\nlogLevel: debug\n' })
  const err = await rejection(loadConfig(join(dir, 'two.yaml'), {}))
  t.same(err.problems, ['YAML syntax error at line 2, column 1: the file must hold a single YAML document'])
})

void t.test('problems carry their line in the file and come in file order', async (t) => {
  const dir = t.testdir({
    'voicemaild.yaml': [
      'stateDir: /var/lib/voicemaild', // 1
      'listen:', // 2
      '  port: abc', // 3
      'smtp:', // 4
      '  hots: mail.example.com', // 5
      'mailboxes:', // 6
      "  - { id: '100' }", // 7
      "  - id: '1'", // 8
      '    pin: 12a4', // 9
      '  - name: No id', // 10
      'domains:', // 11
      '  pbx.example.com: { mode: unified }', // 12
      '',
    ].join('\n'),
  })
  const file = join(dir, 'voicemaild.yaml')
  const err = await rejection(loadConfig(file, { VOICEMAILD_LOG_LEVEL: 'loud' }))
  t.same(
    err.problems,
    [
      'VOICEMAILD_LOG_LEVEL (environment): must be one of debug, info, warn, error (got "loud")',
      'listen.port (line 3): must be an integer 1-65535 (got "abc")',
      'smtp.hots (line 5): unknown key (did you mean "host"?)',
      'smtp.host (line 4): required when smtp is set (remove smtp to spool mail to files)',
      'mailboxes[1].id (line 8): must be 2-10 digits (got "1")',
      'mailboxes[1].pin (line 9): must be 4-10 digits',
      'mailboxes[2].id (line 10): required (the box number, 2-10 digits)',
      'domains["pbx.example.com"].unifiedMailbox (line 12): required when mode is unified (the general box 5001 opens)',
    ].sort((a, b) => lineOf(a) - lineOf(b)),
  )
  t.same(
    err.issues.map((i) => i.line),
    [undefined, 3, 4, 5, 8, 9, 10, 12],
  )
  t.equal(
    formatConfigError(err),
    [`voicemaild: 8 problems in ${file}:`, ...err.problems.map((p) => `  - ${p}`)].join('\n'),
  )
})

void t.test('formatConfigError: singular, no file, other program name', (t) => {
  const err = new ConfigError([{ path: ['listen', 'port'], message: 'must be an integer 1-65535 (got 0)' }])
  t.equal(
    formatConfigError(err, undefined, 'voicemailctl'),
    'voicemailctl: 1 problem in the configuration:\n  - listen.port: must be an integer 1-65535 (got 0)',
  )
  t.match(formatConfigError(err, '/etc/vm.yaml'), /^voicemaild: 1 problem in \/etc\/vm.yaml:\n/)
  const located = new ConfigError([{ path: [], message: 'x' }], '/real.yaml')
  t.match(
    formatConfigError(located, '/other.yaml'),
    /^voicemaild: 1 problem in \/real.yaml:/,
    'the error knows best',
  )
  t.equal(err.message, '1 configuration problem: listen.port: must be an integer 1-65535 (got 0)')
  const atLine = new ConfigError([{ path: [], message: 'oops', line: 4 }], '/x.yaml')
  t.same(atLine.problems, ['line 4: oops'])
  t.end()
})

void t.test('the example file at the repository root loads without problems', async (t) => {
  const file = resolve(import.meta.dirname, '../../voicemaild.example.yaml')
  const config = await loadConfig(file, {})
  t.equal(config.stateDir, '/var/lib/voicemaild')
  t.equal(config.smtp?.host, 'mail.example.com')
  t.equal(config.mail.from, 'Voicemail <vm@example.com>')
  t.equal(config.defaultDomain, 'pbx.example.com')
  t.equal(config.mailboxes.length, 2)
  t.equal(config.mailboxes[1]?.kind, 'general')
  t.equal(config.domains['pbx.example.com']?.timezone, 'America/Chicago')
  // Every key of the Config shape appears in the example (commented-out optional ones count).
  const text = readFileSync(file, 'utf8')
  for (const key of Object.keys(config).filter((k) => k !== 'source')) {
    t.match(text, new RegExp(`^${key}:`, 'm'), `example sets ${key}`)
  }
})

function lineOf(problem: string): number {
  return Number(/\(line (\d+)\)/.exec(problem)?.[1] ?? 0)
}
