import { randomUUID } from 'node:crypto'
import { access, mkdir, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import t, { type Test } from 'tap'
import { FreeswitchSimulator, type InboundServer } from '../support/freeswitch/index.js'
import { buildWav } from '../support/freeswitch/wav.js'
import { ctlFixture } from './fixture.js'

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  )

async function freeswitch(t: Test): Promise<InboundServer> {
  const sim = new FreeswitchSimulator()
  t.teardown(() => sim.close())
  return sim.listen()
}

function header(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  return headers.find(([k]) => k === name)?.[1]
}

void t.test('mwi resync announces every enabled box over its own connection, then exits', async (t) => {
  const fs = await freeswitch(t)
  const f = await ctlFixture(t, `freeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]`)
  await f.run(['mailbox', 'add', '100'])
  await f.run(['mailbox', 'add', '101', '--mwi-accounts', '102@example.com'])
  await f.run(['mailbox', 'add', '103', '--enabled', 'no'])
  const r = await f.run(['mwi', 'resync', '--json'])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.match(r.json, { ok: true, boxes: 2, events: 3, nodes: [`127.0.0.1:${fs.port}`] })
  const accounts = fs.sentEvents
    .filter((e) => e.name === 'MESSAGE_WAITING')
    .map((e) => header(e.headers, 'MWI-Message-Account'))
    .sort()
  t.same(accounts, ['sip:100@example.com', 'sip:101@example.com', 'sip:102@example.com'])
  t.ok(
    fs.sentEvents.every((e) => header(e.headers, 'Update-Reason') === 'RESYNC'),
    'announced once, as RESYNC',
  )
  t.same(fs.violations, [])
})

void t.test('mwi resync without FreeSWITCH: exit 1 with the reason', async (t) => {
  const f = await ctlFixture(t)
  await f.run(['mailbox', 'add', '100'])
  const r = await f.run(['mwi', 'resync', '--timeout', '0.5'])
  t.equal(r.code, 1)
  t.match(r.stderr, /cannot connect to FreeSWITCH \(127\.0\.0\.1:1\) within 0\.5 s/)
  t.equal((await f.run(['mwi', 'resync', '--timeout', 'soon'])).code, 2)
})

void t.test('job run reconcile adopts an orphan recording (FreeSWITCH down: lamps deferred)', async (t) => {
  const f = await ctlFixture(t)
  await f.run(['mailbox', 'add', '100', '--email', 'alice@example.com'])
  const uuid = randomUUID()
  const path = f.files.messagePath('example.com', '100', uuid)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, buildWav(5000, 0))
  const hourAgo = (Date.now() - 60 * 60 * 1000) / 1000
  await utimes(path, hourAgo, hourAgo)
  const r = await f.run(['job', 'run', 'reconcile', '--timeout', '0.3', '--json'])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.match(r.json, { job: 'reconcile', summary: { adopted: 1 }, notes: [/lamps follow/] })
  const store = await f.store()
  t.match(await store.messages.get(uuid), { callerIdName: '', durationMs: 5000 })
  const queued = await store.db.all<{ kind: string }>('SELECT kind FROM mail_outbox')
  t.same(
    queued.map((q) => q.kind),
    ['new-message'],
    'the owner gets the usual mail (sent by the daemon)',
  )
})

void t.test('job run cleanup with FreeSWITCH up refreshes the lamp of the changed box', async (t) => {
  const fs = await freeswitch(t)
  const f = await ctlFixture(t, `freeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]`)
  await f.run(['mailbox', 'add', '100'])
  const store = await f.store()
  const box = await store.mailboxes.find('example.com', '100')
  const uuid = randomUUID()
  const path = f.files.messagePath('example.com', '100', uuid)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, buildWav(4000, 0))
  const m = await store.messages.insert({
    uuid,
    mailboxRowId: box?.rowId ?? 0,
    callerIdName: '',
    callerIdNumber: '',
    durationMs: 4000,
    sizeBytes: 64044,
    file: f.files.toStored(path),
  })
  await store.messages.setDeleted(m.rowId, true)
  const r = await f.run(['job', 'run', 'cleanup'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /cleanup: done\n(.*\n)*purged:\s+1\n/)
  t.notOk(await exists(path))
  const events = fs.sentEvents.filter((e) => e.name === 'MESSAGE_WAITING')
  t.same(
    events.map((e) => header(e.headers, 'Update-Reason')),
    ['PURGE'],
  )
})

