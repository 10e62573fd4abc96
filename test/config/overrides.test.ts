import t from 'tap'
import { ConfigError } from '../../lib/config/errors.js'
import { parseConfig } from '../../lib/config/parse.js'

const file = {
  freeswitch: [{ host: 'fs1.example', password: 'from-file' }, { host: 'fs2.example' }],
  smtp: { host: 'mail.example.com', user: 'file-user', password: 'file-password' },
  logLevel: 'warn',
}

void t.test('environment secrets override the file, for every FreeSWITCH node', (t) => {
  const config = parseConfig(
    file,
    {
      VOICEMAILD_FREESWITCH_PASSWORD: 'env-fs',
      VOICEMAILD_SMTP_USER: 'env-user',
      VOICEMAILD_SMTP_PASSWORD: 'env-password',
      VOICEMAILD_LOG_LEVEL: 'debug',
    },
    { baseDir: '/' },
  )
  t.same(
    config.freeswitch.map((n) => n.password),
    ['env-fs', 'env-fs'],
  )
  t.equal(config.smtp?.user, 'env-user')
  t.equal(config.smtp?.password, 'env-password')
  t.equal(config.logLevel, 'debug')
  t.same(config.source?.notes, [
    'SMTP user from environment',
    'SMTP password from environment',
    'FreeSWITCH ESL password from environment',
  ])
  t.notOk(JSON.stringify(config.source).includes('env-'), 'notes never carry a secret')
  t.end()
})

void t.test('empty environment variables count as unset', (t) => {
  const config = parseConfig(
    file,
    { VOICEMAILD_FREESWITCH_PASSWORD: '', VOICEMAILD_SMTP_PASSWORD: '', VOICEMAILD_LOG_LEVEL: '' },
    { baseDir: '/' },
  )
  t.equal(config.freeswitch[0]?.password, 'from-file')
  t.equal(config.freeswitch[1]?.password, 'ClueCon', 'a node without password gets the default')
  t.equal(config.smtp?.password, 'file-password')
  t.equal(config.logLevel, 'warn')
  t.end()
})

void t.test('systemd credentials win over the file and over the environment', (t) => {
  const dir = t.testdir({
    'freeswitch-password': 'cred-fs\n',
    'smtp-password': 'cred-password\r\n',
    'unrelated-file': 'x',
  })
  const config = parseConfig(
    file,
    {
      VOICEMAILD_FREESWITCH_PASSWORD: 'env-fs',
      VOICEMAILD_SMTP_USER: 'env-user',
      VOICEMAILD_SMTP_PASSWORD: 'env-pw',
    },
    { baseDir: '/', credentialsDir: dir },
  )
  t.same(
    config.freeswitch.map((n) => n.password),
    ['cred-fs', 'cred-fs'],
    'one trailing newline is not part of the secret',
  )
  t.equal(config.smtp?.password, 'cred-password')
  t.equal(config.smtp?.user, 'env-user', 'no smtp-user credential: the environment still applies')
  t.match(config.source?.notes, ['SMTP user from environment', 'SMTP password from credentials'])
  t.end()
})

void t.test('credentials and env complete an smtp section that has no secrets in the file', (t) => {
  const dir = t.testdir({ 'smtp-user': 'vm', 'smtp-password': 's3cret' })
  const config = parseConfig(
    { smtp: { host: 'mail.example.com' } },
    {},
    { baseDir: '/', credentialsDir: dir },
  )
  t.equal(config.smtp?.user, 'vm')
  t.equal(config.smtp?.password, 's3cret')
  t.end()
})

void t.test('SMTP secrets without an smtp section are noted, not applied', (t) => {
  const config = parseConfig(undefined, { VOICEMAILD_SMTP_PASSWORD: 'x' }, { baseDir: '/' })
  t.equal(config.smtp, undefined)
  t.same(config.source?.notes, ['SMTP credentials given but no smtp section: mail goes to the spool folder'])
  t.end()
})

void t.test('bad overrides are problems like any other', (t) => {
  const dir = t.testdir({ 'freeswitch-password': '\n', 'smtp-password': { 'is-a-dir': 'x' } })
  let error: unknown
  try {
    parseConfig({}, { VOICEMAILD_LOG_LEVEL: 'trace' }, { baseDir: '/', credentialsDir: dir })
  } catch (err) {
    error = err
  }
  t.ok(error instanceof ConfigError)
  t.same((error as ConfigError).problems, [
    `credential freeswitch-password in ${dir}: is empty`,
    `credential smtp-password in ${dir}: cannot be read (EISDIR)`,
    'VOICEMAILD_LOG_LEVEL (environment): must be one of debug, info, warn, error (got "trace")',
  ])
  t.end()
})
