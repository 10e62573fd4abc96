import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isVoicemailFormat, readWavHeader } from '../../lib/store/wav.js'
import { toneMp3, toneWav } from '../support/audio.js'
import { DOMAIN, startWeb, type WebClient, type WebHarness } from './fixture.js'

const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: DOMAIN }

function upload(
  page: WebClient,
  kind: string,
  bytes: Buffer,
  name = 'greeting.bin',
  type = 'application/octet-stream',
) {
  const form = new FormData()
  form.append('file', new Blob([bytes], { type }), name)
  return page.request('POST', `/api/greetings/${kind}`, { body: form })
}

/** What the next caller of box 100 is played first: the greeting chain (`file_string://a!b`) of the deposit flow. */
async function nextCallerHears(h: WebHarness): Promise<string> {
  const transcript = await h.call({
    variables: deposit100,
    actions: [{ when: { onPlayback: true, afterMs: 100 }, hangup: true }],
  }).finished
  return transcript.executes.find((e) => e.app === 'playback')?.arg ?? ''
}

async function greetingFiles(h: WebHarness): Promise<string[]> {
  return readdir(join(h.dir, 'recordings', DOMAIN, '100', 'greetings')).catch(() => [])
}

void t.test(
  'upload an MP3 and a hi-fi WAV: converted, stored, audited, and played to the next caller',
  async (t) => {
    const h = await startWeb(t)
    const page = await h.loggedIn()
    const before = (await page.get('/api/greetings')).json
    t.match(before, {
      active: 'unavailable',
      callersHear: 'the standard announcement with your mailbox number',
      maxSeconds: 90,
      maxUploadBytes: 32 * 1024 * 1024,
      greetings: [
        { kind: 'unavailable', recorded: false },
        { kind: 'busy', recorded: false },
        { kind: 'temporary', recorded: false },
        { kind: 'name', recorded: false },
      ],
    })

    const mp3 = await upload(
      page,
      'unavailable',
      toneMp3({ rate: 44100, seconds: 4, kbps: 96 }),
      'hello.mp3',
      'audio/mpeg',
    )
    t.equal(mp3.status, 200, mp3.text)
    t.match(mp3.json, {
      callersHear: 'your unavailable greeting',
      uploaded: {
        kind: 'unavailable',
        message: /^Converted from MP3 \(MPEG audio\), 44100 Hz, mono, 4\.\d s to 8 kHz mono and saved\.$/,
      },
      greetings: [{ kind: 'unavailable', recorded: true, duration: '4 s' }],
    })
    const box = await h.box('100')
    const stored = await h.app.store.greetings.get(box.rowId, 'unavailable')
    const bytes = await readFile(h.app.deps.files.fromStored(stored?.file ?? ''))
    t.ok(isVoicemailFormat(readWavHeader(bytes, bytes.length)), 'stored as 8 kHz mono 16-bit PCM')
    const audit = await h.app.store.audit.listRecent(5, box.rowId)
    t.match(audit[0], {
      action: 'greeting.uploaded',
      actor: 'web:127.0.0.1',
      detail: { kind: 'unavailable', source: /^MP3/ },
    })
    t.ok(
      (await nextCallerHears(h)).includes(h.app.deps.files.fromStored(stored?.file ?? '')),
      'the next caller hears it',
    )

    const wav = toneWav({ rate: 48000, seconds: 2, channels: 2, depth: '24' })
    const temporary = await upload(page, 'temporary', wav, 'closed.wav', 'audio/wav')
    t.equal(temporary.status, 200, temporary.text)
    t.match(temporary.json, {
      callersHear: /^your temporary greeting/,
      uploaded: { message: /^Converted from WAV \(PCM 24-bit\), 48000 Hz, stereo, 2\.0 s/ },
    })
    const tempFile = h.app.deps.files.fromStored(
      (await h.app.store.greetings.get(box.rowId, 'temporary'))?.file ?? '',
    )
    t.match(
      await nextCallerHears(h),
      `file_string://${tempFile}!`,
      'the temporary greeting wins while it is set',
    )

    const again = await upload(page, 'unavailable', toneWav({ rate: 8000, seconds: 1.5 }), 'short.wav')
    t.equal(again.status, 200)
    t.equal(
      (await greetingFiles(h)).length,
      2,
      'the replaced file is removed (one unavailable, one temporary)',
    )

    const audio = await page.get('/api/greetings/unavailable/audio', { range: 'bytes=0-43' })
    t.equal(audio.status, 206, 'greetings play with Range too')
    t.equal(audio.bytes.subarray(0, 4).toString(), 'RIFF')
    t.equal((await page.get('/api/greetings/busy/audio')).status, 404, 'a greeting not recorded')

    const removed = await page.request('DELETE', '/api/greetings/temporary')
    t.equal(removed.status, 200)
    t.match(removed.json, {
      callersHear: 'your unavailable greeting',
      greetings: [{}, {}, { kind: 'temporary', recorded: false }],
    })
    t.equal((await greetingFiles(h)).length, 1, 'its file removed')
    t.match((await h.app.store.audit.listRecent(1, box.rowId))[0], {
      action: 'greeting.removed',
      detail: { kind: 'temporary' },
    })
    const busy = await page.request('DELETE', '/api/greetings/busy')
    t.equal(busy.status, 409)
    t.match(busy.json, { error: { code: 'not-removable' } })
  },
)