void t.test('job run db-maintenance, outbox (spool) and bad names', async (t) => {
  const f = await ctlFixture(t)
  await f.run(['mailbox', 'add', '100'])
  const db = await f.run(['job', 'run', 'db-maintenance', '--json'])
  t.equal(db.code, 0, db.stdout + db.stderr)
  const backup = (db.json.summary as { backup: string }).backup
  t.ok(backup.startsWith(join(f.stateDir, 'backup', 'voicemail-')))
  t.ok(await exists(backup))
  const outbox = await f.run(['job', 'run', 'outbox', '--json'])
  t.equal(outbox.code, 0, outbox.stdout + outbox.stderr)
  t.match(outbox.json, { job: 'outbox', summary: { sent: 0, idle: true } })
  const bad = await f.run(['job', 'run', 'vacuum'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /unknown job "vacuum"; jobs: cleanup, reconcile, mwi-resync, outbox, db-maintenance/)
})

void t.test('message delete turns the lamp off at once when FreeSWITCH answers', async (t) => {
  const fs = await freeswitch(t)
  const f = await ctlFixture(t, `freeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]`)
  await f.run(['mailbox', 'add', '100'])
  const store = await f.store()
  const box = await store.mailboxes.find('example.com', '100')
  const uuid = randomUUID()
  const path = f.files.messagePath('example.com', '100', uuid)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, buildWav(4000, 0))
  await store.messages.insert({
    uuid,
    mailboxRowId: box?.rowId ?? 0,
    callerIdName: '',
    callerIdNumber: '',
    durationMs: 4000,
    sizeBytes: 64044,
    file: f.files.toStored(path),
  })
  const r = await f.run(['message', 'delete', uuid])
  t.equal(r.code, 0, r.stderr)
  t.notMatch(r.stderr, /FreeSWITCH not reachable/, 'the lamp was sent')
  t.match(
    r.stderr,
    /^note: voicemaild is not running \(no .*\): voicemailctl pushes the lamps over its own FreeSWITCH connection\n$/,
  )
  const events = fs.sentEvents.filter((e) => e.name === 'MESSAGE_WAITING')
  t.same(
    events.map((e) => [header(e.headers, 'MWI-Messages-Waiting'), header(e.headers, 'Update-Reason')]),
    [['no', 'DELETE']],
  )
  const removed = await f.run(['mailbox', 'remove', '100', '--yes'])
  t.equal(removed.code, 0, removed.stderr)
  t.equal(
    fs.sentEvents.filter((e) => e.name === 'MESSAGE_WAITING').length,
    2,
    'a removed box turns its lamp off',
  )
})

void t.test(
  'mailbox set of what a box lights and domain set of the mode push the lamps at once',
  async (t) => {
    const fs = await freeswitch(t)
    const f = await ctlFixture(t, `freeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]`)
    await f.run(['mailbox', 'add', '800', '--kind', 'general', '--mwi-accounts', '101@example.com'])
    const lamps = (): Array<[string | undefined, string | undefined]> =>
      fs.sentEvents
        .filter((e) => e.name === 'MESSAGE_WAITING')
        .map((e) => [header(e.headers, 'MWI-Message-Account'), header(e.headers, 'MWI-Messages-Waiting')])

    const quiet = await f.run(['mailbox', 'set', '800', '--name', 'Sales'])
    t.equal(quiet.code, 0, quiet.stderr)
    t.same(lamps(), [], 'a change of the name lights nothing')

    const moved = await f.run(['mailbox', 'set', '800', '--mwi-accounts', '102@example.com'])
    t.equal(moved.code, 0, moved.stderr)
    t.same(
      lamps().map(([account]) => account),
      ['sip:800@example.com', 'sip:101@example.com', 'sip:800@example.com', 'sip:102@example.com'],
      'the account the box no longer lists gets its lamp again, and the new one',
    )

    const before = lamps().length
    const unified = await f.run([
      'domain',
      'set',
      'example.com',
      '--mode',
      'unified',
      '--unified-mailbox',
      '800',
    ])
    t.equal(unified.code, 0, unified.stderr)
    t.ok(lamps().length > before, 'a change of mode re-announces the lamps')
    const again = lamps().length
    await f.run(['domain', 'set', 'example.com', '--timezone', 'Europe/Paris'])
    t.equal(lamps().length, again, 'a change of time zone does not')
  },
)
