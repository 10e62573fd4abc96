import { randomUUID } from 'node:crypto'
import { access, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import t from 'tap'
import { isVoicemailFormat, readWavHeader } from '../../lib/store/wav.js'
import { toneMp3, toneWav } from '../support/audio.js'
import { buildWav } from '../support/freeswitch/wav.js'
import { ctlFixture, type CtlFixture } from './fixture.js'

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  )

void t.test(
  'greeting import stores a valid WAV in the state dir and replaces the previous one',
  async (t) => {
    const f = await ctlFixture(t)
    await f.run(['mailbox', 'add', '800', '--kind', 'general'])
    const wav = join(f.dir, 'closed.wav')
    await writeFile(wav, buildWav(4000, 500))
    const r = await f.run(['greeting', 'import', '800', 'unavailable', wav, '--activate', '--json'])
    t.equal(r.code, 0, r.stdout + r.stderr)
    t.match(r.json, { greeting: { kind: 'unavailable', durationMs: 4500, active: true, replaced: false } })
    const store = await f.store()
    const box = await store.mailboxes.find('example.com', '800')
    const g = await store.greetings.get(box?.rowId ?? 0, 'unavailable')
    t.ok(g)
    const stored = f.files.fromStored(g?.file ?? '')
    t.ok(stored.startsWith(join(f.stateDir, 'recordings', 'example.com', '800', 'greetings')), stored)
    t.same(await readFile(stored), await readFile(wav), 'copied byte for byte')
    t.equal(box?.activeGreeting, 'unavailable')

    await writeFile(wav, buildWav(2000, 0))
    const again = await f.run(['greeting', 'import', '800', 'unavailable', wav])
    t.equal(again.code, 0)
    t.match(again.stdout, /previous one replaced/)
    t.notOk(await exists(stored), 'previous file removed')
    const list = await f.run(['greeting', 'list', '800'])
    t.match(list.stdout, /unavailable\s+2\.0\s+yes/)
  },
)

void t.test(
  'an MP3 and a 44.1 kHz stereo WAV are converted to 8 kHz mono, and it says from what',
  async (t) => {
    const f = await ctlFixture(t)
    await f.run(['mailbox', 'add', '100'])
    const mp3 = join(f.dir, 'hello.mp3')
    await writeFile(mp3, toneMp3({ rate: 44100, seconds: 2 }))
    const r = await f.run(['greeting', 'import', '100', 'busy', mp3])
    t.equal(r.code, 0, r.stderr)
    t.match(
      r.stdout,
      /busy greeting of 100@example\.com imported \(2\.\d s, 8 kHz mono\) from MP3 \(MPEG audio\), 44100 Hz, mono, 2\.\d s/,
    )
    const hi = join(f.dir, 'hifi.wav')
    await writeFile(hi, toneWav({ rate: 44100, seconds: 1.5, channels: 2 }))
    const json = await f.run(['greeting', 'import', '100', 'name', hi, '--json'])
    t.match(json.json, {
      greeting: { kind: 'name', durationMs: Number },
      source: { format: 'wav', encoding: 'PCM 16-bit', sampleRate: 44100, channels: 2, durationMs: 1500 },
    })
    const store = await f.store()
    const box = await store.mailboxes.find('example.com', '100')
    for (const g of await store.greetings.list(box?.rowId ?? 0)) {
      const bytes = await readFile(f.files.fromStored(g.file))
      t.ok(isVoicemailFormat(readWavHeader(bytes, bytes.length)), `${g.kind}: stored as 8 kHz mono 16-bit`)
    }
    const audit = await store.audit.listRecent(10, box?.rowId ?? 0)
    t.match(
      audit.filter((a) => a.action === 'greeting.imported').map((a) => a.detail.source),
      [/^WAV \(PCM 16-bit\), 44100 Hz, stereo/, /^MP3/],
      'what was converted is audited',
    )
  },
)

void t.test(
  'not audio, an empty file and a damaged MP3 are refused with the reason, nothing stored',
  async (t) => {
    const f = await ctlFixture(t)
    await f.run(['mailbox', 'add', '100'])
    const text = join(f.dir, 'notes.wav')
    await writeFile(text, 'just some text, whatever the name says')
    const r = await f.run(['greeting', 'import', '100', 'busy', text])
    t.equal(r.code, 1)
    t.match(r.stderr, /notes\.wav: The file is not a WAV or MP3 audio file\./)
    const empty = join(f.dir, 'empty.wav')
    await writeFile(empty, Buffer.alloc(0))
    const e = await f.run(['greeting', 'import', '100', 'busy', empty, '--json'])
    t.match(e.json, { ok: false, error: { code: 'not-audio' } })
    const junk = join(f.dir, 'junk.mp3')
    await writeFile(
      junk,
      Buffer.concat([Buffer.from('ID3\u0003\u0000\u0000\u0000\u0000\u0000\u0000'), Buffer.alloc(999, 3)]),
    )
    const j = await f.run(['greeting', 'import', '100', 'busy', junk, '--json'])
    t.match(j.json, { ok: false, error: { code: 'corrupt', message: /MP3 file is damaged/ } })
    const store = await f.store()
    const box = await store.mailboxes.find('example.com', '100')
    t.same(await store.greetings.list(box?.rowId ?? 0), [], 'nothing stored')
    t.notOk(
      await exists(join(f.stateDir, 'recordings', 'example.com', '100', 'greetings')),
      'no file written',
    )
  },
)

