import { createHash } from 'node:crypto'
import { access, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { verifyPin } from '../../lib/store/pin.js'
import { readWavHeader } from '../../lib/store/wav.js'
import { ctlFixture, type CtlFixture } from '../ctl/fixture.js'
import {
  directoryXml,
  messageRow,
  modVoicemailFixture,
  voicemailWav,
  widebandStereoWav,
  type ModVoicemailFixture,
} from './mod-voicemail-fixture.js'

const D = 'pbx.test'
const M1 = '11111111-1111-4111-8111-111111111111'
const M2 = '22222222-2222-4222-8222-222222222222'
const M3 = '33333333-3333-4333-8333-333333333333'
const M4 = '44444444-4444-4444-8444-444444444444'

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  )
const sha = async (p: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(p))
    .digest('hex')

interface Scenario {
  f: CtlFixture
  vm: ModVoicemailFixture
  directory: string
  argv: string[]
  sources: string[]
}

/**
 * Box 1000: PIN 4821 set by phone (directory vm-password 1000 is weak), mail to alice with the audio, a 600 s quota,
 * a greeting and a recorded name, and four messages: new, new urgent (16 kHz stereo, converted), saved (a vm-cc
 * copy from 1001) and one deleted by its owner. 1001: weak vm-password. 1002: voicemail disabled. 1003: user-choose.
 * brian: not a box number.
 */
async function scenario(t: Test): Promise<Scenario> {
  const f = await ctlFixture(t)
  const vm = await modVoicemailFixture(f.dir)
  const box = vm.boxDir(D, '1000')
  const sources = [
    await vm.file(join(box, `msg_${M1}.wav`), voicemailWav(4000)),
    await vm.file(join(box, `msg_${M2}.wav`), widebandStereoWav(3500)),
    await vm.file(join(box, `msg_${M3}.wav`), voicemailWav(5000)),
    await vm.file(join(box, `msg_${M4}.wav`), voicemailWav(3000)),
    await vm.file(join(box, 'greeting_1.wav'), voicemailWav(2500)),
    await vm.file(join(box, 'recorded_name.wav'), voicemailWav(1200)),
  ]
  await vm.insert(
    'voicemail_msgs',
    messageRow({ uuid: M1, created_epoch: 1_790_000_100, file_path: sources[0]! }),
  )
  await vm.insert(
    'voicemail_msgs',
    messageRow({
      uuid: M2,
      created_epoch: 1_790_000_200,
      read_flags: 'A_URGENT',
      cid_number: '5550200',
      file_path: sources[1]!,
    }),
  )
  await vm.insert(
    'voicemail_msgs',
    messageRow({
      uuid: M3,
      created_epoch: 1_790_000_050,
      read_epoch: 1_790_000_500,
      flags: 'save',
      forwarded_by: '1001@pbx.test',
      file_path: sources[2]!,
    }),
  )
  await vm.insert('voicemail_msgs', messageRow({ uuid: M4, flags: 'delete', file_path: sources[3]! }))
  await vm.insert('voicemail_prefs', {
    username: '1000',
    domain: D,
    name_path: sources[5]!,
    greeting_path: sources[4]!,
    password: '4821',
  })
  const directory = join(f.dir, 'directory.xml')
  await writeFile(
    directory,
    directoryXml(D, {
      '1000': {
        params: {
          'vm-password': '1000',
          'vm-mailto': 'alice@example.com',
          'vm-email-all-messages': 'true',
          'vm-attach-file': 'true',
          'vm-disk-quota': '600',
          'mwi-account': '1000@pbx.test',
        },
        variables: { effective_caller_id_name: 'Extension 1000' },
      },
      '1001': { params: { 'vm-password': '1001' } },
      '1002': { params: { 'vm-password': '8362', 'vm-enabled': 'false' } },
      '1003': { params: { 'vm-password': 'user-choose' } },
      brian: { params: { 'vm-password': '9876' } },
    }),
  )
  const argv = ['import', 'mod-voicemail', '--db', vm.db, '--storage', vm.storage, '--directory', directory]
  return { f, vm, directory, argv, sources }
}

