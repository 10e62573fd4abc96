import { access } from 'node:fs/promises'
import { mkdir, writeFile } from 'node:fs/promises'
import t from 'tap'
import { ctlFixture } from './fixture.js'

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  )

void t.test('mailbox add creates the box (and its domain) and shows it', async (t) => {
  const f = await ctlFixture(t)
  const r = await f.run([
    'mailbox',
    'add',
    '800',
    '--domain',
    'pbx.example.com',
    '--kind',
    'general',
    '--name',
    'Sales',
    '--email',
    'sales@example.com,boss@example.com',
    '--mwi-accounts',
    '101@pbx.example.com,102@pbx.example.com',
    '--quota-bytes',
    '20971520',
  ])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /mailbox:\s+800@pbx\.example\.com/)
  t.match(r.stdout, /quota:\s+0 B of 20\.0 MiB/)
  t.match(r.stderr, /no PIN yet/)
  const store = await f.store()
  const box = await store.mailboxes.find('pbx.example.com', '800')
  t.match(box, {
    kind: 'general',
    name: 'Sales',
    email: ['sales@example.com', 'boss@example.com'],
    mwiAccounts: ['101@pbx.example.com', '102@pbx.example.com'],
    quotaBytes: 20971520,
  })
  t.ok(await store.domains.get('pbx.example.com'), 'domain created with defaults')
  const audit = await store.audit.listRecent(5, box?.rowId)
  t.match(audit[0], { actor: 'voicemailctl', action: 'box.created' })
})

void t.test('--json: one document with ok and the box; no PIN hash anywhere', async (t) => {
  const f = await ctlFixture(t)
  const r = await f.run(['mailbox', 'add', '100', '--name', 'Alice', '--json'])
  t.equal(r.code, 0)
  t.match(r.json, {
    ok: true,
    mailbox: {
      id: '100',
      domain: 'example.com',
      kind: 'personal',
      name: 'Alice',
      pin: 'none',
      quotaIsDefault: true,
    },
    notes: [/no PIN yet/],
  })
  t.equal(r.stderr, '', 'notes go into the document, not stderr')
  await f.run(['pin', 'reset', '100'])
  const shown = await f.run(['mailbox', 'show', '100', '--json'])
  t.notMatch(shown.stdout, /scrypt/, 'the hash is never printed')
  t.match(shown.json, { mailbox: { pin: 'temporary' } })
})

void t.test('bad input: duplicate, invalid id, bad email/account/quota/zone/kind, unknown box', async (t) => {
  const f = await ctlFixture(t)
  t.equal((await f.run(['mailbox', 'add', '100'])).code, 0)
  const dup = await f.run(['mailbox', 'add', '100'])
  t.equal(dup.code, 1)
  t.match(dup.stderr, /already exists/)
  for (const [argv, pattern] of [
    [['mailbox', 'add', '1'], /2 to 10 digits/],
    [['mailbox', 'add', '12345678901'], /2 to 10 digits/],
    [['mailbox', 'add', '../x'], /2 to 10 digits/],
    [['mailbox', 'add', '101', '--email', 'not-an-address'], /not an email address/],
    [['mailbox', 'add', '101', '--mwi-accounts', 'nodomain'], /not a user@domain/],
    [['mailbox', 'add', '101', '--quota-bytes', '0'], /positive whole number/],
    [['mailbox', 'add', '101', '--timezone', 'Mars/Base'], /unknown time zone/],
    [['mailbox', 'add', '101', '--kind', 'shared'], /personal, general/],
    [['mailbox', 'add', '101', '--attach-audio', 'maybe'], /yes or no/],
    [['mailbox', 'add'], /missing ID/],
    [['mailbox', 'add', '101', '--bogus'], /Unknown option '--bogus'/],
  ] as const) {
    const r = await f.run([...argv])
    t.equal(r.code, 2, `${argv.join(' ')} is a usage error`)
    t.match(r.stderr, pattern)
  }
  const unknown = await f.run(['mailbox', 'show', '555', '--json'])
  t.equal(unknown.code, 1)
  t.match(unknown.json, { ok: false, error: { code: 'not-found', message: /no mailbox 555@example\.com/ } })
  t.equal((await f.run(['mailbox', 'set', '555', '--name', 'X'])).code, 1)
  t.equal((await f.run(['mailbox', 'remove', '555', '--yes'])).code, 1)
})

void t.test('mailbox set changes only what is given; default resets; --unlock clears a lock', async (t) => {
  const f = await ctlFixture(t)
  await f.run([
    'mailbox',
    'add',
    '100',
    '--name',
    'Alice',
    '--email',
    'a@example.com',
    '--quota-bytes',
    '1000',
  ])
  const store = await f.store()
  const before = await store.mailboxes.find('example.com', '100')
  await store.mailboxes.lock(before?.rowId ?? 0, Date.now() + 60_000)
  const r = await f.run([
    'mailbox',
    'set',
    '100',
    '--quota-bytes',
    'default',
    '--email',
    'none',
    '--notify-full',
    'no',
    '--unlock',
  ])
  t.equal(r.code, 0, r.stderr)
  const after = await store.mailboxes.find('example.com', '100')
  t.match(after, { name: 'Alice', email: [], notifyFull: false })
  t.equal(after?.quotaBytes, undefined, 'quota back to the default')
  t.equal(after?.lockedUntil, undefined, 'unlocked')
  const nothing = await f.run(['mailbox', 'set', '100'])
  t.equal(nothing.code, 2)
  t.match(nothing.stderr, /nothing to change/)
})

