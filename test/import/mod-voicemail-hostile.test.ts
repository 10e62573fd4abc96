import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { systemClock } from '../../lib/clock.js'
import { defaultDomainSettings } from '../../lib/config/defaults.js'
import { type AudioConverter } from '../../lib/import/audio-converter.js'
import { applyImport } from '../../lib/import/mod-voicemail/apply.js'
import { planImport } from '../../lib/import/mod-voicemail/plan.js'
import { readSourceDb } from '../../lib/import/mod-voicemail/source-db.js'
import { storeView } from '../../lib/import/mod-voicemail/target-view.js'
import { createLogger } from '../../lib/log.js'
import { AudioFiles } from '../../lib/store/audio-files.js'
import { openStore } from '../../lib/store/index.js'
import { ctlFixture } from '../ctl/fixture.js'
import {
  directoryXml,
  messageRow,
  modVoicemailFixture,
  voicemailWav,
  widebandStereoWav,
} from './mod-voicemail-fixture.js'

const D = 'pbx.test'

void t.test('hostile values in the database and the directory are refused or made harmless', async (t) => {
  const f = await ctlFixture(t)
  const vm = await modVoicemailFixture(f.dir)
  const box = vm.boxDir(D, '1000')
  const ok = await vm.file(join(box, 'msg_ok.wav'), voicemailWav(3000))
  const secret = await vm.file(join(f.dir, 'outside', 'secret.wav'), voicemailWav(3000))
  await symlink(secret, join(box, 'msg_link.wav'))
  const notWav = await vm.file(join(box, 'msg_text.wav'), Buffer.from('not audio at all'))
  const empty = await vm.file(join(box, 'msg_empty.wav'), Buffer.alloc(0))
  const rows = [
    // caller data with CRLF, ESC and a quote; a uuid that is SQL; a receive time that is text; odd flags
    messageRow({
      uuid: "x'; DROP TABLE messages; --",
      cid_name: 'Eve\r\nBcc: all@example.com\u001b[31m',
      cid_number: '555\n0199',
      created_epoch: 'yesterday',
      read_flags: 'A_URGENT; DROP',
      forwarded_by: '../../etc@passwd',
      file_path: ok,
    }),
    messageRow({ uuid: '66666666-6666-4666-8666-666666666666', file_path: '/etc/passwd' }),
    messageRow({ uuid: '77777777-7777-4777-8777-777777777777', file_path: join(box, 'msg_link.wav') }),
    messageRow({ uuid: '88888888-8888-4888-8888-888888888888', file_path: notWav }),
    messageRow({ uuid: '99999999-9999-4999-8999-999999999999', file_path: empty }),
    messageRow({ username: '../../etc', file_path: ok }),
    messageRow({ username: '1000', domain: 'evil domain/..', file_path: ok }),
    messageRow({ created_epoch: 9_999_999_999, uuid: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', file_path: ok }),
  ]
  for (const row of rows) await vm.insert('voicemail_msgs', row)
  await vm.insert('voicemail_prefs', {
    username: '1000',
    domain: D,
    name_path: '',
    greeting_path: '/etc/shadow',
    password: '12ab',
  })
  const directory = join(f.dir, 'directory.xml')
  await writeFile(
    directory,
    directoryXml(D, {
      '1000': {
        params: {
          'vm-mailto': 'ok@example.com, "x" <evil@example.com>, bad\r\nBcc: x@example.com',
          'vm-email-all-messages': 'yes',
          'vm-disk-quota': 'lots',
        },
        variables: { effective_caller_id_name: 'Name\nwith newline', timezone: 'Mars/Olympus' },
      },
    }),
  )
  const r = await f.run([
    'import',
    'mod-voicemail',
    '--db',
    vm.db,
    '--storage',
    vm.storage,
    '--directory',
    directory,
    '--json',
  ])
  t.equal(r.code, 1, 'problems make the exit non-zero')
  const store = await f.store()
  const b = await store.mailboxes.find(D, '1000')
  t.match(b, {
    name: '',
    email: ['ok@example.com'],
    pinHash: undefined,
    timezone: undefined,
    quotaBytes: undefined,
  })
  t.equal((await store.mailboxes.list()).length, 1, 'no box from a hostile user name or domain')
  const messages = await store.messages.listAll(b?.rowId ?? 0)
  t.equal(messages.length, 2, 'only the two messages with a real file inside the storage folder')
  const first = messages.find((m) => m.callerIdName.startsWith('Eve'))
  t.match(first, { callerIdName: 'EveBcc: all@example.com[31m', callerIdNumber: '5550199', urgent: false })
  t.equal(first?.forwardedFrom, undefined, 'a forwarded_by that is not user@domain is dropped')
  t.match(
    first?.uuid,
    /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    'a uuid that is not one is replaced by a derived one',
  )
  t.ok(Math.abs((first?.receivedAt ?? 0) - Date.now()) < 60_000, 'an unreadable receive time is taken as now')
  const future = messages.find((m) => m.uuid === 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa')
  t.ok(
    Math.abs((future?.receivedAt ?? 0) - Date.now()) < 60_000,
    'a receive time in the far future is not believed',
  )
  const report = JSON.stringify(r.json)
  t.match(report, /outside mod_voicemail's storage folder/)
  t.match(report, /"reason":"audio: The file is not a WAV or MP3 audio file/)
  t.match(report, /empty file/)
  t.match(report, /not a box number/)
  t.match(report, /not a usable domain name/)
  t.match(report, /the PIN set by phone is not 1-10 digits/)
  t.match(report, /vm-disk-quota \\"lots\\" is not a number of seconds/)
  t.match(report, /not an email address, left out/)
  t.match(report, /Mars\/Olympus/)
  const files = await readdir(f.files.boxDir(D, '1000'))
  t.same(
    files.filter((n) => !n.endsWith('.wav')),
    [],
    'no partial file left behind',
  )
  t.notOk(
    files.some((n) => n.includes('..')),
    'no path from the database reached the store',
  )
})

void t.test('a crash in the middle (the converter throws) leaves a state a rerun completes', async (t) => {
  const f = await ctlFixture(t)
  const vm = await modVoicemailFixture(f.dir)
  const box = vm.boxDir(D, '1000')
  const uuids = [
    'a1111111-1111-4111-8111-111111111111',
    'a2222222-2222-4222-8222-222222222222',
    'a3333333-3333-4333-8333-333333333333',
  ]
  await vm.insert(
    'voicemail_msgs',
    messageRow({ uuid: uuids[0]!, file_path: await vm.file(join(box, 'a.wav'), voicemailWav(3000)) }),
  )
  await vm.insert(
    'voicemail_msgs',
    messageRow({ uuid: uuids[1]!, file_path: await vm.file(join(box, 'b.wav'), widebandStereoWav(3000)) }),
  )
  await vm.insert(
    'voicemail_msgs',
    messageRow({ uuid: uuids[2]!, file_path: await vm.file(join(box, 'c.wav'), voicemailWav(3000)) }),
  )
  const directory = join(f.dir, 'directory.xml')
  await writeFile(directory, directoryXml(D, { '1000': { params: { 'vm-password': '4821' } } }))

  const store = await openStore(join(f.stateDir, 'voicemail.db'), systemClock)
  const files = new AudioFiles(f.stateDir)
  const crashing: AudioConverter = { convert: () => Promise.reject(new Error('power cut')) }
  const plan = await planImport({
    source: await readSourceDb(vm.db),
    users: [],
    storageRoot: vm.storage,
    target: storeView(store),
    now: Date.now(),
  })
  const log = createLogger('error', { write: () => undefined })
  await t.rejects(
    applyImport(plan, {
      store,
      files,
      converter: crashing,
      domainSettings: () => defaultDomainSettings,
      log,
    }),
    /power cut/,
    'an unexpected error stops the run',
  )
  const b = await store.mailboxes.find(D, '1000')
  t.same(
    (await store.messages.listAll(b?.rowId ?? 0)).map((m) => m.uuid),
    [uuids[0]],
    'the run died after the first message',
  )
  // As if the process had died between writing the third file and its row: a file without a row.
  await mkdir(files.boxDir(D, '1000'), { recursive: true })
  await writeFile(files.messagePath(D, '1000', uuids[2]!), Buffer.from('half-written'))
  await store.close()

  const r = await f.run([
    'import',
    'mod-voicemail',
    '--db',
    vm.db,
    '--storage',
    vm.storage,
    '--directory',
    directory,
    '--json',
  ])
  t.equal(r.code, 0, r.stdout)
  t.match(r.json, { summary: { messages: { imported: 2, unchanged: 1 } } })
  const again = await f.store()
  const all = await again.messages.listAll(b?.rowId ?? 0)
  t.same(all.map((m) => m.uuid).sort(), [...uuids].sort(), 'each message exactly once')
  for (const m of all)
    t.ok((await files.inspect(files.fromStored(m.file))).durationMs >= 2990, `${m.uuid} is whole`)
})