void t.test('choose the greeting for unanswered calls, as options 5 on the phone', async (t) => {
  const h = await startWeb(t)
  const page = await h.loggedIn()
  await upload(page, 'busy', toneWav({ rate: 16000, seconds: 1.5 }))
  const reply = await page.post('/api/greetings/active', { kind: 'busy' })
  t.equal(reply.status, 200)
  t.match(reply.json, { active: 'busy', callersHear: 'your busy greeting' })
  t.equal((await h.box('100')).activeGreeting, 'busy')
  t.match((await h.app.store.audit.listRecent(1, (await h.box('100')).rowId))[0], {
    action: 'greeting.activated',
    detail: { kind: 'busy' },
  })
  const name = await page.post('/api/greetings/active', { kind: 'name' })
  t.match(name.json, { active: 'name', callersHear: 'the standard announcement with your mailbox number' })
  const temporary = await page.post('/api/greetings/active', { kind: 'temporary' })
  t.equal(temporary.status, 400, 'the temporary greeting is set by recording it, not chosen')
})

void t.test('bad uploads get a clear answer and store nothing', async (t) => {
  const h = await startWeb(t, {
    config: { recording: { maxGreetingSeconds: 3 }, http: { maxUploadBytes: 65536 } },
  })
  const page = await h.loggedIn()
  const cases: Array<
    [
      string,
      () => Promise<{ status: number; json: { error?: { code: string; message: string } } }>,
      number,
      string,
      RegExp,
    ]
  > = [
    [
      'not audio',
      () =>
        upload(page, 'busy', Buffer.from('Dear caller, this is a text file.'), 'greeting.wav', 'audio/wav'),
      415,
      'not-audio',
      /not a WAV or MP3/,
    ],
    [
      'an image',
      () =>
        upload(page, 'busy', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 'me.png', 'image/png'),
      415,
      'not-audio',
      /not a WAV or MP3/,
    ],
    [
      'too long',
      () => upload(page, 'busy', toneWav({ rate: 8000, seconds: 3.5 })),
      422,
      'too-long',
      /lasts 3\.5 s; a greeting may last at most 3 s/,
    ],
    [
      'too short',
      () => upload(page, 'busy', toneWav({ rate: 8000, seconds: 0.4 })),
      422,
      'too-short',
      /at least 1 s/,
    ],
    [
      'huge',
      () => upload(page, 'busy', toneWav({ rate: 44100, seconds: 1 })),
      413,
      'too-big',
      /^The file is larger than 64 KB; send a shorter recording\.$/,
    ],
    [
      'a damaged MP3',
      () =>
        upload(
          page,
          'busy',
          Buffer.concat([
            Buffer.from('ID3\u0003\u0000\u0000\u0000\u0000\u0000\u0000'),
            Buffer.alloc(4000, 9),
          ]),
        ),
      422,
      'corrupt',
      /MP3 file is damaged/,
    ],
    [
      'a WAV codec we do not read',
      () => {
        const wav = toneWav({ rate: 8000, seconds: 1.5 })
        wav.writeUInt16LE(0x55, 20)
        return upload(page, 'busy', wav)
      },
      415,
      'unsupported',
      /save it as PCM WAV or MP3/,
    ],
    [
      'not a file upload',
      () => page.post('/api/greetings/busy', { file: 'aGVsbG8=' }),
      415,
      'not-multipart',
      /multipart\/form-data/,
    ],
    [
      'no file in the form',
      () => {
        const form = new FormData()
        form.append('note', 'nothing attached')
        return page.request('POST', '/api/greetings/busy', { body: form })
      },
      400,
      'no-file',
      /No file was sent/,
    ],
    [
      'a kind that does not exist',
      () => upload(page, 'welcome', toneWav({ rate: 8000, seconds: 1.5 })),
      404,
      'not-found',
      /was not found/,
    ],
    [
      'a kind with a path in it',
      () => upload(page, '..%2Fbusy', toneWav({ rate: 8000, seconds: 1.5 })),
      404,
      'not-found',
      /was not found/,
    ],
  ]
  for (const [what, send, status, code, message] of cases) {
    const reply = await send()
    t.equal(reply.status, status, `${what}: ${status}`)
    t.match(reply.json, { error: { code, message } }, `${what}: says why`)
  }
  t.same(await h.app.store.greetings.list((await h.box('100')).rowId), [], 'no greeting stored')
  t.same(await greetingFiles(h), [], 'no file left behind')
})