void t.test('greeting import: unknown box, bad kind, missing file, too long', async (t) => {
  const f = await ctlFixture(t, 'recording: { maxGreetingSeconds: 2 }')
  const wav = join(f.dir, 'g.wav')
  await writeFile(wav, buildWav(3000, 0))
  const unknown = await f.run(['greeting', 'import', '100', 'busy', wav])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /no mailbox 100@example\.com/)
  await f.run(['mailbox', 'add', '100'])
  t.equal((await f.run(['greeting', 'import', '100', 'welcome', wav])).code, 2)
  const missing = await f.run(['greeting', 'import', '100', 'busy', join(f.dir, 'nope.wav')])
  t.equal(missing.code, 1)
  t.match(missing.stderr, /no such file/)
  const long = await f.run(['greeting', 'import', '100', 'busy', wav])
  t.equal(long.code, 1)
  t.match(long.stderr, /lasts 3\.0 s; a greeting may last at most 2 s/)
  t.match(long.stderr, /recording\.maxGreetingSeconds/)
  t.equal((await f.run(['greeting', 'import', '100', 'name', wav, '--activate'])).code, 2)
})

async function seedMessage(f: CtlFixture, id = '100'): Promise<{ uuid: string; path: string }> {
  const store = await f.store()
  const box = await store.mailboxes.find('example.com', id)
  const uuid = randomUUID()
  const path = f.files.messagePath('example.com', id, uuid)
  await mkdir(dirname(path), { recursive: true })
  const wav = buildWav(4000, 0)
  await writeFile(path, wav)
  await store.messages.insert({
    uuid,
    mailboxRowId: box?.rowId ?? 0,
    callerIdName: 'Eve\r\nInjected',
    callerIdNumber: '5551234',
    durationMs: 4000,
    sizeBytes: wav.length,
    file: f.files.toStored(path),
  })
  return { uuid, path }
}

void t.test('message list / export / delete', async (t) => {
  const f = await ctlFixture(t)
  await f.run(['mailbox', 'add', '100'])
  const m1 = await seedMessage(f)
  const m2 = await seedMessage(f)
  const list = await f.run(['message', 'list', '100'])
  t.equal(list.code, 0)
  t.match(list.stdout, new RegExp(`${m1.uuid}\\s+new`))
  t.match(list.stdout, /Eve\\x0d\\x0aInjected 5551234/, 'control characters shown escaped')
  const json = await f.run(['message', 'list', '100', '--json'])
  t.match(json.json, {
    messages: [
      { uuid: m1.uuid, folder: 'new', durationMs: 4000, callerIdNumber: '5551234' },
      { uuid: m2.uuid },
    ],
  })

  const out = join(f.dir, 'export.wav')
  const exp = await f.run(['message', 'export', m1.uuid, '--to', out])
  t.equal(exp.code, 0, exp.stderr)
  t.same(await readFile(out), await readFile(m1.path))
  const again = await f.run(['message', 'export', m1.uuid, '--to', out])
  t.equal(again.code, 1)
  t.match(again.stderr, /exists \(use --force/)
  t.equal((await f.run(['message', 'export', m1.uuid, '--to', out, '--force'])).code, 0)
  t.equal((await f.run(['message', 'export', m1.uuid])).code, 2, '--to is required')

  const del = await f.run(['message', 'delete', m1.uuid])
  t.equal(del.code, 0, del.stderr)
  const store = await f.store()
  t.equal(await store.messages.get(m1.uuid), undefined, 'row gone')
  t.notOk(await exists(m1.path), 'file gone')
  t.ok(await store.messages.get(m2.uuid), 'the other message stays')

  const unknown = await f.run(['message', 'delete', randomUUID(), '--json'])
  t.equal(unknown.code, 1)
  t.match(unknown.json, { ok: false, error: { code: 'not-found' } })
  t.equal((await f.run(['message', 'delete', 'not-a-uuid'])).code, 2)
  t.equal((await f.run(['message', 'list', '999'])).code, 1, 'unknown box')
})
