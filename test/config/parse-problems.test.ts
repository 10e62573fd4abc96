import t from 'tap'
import { ConfigError } from '../../lib/config/errors.js'
import { parseConfig } from '../../lib/config/parse.js'
import { VoicemailError } from '../../lib/errors.js'

/** The problems parseConfig reports for `raw`, sorted; fails the test when it does not throw a ConfigError. */
function problemsOf(raw: unknown, env: Record<string, string | undefined> = {}): string[] {
  try {
    parseConfig(raw, env, { baseDir: '/' })
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems].sort()
    throw err
  }
  throw new Error('parseConfig accepted an invalid configuration')
}

void t.test('six different mistakes yield six problems, all at once, with paths', (t) => {
  let error: unknown
  try {
    parseConfig(
      {
        listen: { port: 'abc' },
        smtp: { hots: 'mail.example.com', host: 'mail.example.com' },
        domains: { 'pbx.example.com': { mode: 'single' } },
        mailboxes: [{ id: '100' }, { id: '1' }],
        jobs: { cleanup: 'every night' },
        logLevel: 'verbose',
      },
      {},
      { baseDir: '/', file: '/etc/voicemaild/voicemaild.yaml' },
    )
  } catch (err) {
    error = err
  }
  t.ok(error instanceof ConfigError, 'throws a ConfigError')
  t.ok(error instanceof VoicemailError, 'which is a VoicemailError')
  const err = error as ConfigError
  t.equal(err.name, 'ConfigError')
  t.equal(err.file, '/etc/voicemaild/voicemaild.yaml')
  t.same([...err.problems].sort(), [
    'domains["pbx.example.com"].mode: must be one of dual, unified (got "single")',
    'jobs.cleanup: must be a cron expression: expected 5 or 6 fields but got 2 (got "every night")',
    'listen.port: must be an integer 1-65535 (got "abc")',
    'logLevel: must be one of debug, info, warn, error (got "verbose")',
    'mailboxes[1].id: must be 2-10 digits (got "1")',
    'smtp.hots: unknown key (did you mean "host"?)',
  ])
  t.match(err.message, /^6 configuration problems in \/etc\/voicemaild\/voicemaild.yaml: /)
  t.same(
    err.issues.find((i) => i.message.startsWith('unknown key'))?.path,
    ['smtp', 'hots'],
    'issues keep the path as segments',
  )
  t.end()
})

void t.test('types and ranges of scalar keys', (t) => {
  const problems = problemsOf({
    stateDir: '',
    listen: { host: 'not a host', port: 70000, allowFrom: ['10.0.0.1', 'x'] },
    defaultQuotaBytes: 12.5,
    retention: { savedDays: -1, newDays: '7' },
    recording: { minMessageSeconds: 10, maxMessageSeconds: 5, silenceSeconds: 0 },
    menus: { retries: true },
    security: { lockoutMinutes: 0 },
    drainSeconds: 99999,
    prompts: { soundPrefix: 'sounds', language: 'english' },
    callback: { context: 'has space' },
    mail: { initialBackoffSeconds: 600, maxBackoffSeconds: 60, giveUpHours: 0 },
  })
  t.same(problems, [
    'callback.context: must be a name of letters, digits, _ . - (got "has space")',
    'defaultQuotaBytes: must be an integer 16000-1099511627776 (got 12.5)',
    'drainSeconds: must be an integer 0-3600 (got 99999)',
    'listen.allowFrom[1]: must be an IP address (got "x")',
    'listen.host: must be a host name or IP address (got "not a host")',
    'listen.port: must be an integer 1-65535 (got 70000)',
    'mail.giveUpHours: must be an integer 1-720 (got 0)',
    'mail.maxBackoffSeconds: must be at least initialBackoffSeconds (600)',
    'menus.retries: must be an integer 1-10 (got true)',
    'prompts.language: must be a language like en, de or pt-BR (got "english")',
    'prompts.soundPrefix: must be an absolute path (got "sounds")',
    'recording.minMessageSeconds: must be less than maxMessageSeconds (5)',
    'recording.silenceSeconds: must be an integer 1-60 (got 0)',
    'retention.newDays: must be an integer 0-36500 (got "7")',
    'retention.savedDays: must be an integer 0-36500 (got -1)',
    'security.lockoutMinutes: must be an integer 1-10080 (got 0)',
    'stateDir: must not be empty (got "")',
  ])
  t.end()
})

