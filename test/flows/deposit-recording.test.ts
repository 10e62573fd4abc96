import t from 'tap'
import { existsSync } from 'node:fs'
import { startHarness } from '../support/daemon-harness.js'

const config = {
  mailboxes: [
    { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
  ],
}
const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' }
const send = { when: { onPlayback: /vm-mark-urgent/ }, press: '#' }

void t.test('a too-short message is discarded and the caller records again', async (t) => {
  const h = await startHarness(t, { config })
  const transcript = await h.call({
    variables: deposit100,
    records: [
      { speakMs: 1000, then: { press: '#' } },
      { speakMs: 5000, then: { press: '#' } },
    ],
    actions: [{ when: { onPlayback: /vm-listen_to_recording/ }, press: '2' }, send],
  }).finished
  t.ok(
    transcript.executes.some((e) => e.app === 'playback' && e.arg.includes('vm-too-small')),
    '"too short" said',
  )
  t.equal(transcript.recordedFiles.length, 2, 'two recordings')
  t.notOk(existsSync(transcript.recordedFiles[0]!), 'the short one is deleted')
  const messages = await h.messages('100')
  t.equal(messages.length, 1, 'one message kept')
  t.equal(messages[0]!.durationMs, 5000, 'the second recording')
})

void t.test(
  'too short every time: after the retries the caller hears goodbye and nothing is kept',
  async (t) => {
    const h = await startHarness(t, { config })
    const transcript = await h.call({
      variables: deposit100,
      records: [{ speakMs: 500, then: { press: '#' } }],
    }).finished
    t.equal(transcript.recordedFiles.length, 1 + h.config.recording.maxTooShortRetries, '1 + 3 re-records')
    t.equal((await h.messages('100')).length, 0, 'no message')
    t.ok(
      transcript.recordedFiles.every((f) => !existsSync(f)),
      'no file left behind',
    )
  },
)

void t.test('a caller who hangs up after less than the minimum leaves nothing', async (t) => {
  const h = await startHarness(t, { config })
  await h.call({ variables: deposit100, records: [{ speakMs: 1500, then: 'hangup' }] }).finished
  t.equal((await h.messages('100')).length, 0, 'no message')
})

void t.test('3 re-records: the first take is replaced', async (t) => {
  const h = await startHarness(t, { config })
  const transcript = await h.call({
    variables: deposit100,
    records: [
      { speakMs: 4000, then: { press: '#' } },
      { speakMs: 6000, then: { press: '#' } },
    ],
    actions: [
      { when: { onPlayback: /vm-listen_to_recording/, nth: 1 }, press: '3' },
      { when: { onPlayback: /vm-listen_to_recording/, nth: 2 }, press: '2' },
      send,
    ],
  }).finished
  t.equal(transcript.recordedFiles.length, 2, 'recorded twice')
  t.notOk(existsSync(transcript.recordedFiles[0]!), 'first take removed')
  const messages = await h.messages('100')
  t.equal(messages.length, 1, 'one message')
  t.equal(messages[0]!.durationMs, 6000, 'the second take')
})

void t.test('1 plays the recording back before saving', async (t) => {
  const h = await startHarness(t, { config })
  const transcript = await h.call({
    variables: deposit100,
    records: [{ speakMs: 4000, then: { press: '#' } }],
    actions: [
      { when: { onPlayback: /vm-listen_to_recording/, nth: 1 }, press: '1' },
      { when: { onPlayback: /vm-listen_to_recording/, nth: 2 }, press: '2' },
      send,
    ],
  }).finished
  const recorded = transcript.recordedFiles[0]!
  t.ok(
    transcript.executes.some((e) => e.app === 'playback' && e.arg === recorded),
    'played the recording',
  )
  t.equal((await h.messages('100')).length, 1, 'then saved')
})

void t.test('* marks the message urgent and sends it: no further key is asked for', async (t) => {
  const h = await startHarness(t, { config })
  const transcript = await h.call({
    variables: deposit100,
    records: [{ speakMs: 4000, then: { press: '#' } }],
    actions: [
      { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
      { when: { onPlayback: /vm-mark-urgent/ }, press: '*' },
    ],
  }).finished
  const [message] = await h.messages('100')
  t.equal(message?.urgent, true, 'urgent')
  const apps = transcript.executes
  const urgentMenu = apps.findIndex((e) => /vm-mark-urgent/.test(e.arg))
  t.notOk(
    apps.slice(urgentMenu + 1).some((e) => e.app === 'play_and_get_digits'),
    'no menu after the *',
  )
  t.ok(
    apps.slice(urgentMenu + 1).some((e) => /message-saved\.wav/.test(e.arg)),
    '"message saved, goodbye" follows',
  )
})

void t.test('no answer in the review menus saves the message (like mod_voicemail)', async (t) => {
  const h = await startHarness(t, { config })
  const transcript = await h.call({ variables: deposit100, records: [{ speakMs: 4000, then: 'silence' }] })
    .finished
  const [message] = await h.messages('100')
  t.ok(message, 'saved')
  t.equal(
    message?.durationMs,
    4000 + h.config.recording.silenceSeconds * 1000,
    'trailing silence stays in the file',
  )
  t.ok(
    transcript.executes.some((e) => e.arg.includes('message-saved.wav')),
    '"message saved, goodbye"',
  )
})

void t.test('after the commit the lamp is lit and the mail is queued', async (t) => {
  const h = await startHarness(t, { config })
  await h.call({
    variables: deposit100,
    records: [{ speakMs: 4000, then: { press: '#' } }],
    actions: [{ when: { onPlayback: /vm-listen_to_recording/ }, press: '2' }, send],
  }).finished
  // The last event for the box: the first ones are the announcement made when the link came up.
  const lamp = h.fs.sentEvents
    .filter(
      (e) =>
        e.name === 'MESSAGE_WAITING' &&
        e.headers.some(([k, v]) => k === 'MWI-Message-Account' && v === 'sip:100@pbx.test'),
    )
    .at(-1)
  t.ok(lamp, 'MESSAGE_WAITING sent for 100@pbx.test')
  t.ok(
    lamp?.headers.some(([k, v]) => k === 'MWI-Messages-Waiting' && v === 'yes'),
    'lamp on',
  )
  t.ok(
    lamp?.headers.some(([k, v]) => k === 'MWI-Voice-Message' && v === '1/0 (0/0)'),
    '1 new, 0 saved',
  )
  const rows = await h.app.store.db.all<{ kind: string; recipients: string }>(
    'SELECT kind, recipients FROM mail_outbox',
  )
  t.same(
    rows.map((r) => r.kind),
    ['new-message'],
    'one new-message mail queued',
  )
})
