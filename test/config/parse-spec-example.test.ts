import t from 'tap'
import { parse } from 'yaml'
import { parseConfig } from '../../lib/config/parse.js'

// SPEC §1 "Configuration file", verbatim.
const specExample = `
stateDir: /var/lib/voicemaild          # db, recordings, greetings, mail spool
listen: { host: 127.0.0.1, port: 8084 } # outbound-socket listener
freeswitch:                              # inbound ESL, one entry per FreeSWITCH node
  - { host: 127.0.0.1, port: 8021, password: ClueCon }
smtp:                                    # absent: mail is written to <stateDir>/mail-spool as .eml
  { host: mail.example.com, port: 587, secure: false, user: vm, password: secret, from: "Voicemail <vm@example.com>" }
defaultDomain: pbx.example.com
domains:
  pbx.example.com: { mode: dual, unifiedMailbox: "800", operator: "0", autoProvision: true, timezone: America/Chicago }
mailboxes:
  - { id: "100", domain: pbx.example.com, kind: personal, name: Alice, pin: "4821", email: [alice@example.com] }
  - { id: "800", domain: pbx.example.com, kind: general, name: Sales, email: [sales@example.com, boss@example.com],
      mwiAccounts: [101@pbx.example.com, 102@pbx.example.com], quotaBytes: 20971520 }
retention: { savedDays: 30, newDays: 0 }
`

void t.test('the SPEC §1 example parses to the expected values', (t) => {
  const config = parseConfig(
    parse(specExample),
    {},
    { baseDir: '/etc/voicemaild', file: '/etc/voicemaild/x.yaml' },
  )
  t.equal(config.stateDir, '/var/lib/voicemaild')
  t.same(config.listen, { host: '127.0.0.1', port: 8084, allowFrom: [] })
  t.same(config.freeswitch, [{ host: '127.0.0.1', port: 8021, password: 'ClueCon' }])
  t.same(config.smtp, {
    host: 'mail.example.com',
    port: 587,
    secure: false,
    requireTls: false,
    rejectUnauthorized: true,
    user: 'vm',
    password: 'secret',
  })
  t.equal(config.mail.from, 'Voicemail <vm@example.com>', 'smtp.from is mapped to mail.from')
  t.equal(config.defaultDomain, 'pbx.example.com')
  t.same(config.domains, {
    'pbx.example.com': {
      mode: 'dual',
      unifiedMailbox: '800',
      operator: '0',
      autoProvision: true,
      timezone: 'America/Chicago',
    },
  })
  t.same(config.mailboxes, [
    {
      id: '100',
      domain: 'pbx.example.com',
      kind: 'personal',
      name: 'Alice',
      pin: '4821',
      email: ['alice@example.com'],
    },
    {
      id: '800',
      domain: 'pbx.example.com',
      kind: 'general',
      name: 'Sales',
      email: ['sales@example.com', 'boss@example.com'],
      mwiAccounts: ['101@pbx.example.com', '102@pbx.example.com'],
      quotaBytes: 20971520,
    },
  ])
  t.same(config.retention, { savedDays: 30, newDays: 0 })
  t.same(config.source, { file: '/etc/voicemaild/x.yaml', defaultsOnly: false, notes: [] })
  t.end()
})

void t.test('unified mode with its general box declared', (t) => {
  const config = parseConfig(
    {
      defaultDomain: 'pbx.example.com',
      domains: { 'pbx.example.com': { mode: 'unified', unifiedMailbox: '800' } },
      mailboxes: [{ id: '800', kind: 'general' }],
    },
    {},
    { baseDir: '/' },
  )
  t.equal(config.domains['pbx.example.com']?.mode, 'unified')
  t.equal(config.mailboxes[0]?.domain, 'pbx.example.com', 'a box without domain is in defaultDomain')
  t.end()
})

void t.test('unified box not declared in the file is accepted (it may exist in the store)', (t) => {
  const config = parseConfig(
    { domains: { 'a.example': { mode: 'unified', unifiedMailbox: '900' } } },
    {},
    { baseDir: '/' },
  )
  t.equal(config.domains['a.example']?.unifiedMailbox, '900')
  t.ok(config.domains.localhost, 'the undeclared default domain is added with default settings')
  t.end()
})

void t.test('the same box id in two domains is not a duplicate', (t) => {
  const config = parseConfig(
    {
      domains: { 'a.example': {}, 'b.example': null },
      mailboxes: [
        { id: '100', domain: 'a.example' },
        { id: '100', domain: 'b.example' },
      ],
    },
    {},
    { baseDir: '/' },
  )
  t.equal(config.mailboxes.length, 2)
  t.same(config.domains['b.example'], { mode: 'dual', autoProvision: true, timezone: 'UTC' })
  t.end()
})

void t.test('mail.from and smtp.from may both be given when they agree', (t) => {
  const from = 'VM <vm@example.com>'
  const config = parseConfig({ mail: { from }, smtp: { host: 'h', from } }, {}, { baseDir: '/' })
  t.equal(config.mail.from, from)
  t.end()
})