void t.test('unknown keys at every level, with suggestions when one is close', (t) => {
  t.same(
    problemsOf({
      statedir: '/x',
      listen: { hots: 'x' },
      mail: { form: 'a@b.c' },
      domains: { 'a.example': { timeZone: 'UTC', colour: 'red' } },
      mailboxes: [{ id: '100', e_mail: 'a@b.c' }],
      freeswitch: [{ pasword: 'x' }],
      jobs: { backup: '* * * * *' },
    }),
    [
      'domains["a.example"].colour: unknown key',
      'domains["a.example"].timeZone: unknown key (did you mean "timezone"?)',
      'freeswitch[0].pasword: unknown key (did you mean "password"?)',
      'jobs.backup: unknown key',
      'listen.hots: unknown key (did you mean "host"?)',
      'mail.form: unknown key (did you mean "from"?)',
      'mailboxes[0].e_mail: unknown key (did you mean "email"?)',
      'statedir: unknown key (did you mean "stateDir"?)',
    ],
  )
  t.end()
})

void t.test('wrong shapes: sections, lists, the document itself', (t) => {
  t.same(problemsOf(['a']), ['the configuration must be a mapping of keys (got a list)'])
  t.same(problemsOf('text'), ['the configuration must be a mapping of keys (got "text")'])
  t.same(problemsOf({ listen: 8084, mailboxes: { id: '100' }, freeswitch: [], domains: ['a'] }), [
    'domains: must be a mapping of keys (got a list)',
    'freeswitch: must list at least one FreeSWITCH node',
    'listen: must be a mapping of keys (got 8084)',
    'mailboxes: must be a list (got a mapping)',
  ])
  t.same(problemsOf({ freeswitch: { host: 'x' }, mailboxes: ['100'] }), [
    'freeswitch: must be a list (got a mapping)',
    'mailboxes[0]: must be a mapping of keys (got "100")',
  ])
  t.end()
})

void t.test('mailbox declarations', (t) => {
  t.same(
    problemsOf({
      defaultDomain: 'pbx.example.com',
      mailboxes: [
        { id: 100, kind: 'shared', email: ['not-an-address', 'ok@example.com'], mwiAccounts: ['101'] },
        { id: '100', domain: 'other.example', timezone: 'Mars/Olympus', quotaBytes: 100 },
        { id: '12345678901', pin: 4821, name: 'Bad\nName', enabled: 'yes' },
        { id: '200', pin: '123' },
        { id: '200', email: 'x@' },
      ],
    }),
    [
      'mailboxes[0].email[0]: must be an email address like alice@example.com (got "not-an-address")',
      'mailboxes[0].id: must be a quoted string (got 100; write "100")',
      'mailboxes[0].kind: must be one of personal, general (got "shared")',
      'mailboxes[0].mwiAccounts[0]: must be user@domain (got "101")',
      'mailboxes[1].domain: "other.example" is not declared under domains and is not defaultDomain',
      'mailboxes[1].quotaBytes: must be an integer 16000-1099511627776 (got 100)',
      'mailboxes[1].timezone: must be an IANA time zone like Europe/Berlin or UTC (got "Mars/Olympus")',
      'mailboxes[2].enabled: must be true or false (got "yes")',
      'mailboxes[2].id: must be 2-10 digits (got "12345678901")',
      'mailboxes[2].name: must not contain control characters (got "Bad\\nName")',
      'mailboxes[2].pin: must be a quoted string (got a number; quote it)',
      'mailboxes[3].pin: must be 4-10 digits',
      'mailboxes[4].email: must be an email address like alice@example.com (got "x@")',
      'mailboxes[4].id: duplicate of mailboxes[3] (box 200 in pbx.example.com)',
    ],
  )
  t.end()
})