void t.test('editing a box declared in the config says its declaration wins at reload', async (t) => {
  const f = await ctlFixture(
    t,
    'mailboxes:\n  - { id: "100", domain: example.com, kind: personal, name: Alice }',
  )
  await f.run(['mailbox', 'add', '100'])
  const r = await f.run(['mailbox', 'set', '100', '--name', 'Bob'])
  t.equal(r.code, 0)
  t.match(r.stderr, /declared in the config file/)
})

void t.test('mailbox list: table and JSON', async (t) => {
  const f = await ctlFixture(t)
  t.match((await f.run(['mailbox', 'list'])).stdout, /no mailboxes/)
  await f.run(['mailbox', 'add', '100', '--name', 'Alice'])
  await f.run(['mailbox', 'add', '200', '--domain', 'other.example', '--enabled', 'no'])
  const text = await f.run(['mailbox', 'list'])
  t.match(text.stdout, /BOX\s+DOMAIN/)
  t.match(text.stdout, /200\s+other\.example.*disabled/)
  const json = await f.run(['mailbox', 'list', '--domain', 'example.com', '--json'])
  t.match(json.json, { ok: true, mailboxes: [{ id: '100', name: 'Alice', new: 0, saved: 0, usedBytes: 0 }] })
  t.equal((json.json.mailboxes as unknown[]).length, 1)
})

void t.test('mailbox remove needs --yes, then deletes rows and the folder', async (t) => {
  const f = await ctlFixture(t)
  await f.run(['mailbox', 'add', '100'])
  const dir = f.files.boxDir('example.com', '100')
  await mkdir(dir, { recursive: true })
  await writeFile(`${dir}/leftover.wav`, 'x')
  const refused = await f.run(['mailbox', 'remove', '100', '--json'])
  t.equal(refused.code, 1)
  t.match(refused.json, { ok: false, error: { code: 'confirmation-required' } })
  const store = await f.store()
  t.ok(await store.mailboxes.find('example.com', '100'), 'still there')
  const r = await f.run(['mailbox', 'remove', '100', '--yes'])
  t.equal(r.code, 0, r.stderr)
  t.equal(await store.mailboxes.find('example.com', '100'), undefined)
  t.notOk(await exists(dir), 'folder removed')
})

void t.test('help, unknown commands and groups', async (t) => {
  const f = await ctlFixture(t)
  const all = await f.run(['--help'])
  t.equal(all.code, 0)
  t.match(all.stdout, /mailbox add/)
  t.match(all.stdout, /doctor/)
  const one = await f.run(['mailbox', 'add', '--help'])
  t.equal(one.code, 0)
  t.match(one.stdout, /usage: voicemailctl mailbox add ID \[options\]/)
  t.match(one.stdout, /--quota-bytes N/)
  const group = await f.run(['mailbox'])
  t.equal(group.code, 2)
  t.match(group.stdout, /voicemailctl mailbox list/)
  const bad = await f.run(['frobnicate'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /unknown command "frobnicate"/)
  const badJson = await f.run(['frobnicate', '--json'])
  t.match(badJson.json, { ok: false, error: { code: 'usage' } })
})

void t.test('an invalid config file: exit 3 with every problem', async (t) => {
  const f = await ctlFixture(t, 'listen: { port: "abc" }')
  const r = await f.run(['mailbox', 'list'])
  t.equal(r.code, 3)
  t.match(r.stderr, /voicemailctl: .*problem/)
  t.match(r.stderr, /listen\.port/)
})

void t.test('a missing state directory: exit 3 with the reason', async (t) => {
  const f = await ctlFixture(t, 'stateDir: /nonexistent/voicemaild-test')
  const r = await f.run(['mailbox', 'list'])
  t.equal(r.code, 3, r.stderr)
  t.match(r.stderr, /does not exist/)
})

void t.test('an option may come before the command: -d pbx.test mailbox list', async (t) => {
  const f = await ctlFixture(t)
  await f.run(['mailbox', 'add', '100', '--domain', 'pbx.test'])
  await f.run(['mailbox', 'add', '200'])
  const r = await f.run(['-d', 'pbx.test', 'mailbox', 'list', '--json'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.json, { mailboxes: [{ id: '100', domain: 'pbx.test' }] }, 'only that domain')
  t.equal((r.json.mailboxes as unknown[]).length, 1)
  const show = await f.run(['--domain', 'pbx.test', 'mailbox', 'show', '100'])
  t.equal(show.code, 0, show.stderr)
  t.match(show.stdout, /100@pbx\.test/)
})