void t.test('--dry-run prints the plan and touches nothing', async (t) => {
  const s = await scenario(t)
  const before = await Promise.all([s.vm.db, ...s.sources].map(sha))
  const text = await s.f.run([...s.argv, '--dry-run'])
  t.equal(text.code, 0, text.stderr)
  t.match(
    text.stdout,
    /box 1000@pbx\.test: would create \(name "Extension 1000", mail to alice@example\.com, attach audio yes/,
  )
  t.match(text.stdout, /PIN: from the PIN set by phone\n/)
  t.match(
    text.stdout,
    new RegExp(
      `message ${M2}: would import new urgent from 5550200.*converted from 16000 Hz 16-bit 2 channels`,
    ),
  )
  t.match(text.stdout, new RegExp(`message ${M3}: would import saved`))
  t.match(text.stdout, new RegExp(`message ${M4}: skipped new.*deleted in mod_voicemail`))
  t.match(
    text.stdout,
    /box 1001@pbx\.test: would create \(mail to nobody, attach audio no, keep after mail yes, enabled\)\n {2}PIN: from vm-password, temporary \(weak: mailbox-number\)/,
  )
  t.match(text.stdout, /box 1002@pbx\.test: would create \(.*disabled\)/)
  t.match(text.stdout, /box 1003@pbx\.test: would create \(.*\)\n {2}PIN: vm-password is user-choose/)
  t.match(text.stdout, /skipped user brian@pbx\.test: not a box number/)
  t.match(
    text.stdout,
    /dry run, nothing changed: would create 4 boxes.*messages: 3 to import.*greetings and names: 2 to import; problems: 0/,
  )
  t.notMatch(text.stdout + text.stderr, /4821|8362/, 'no PIN printed')

  const json = await s.f.run([...s.argv, '--dry-run', '--json'])
  t.match(json.json, {
    ok: true,
    dryRun: true,
    summary: {
      boxes: { create: 4 },
      messages: { import: 3, skip: 1 },
      greetings: { import: 2 },
      problems: 0,
    },
  })
  t.notMatch(json.stdout, /4821/)
  t.notOk(await exists(join(s.f.stateDir, 'voicemail.db')), 'no database created')
  t.notOk(await exists(join(s.f.stateDir, 'recordings')), 'no recordings folder')
  t.same(await Promise.all([s.vm.db, ...s.sources].map(sha)), before, 'source untouched')
})

void t.test('imports settings, PINs, greetings and messages; a rerun imports nothing twice', async (t) => {
  const s = await scenario(t)
  const before = await Promise.all([s.vm.db, ...s.sources].map(sha))
  const r = await s.f.run([...s.argv, '--json'])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.match(r.json, {
    summary: {
      boxes: { create: 4 },
      messages: { imported: 3, skip: 1 },
      greetings: { imported: 2 },
      problems: 0,
    },
    lampsAnnounced: false,
  })
  t.match(r.json.notes, [/FreeSWITCH not reachable: the lamp follows/])

  const store = await s.f.store()
  const box = await store.mailboxes.find(D, '1000')
  t.match(box, {
    name: 'Extension 1000',
    email: ['alice@example.com'],
    attachAudio: true,
    keepAfterEmail: true,
    quotaBytes: 600 * 16000,
    enabled: true,
    pinTemporary: false,
    activeGreeting: 'unavailable',
  })
  t.ok(await verifyPin('4821', box?.pinHash ?? ''), 'the PIN set by phone wins over vm-password')
  const b1001 = await store.mailboxes.find(D, '1001')
  t.ok(b1001?.pinTemporary, 'weak vm-password comes over as temporary')
  t.ok(await verifyPin('1001', b1001?.pinHash ?? ''))
  t.equal((await store.mailboxes.find(D, '1002'))?.enabled, false, 'vm-enabled=false: disabled box')
  t.equal((await store.mailboxes.find(D, '1003'))?.pinHash, undefined, 'user-choose: no PIN yet')
  t.equal(await store.mailboxes.find(D, 'brian'), undefined)

  const fresh = await store.messages.listForOwner(box?.rowId ?? 0, 'new')
  t.same(
    fresh.map((m) => [m.uuid, m.urgent, m.receivedAt, m.callerIdNumber]),
    [
      [M2, true, 1_790_000_200_000, '5550200'],
      [M1, false, 1_790_000_100_000, '5550123'],
    ],
    'new messages: urgent first, received times kept',
  )
  const saved = await store.messages.listForOwner(box?.rowId ?? 0, 'saved')
  t.match(saved, [
    { uuid: M3, savedAt: 1_790_000_500_000, heardAt: 1_790_000_500_000, forwardedFrom: '1001@pbx.test' },
  ])
  for (const m of [...fresh, ...saved]) {
    const bytes = await readFile(s.f.files.fromStored(m.file))
    t.match(
      readWavHeader(bytes, bytes.length),
      { sampleRate: 8000, channels: 1, bitsPerSample: 16 },
      `${m.uuid} is 8 kHz mono 16-bit`,
    )
    t.equal(m.sizeBytes, bytes.length)
  }
  const converted = fresh[0]!
  t.ok(
    Math.abs(converted.durationMs - 3500) < 50,
    `converted message keeps its length (${converted.durationMs} ms)`,
  )
  t.same(
    await readFile(s.f.files.fromStored(fresh[1]!.file)),
    await readFile(s.sources[0]!),
    'an 8 kHz file is copied byte for byte',
  )
  const greeting = await store.greetings.get(box?.rowId ?? 0, 'unavailable')
  const name = await store.greetings.get(box?.rowId ?? 0, 'name')
  t.equal(greeting?.durationMs, 2500)
  t.equal(name?.durationMs, 1200)
  t.same(await Promise.all([s.vm.db, ...s.sources].map(sha)), before, 'the source is never modified')

  const again = await s.f.run([...s.argv, '--json'])
  t.equal(again.code, 0, again.stdout)
  t.match(again.json, {
    summary: {
      boxes: { create: 0, change: 0, unchanged: 4 },
      messages: { imported: 0, unchanged: 3 },
      greetings: { imported: 0, unchanged: 2 },
    },
  })
  t.equal((await store.messages.listAll(box?.rowId ?? 0)).length, 3, 'still three messages')
  const files = await readdir(s.f.files.boxDir(D, '1000'))
  t.equal(files.filter((n) => n.endsWith('.wav')).length, 3, 'no second copy of any file')
  const text = await s.f.run(s.argv)
  t.match(text.stdout, /box 1000@pbx\.test: unchanged \(3 messages already imported\)/)
})

void t.test(
  'a box that already exists: settings changed where the directory says so, the owner PIN kept',
  async (t) => {
    const s = await scenario(t)
    const store = await s.f.store()
    await s.f.run(['mailbox', 'add', '1000', '--domain', D, '--email', 'boss@example.com', '--name', 'Alice'])
    await s.f.run(['pin', 'set', '1000', '--domain', D, '--pin', '5739'])
    await s.f.run(['mailbox', 'add', '1001', '--domain', D])
    await s.f.run(['pin', 'set', '1001', '--domain', D, '--pin', '6284', '--temporary'])
    const r = await s.f.run([...s.argv, '--json'])
    t.equal(r.code, 0, r.stdout)
    t.match(r.json, {
      boxes: [
        { id: '1000', action: 'change', pin: { action: 'keep' } },
        { id: '1001', action: 'change', pin: { action: 'set', temporary: true } },
      ],
    })
    const b1000 = await store.mailboxes.find(D, '1000')
    t.match(b1000, { name: 'Alice', email: ['alice@example.com'], attachAudio: true })
    t.ok(await verifyPin('5739', b1000?.pinHash ?? ''), 'a PIN chosen in voicemaild is never overwritten')
    t.ok(
      await verifyPin('1001', (await store.mailboxes.find(D, '1001'))?.pinHash ?? ''),
      'a temporary PIN is replaced',
    )
  },
)

void t.test('a half-done import (a file missing) reports the problem and a rerun finishes it', async (t) => {
  const s = await scenario(t)
  const missing = join(s.vm.boxDir(D, '1000'), 'msg_late.wav')
  const late = '55555555-5555-4555-8555-555555555555'
  await s.vm.insert('voicemail_msgs', messageRow({ uuid: late, file_path: missing }))
  const r = await s.f.run(s.argv)
  t.equal(r.code, 1, 'non-zero exit: something could not be imported')
  t.match(r.stdout, new RegExp(`message ${late}: PROBLEM new from 5550123, received .*: file missing: `))
  t.match(r.stdout, /messages: 3 imported.*problems: 1/)
  await s.vm.file(missing, voicemailWav(3200))
  const again = await s.f.run([...s.argv, '--json'])
  t.equal(again.code, 0, again.stdout)
  t.match(again.json, { summary: { messages: { imported: 1, unchanged: 3 }, problems: 0 } })
})

void t.test('errors: no database, wrong schema, storage missing, FreeSWITCH unreachable', async (t) => {
  const s = await scenario(t)
  const noDb = await s.f.run([
    'import',
    'mod-voicemail',
    '--db',
    join(s.f.dir, 'nope.db'),
    '--storage',
    s.vm.storage,
    '--directory',
    s.directory,
  ])
  t.equal(noDb.code, 1)
  t.match(noDb.stderr, /no mod_voicemail database at .*nope\.db\n {2}give its path with --db/)
  const wrong = join(s.f.dir, 'wrong.db')
  await s.f.run(['mailbox', 'add', '10'])
  const wrongSchema = await s.f.run([
    'import',
    'mod-voicemail',
    '--db',
    join(s.f.stateDir, 'voicemail.db'),
    '--storage',
    s.vm.storage,
    '--directory',
    s.directory,
    '--json',
  ])
  t.match(wrongSchema.json, {
    ok: false,
    error: {
      code: 'import-source',
      message: /is not a mod_voicemail database: missing voicemail_msgs\.created_epoch/,
    },
  })
  void wrong
  const noStorage = await s.f.run([
    'import',
    'mod-voicemail',
    '--db',
    s.vm.db,
    '--storage',
    join(s.f.dir, 'none'),
    '--directory',
    s.directory,
  ])
  t.equal(noStorage.code, 1)
  t.match(noStorage.stderr, /storage folder .* does not exist/)
  const noFs = await s.f.run(['import', 'mod-voicemail', '--timeout', '0.3'])
  t.equal(noFs.code, 1)
  t.match(
    noFs.stderr,
    /cannot connect to FreeSWITCH .* to find mod_voicemail's data\n {2}without FreeSWITCH give all three/,
  )
  const badProfile = await s.f.run(['import', 'mod-voicemail', '--profile', '../x'])
  t.equal(badProfile.code, 2)
})

void t.test(
  'a PIN changed in mod_voicemail between two imports follows; one chosen in voicemaild stays',
  async (t) => {
    const s = await scenario(t)
    t.equal((await s.f.run(s.argv)).code, 0)
    await s.vm.sql("UPDATE voicemail_prefs SET password = '6284' WHERE username = '1000'")
    const r = await s.f.run([...s.argv, '--json'])
    t.match(r.json, {
      boxes: [{ id: '1000', action: 'change', pin: { action: 'set', reason: /changed in mod_voicemail/ } }],
    })
    const store = await s.f.store()
    t.ok(await verifyPin('6284', (await store.mailboxes.find(D, '1000'))?.pinHash ?? ''))
    await s.f.run(['pin', 'set', '1000', '--domain', D, '--pin', '5739'])
    await s.vm.sql("UPDATE voicemail_prefs SET password = '3951' WHERE username = '1000'")
    const after = await s.f.run([...s.argv, '--json'])
    t.match(after.json, { boxes: [{ id: '1000', pin: { action: 'keep' } }] })
    t.ok(
      await verifyPin('5739', (await store.mailboxes.find(D, '1000'))?.pinHash ?? ''),
      'the owner chose one since: kept',
    )
  },
)