void t.test('PINs and passwords are never echoed in problems', (t) => {
  const problems = problemsOf({
    freeswitch: [{ password: 987654 }],
    smtp: { host: 'h', user: 'u', password: 246810 },
    mailboxes: [
      { id: '100', pin: '97x31' },
      { id: '101', pin: 13579 },
    ],
  })
  t.equal(problems.length, 4, problems.join('\n'))
  for (const secret of ['987654', '246810', '97x31', '13579']) {
    t.notOk(
      problems.some((p) => p.includes(secret)),
      `${secret} not in any problem`,
    )
  }
  t.end()
})

void t.test('domains', (t) => {
  t.same(
    problemsOf({
      domains: {
        'bad domain': {},
        'a.example': { mode: 'unified' },
        'b.example': { mode: 'unified', unifiedMailbox: '100' },
        'c.example': { unifiedMailbox: 'x', operator: 'o p', autoProvision: 1, timezone: 'Nowhere' },
      },
      mailboxes: [{ id: '100', domain: 'b.example' }],
      defaultDomain: 'not_valid',
    }),
    [
      'defaultDomain: must be a domain name (got "not_valid")',
      'domains["a.example"].unifiedMailbox: required when mode is unified (the general box 5001 opens)',
      'domains["b.example"].unifiedMailbox: box 100 is declared as personal (mailboxes[0]); the unified box must be kind: general',
      'domains["bad domain"]: must be a domain name (got "bad domain")',
      'domains["c.example"].autoProvision: must be true or false (got 1)',
      'domains["c.example"].operator: must be an extension (digits, letters, * # + _ . -) (got "o p")',
      'domains["c.example"].timezone: must be an IANA time zone like Europe/Berlin or UTC (got "Nowhere")',
      'domains["c.example"].unifiedMailbox: must be 2-10 digits (got "x")',
    ],
  )
  t.end()
})

void t.test('smtp, mail.from and freeswitch nodes', (t) => {
  t.same(
    problemsOf({
      smtp: { port: 0, secure: 'no', user: 'vm', from: 'nobody' },
      freeswitch: [{ host: '10.0.0.1' }, { host: '10.0.0.1', port: 8021 }, { password: '' }],
      mail: { from: 'VM <vm@example.com', templatesDir: '' },
    }),
    [
      'freeswitch[1]: duplicate of freeswitch[0] (10.0.0.1:8021)',
      'freeswitch[2].password: must not be empty',
      'mail.from: must be an address or "Name <address>" (got "VM <vm@example.com")',
      'mail.templatesDir: must not be empty (got "")',
      'smtp.from: must be an address or "Name <address>" (got "nobody")',
      'smtp.host: required when smtp is set (remove smtp to spool mail to files)',
      'smtp.password: required with smtp.user/smtp.password (both or neither)',
      'smtp.port: must be an integer 1-65535 (got 0)',
      'smtp.secure: must be true or false (got "no")',
    ],
  )
  t.same(problemsOf({ smtp: { host: 'h', from: 'a@example.com' }, mail: { from: 'b@example.com' } }), [
    'smtp.from: conflicts with mail.from; set only one of them',
  ])
  t.end()
})

void t.test('cron expressions of every job', (t) => {
  t.same(
    problemsOf({
      jobs: { reconcile: '61 * * * *', mwiResync: 15, outbox: '* * * * * * *', dbMaintenance: '' },
    }),
    [
      'jobs.dbMaintenance: must be a cron expression: pattern includes illegal characters (got "")',
      'jobs.mwiResync: must be a quoted string (got 15; write "15")',
      'jobs.outbox: must be a cron expression: expected 5 or 6 fields but got 7 (got "* * * * * * *")',
      'jobs.reconcile: must be a cron expression: 61 is a invalid expression for minute (got "61 * * * *")',
    ],
  )
  t.end()
})
