import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { defaults } from '../../lib/config/defaults.js'
import { parseConfig } from '../../lib/config/parse.js'
import { packagePromptsDir } from '../../lib/config/paths.js'

const repoRoot = resolve(import.meta.dirname, '../..')

void t.test('no file: the embedded defaults, with paths resolved and the default domain present', (t) => {
  const config = parseConfig(undefined, {}, { baseDir: '/srv/vm' })
  t.equal(config.stateDir, '/srv/vm/var', 'relative default stateDir resolves against baseDir')
  t.same(config.listen, { host: '127.0.0.1', port: 8084, allowFrom: [] })
  t.same(config.freeswitch, [{ host: '127.0.0.1', port: 8021, password: 'ClueCon' }])
  t.equal(config.smtp, undefined, 'no smtp: mail goes to the spool')
  t.same(config.mail, defaults.mail)
  t.same(config.domains, { localhost: { mode: 'dual', autoProvision: true, timezone: 'UTC' } })
  t.same(config.mailboxes, [])
  t.equal(config.defaultQuotaBytes, 10 * 1024 * 1024)
  t.same(config.retention, { savedDays: 30, newDays: 0 })
  t.same(config.recording, defaults.recording)
  t.same(config.menus, defaults.menus)
  t.same(config.security, defaults.security)
  t.same(config.jobs, defaults.jobs)
  t.same(config.callback, { enabled: false, dialplan: 'XML' })
  t.equal(config.drainSeconds, 30)
  t.equal(config.logLevel, 'info')
  t.same(config.prompts, { soundPrefix: '', language: 'en', customDir: resolve(repoRoot, 'prompts') })
  t.same(config.source, { defaultsOnly: true, notes: [] })
  t.end()
})

void t.test('an empty document (null) is the same as no file', (t) => {
  const config = parseConfig(null, {}, { baseDir: '/x' })
  t.equal(config.stateDir, '/x/var')
  t.equal(config.listen.port, 8084)
  t.end()
})

void t.test('the result is frozen all the way down', (t) => {
  const config = parseConfig({ mailboxes: [{ id: '100', email: ['a@b.c'] }] }, {}, { baseDir: '/x' })
  t.ok(Object.isFrozen(config))
  t.ok(Object.isFrozen(config.listen))
  t.ok(Object.isFrozen(config.freeswitch[0]))
  t.ok(Object.isFrozen(config.domains.localhost))
  t.ok(Object.isFrozen(config.mailboxes[0]?.email))
  t.throws(() => {
    ;(config.listen as { port: number }).port = 1
  }, TypeError)
  t.equal(defaults.listen.port, 8084, 'the shared defaults object is not frozen by parsing')
  t.notOk(Object.isFrozen(defaults.listen))
  t.end()
})

void t.test('relative paths resolve against baseDir, absolute ones stay', (t) => {
  const rel = parseConfig(
    { stateDir: 'state', mail: { templatesDir: 'tpl' }, prompts: { customDir: '../p' } },
    {},
    { baseDir: '/etc/voicemaild' },
  )
  t.equal(rel.stateDir, '/etc/voicemaild/state')
  t.equal(rel.mail.templatesDir, '/etc/voicemaild/tpl')
  t.equal(rel.prompts.customDir, '/etc/p')
  const abs = parseConfig({ stateDir: '/var/lib/voicemaild' }, {}, { baseDir: '/etc/voicemaild' })
  t.equal(abs.stateDir, '/var/lib/voicemaild')
  t.end()
})

void t.test('prompts dir is found from source and from the build', (t) => {
  t.equal(packagePromptsDir(), resolve(repoRoot, 'prompts'))
  t.equal(packagePromptsDir(pathToFileURL('/opt/vm/lib/config/paths.js').href), '/opt/vm/prompts')
  t.equal(packagePromptsDir(pathToFileURL('/opt/vm/dist/lib/config/paths.js').href), '/opt/vm/prompts')
  t.end()
})

void t.test('smtp section: defaults for the keys it leaves out; the port follows secure', (t) => {
  const plain = parseConfig({ smtp: { host: 'mail.example.com' } }, {}, { baseDir: '/' })
  t.same(plain.smtp, {
    host: 'mail.example.com',
    port: 587,
    secure: false,
    requireTls: false,
    rejectUnauthorized: true,
  })
  const tls = parseConfig({ smtp: { host: 'mail.example.com', secure: true } }, {}, { baseDir: '/' })
  t.equal(tls.smtp?.port, 465)
  const spec = parseConfig({ smtp: null }, {}, { baseDir: '/' })
  t.equal(spec.smtp, undefined, 'an empty smtp: key means no smtp')
  t.end()
})

void t.test('single strings are accepted where a list is expected', (t) => {
  const config = parseConfig(
    { mailboxes: [{ id: '100', email: 'a@example.com', mwiAccounts: '101@localhost' }] },
    {},
    { baseDir: '/' },
  )
  t.same(config.mailboxes[0]?.email, ['a@example.com'])
  t.same(config.mailboxes[0]?.mwiAccounts, ['101@localhost'])
  t.end()
})

void t.test('declared boxes keep only the keys the file sets', (t) => {
  const config = parseConfig({ mailboxes: [{ id: '100' }] }, {}, { baseDir: '/' })
  t.same(config.mailboxes, [{ id: '100', domain: 'localhost', kind: 'personal' }])
  t.same(Object.keys(config.mailboxes[0] ?? {}).sort(), ['domain', 'id', 'kind'])
  t.end()
})
