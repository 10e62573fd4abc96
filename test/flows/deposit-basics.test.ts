import t from 'tap'
import { readFile } from 'node:fs/promises'
import { readWavHeader } from '../../lib/store/wav.js'
import { startHarness } from '../support/daemon-harness.js'

const box100 = {
  mailboxes: [
    { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
  ],
}
const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' }
/** A caller who saves with 2 and sends with # as soon as the menus start. */
const reviewAndSend = [
  { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
  { when: { onPlayback: /vm-mark-urgent/ }, press: '#' },
]

void t.test(
  'the thin call: answer, greeting, beep, record, row + file committed, goodbye, socket released',
  async (t) => {
    const h = await startHarness(t, { config: box100 })
    const call = h.call({
      callerIdName: 'Bob',
      callerIdNumber: '1002',
      variables: deposit100,
      records: [{ speakMs: 5000, then: { press: '#' } }],
      actions: reviewAndSend,
    })
    const transcript = await call.finished
    const apps = transcript.executes.map((e) => e.app)
    t.equal(apps[0], 'answer', 'answers first')
    t.ok(apps.includes('record'), 'records')
    t.ok(apps.indexOf('flush_dtmf') < apps.indexOf('record'), 'flushes type-ahead before recording')
    t.ok(transcript.exitReceived, 'daemon sends exit so FreeSWITCH frees the channel')
    t.ok(transcript.closedBy !== undefined, 'socket closed')
    t.same(transcript.violations, [], 'no protocol violations')

    const messages = await h.messages('100')
    t.equal(messages.length, 1, 'one message stored')
    const message = messages[0]!
    t.equal(message.callerIdNumber, '1002', 'caller number')
    t.equal(message.callerIdName, 'Bob', 'caller name')
    t.equal(message.folder, 'new', 'in the new folder')
    t.equal(message.urgent, false, 'not urgent')
    const bytes = await readFile(h.app.deps.files.fromStored(message.file))
    const info = readWavHeader(bytes.subarray(0, 4096), bytes.length)
    t.equal(info.sampleRate, 8000, 'valid 8 kHz WAV on disk')
    t.equal(message.sizeBytes, bytes.length, 'row size matches the file')
    t.ok(
      message.durationMs >= 5000 && message.durationMs < 6500,
      `duration ${message.durationMs} ms matches the speech`,
    )
    t.ok(transcript.recordedFiles[0]?.endsWith(`${message.uuid}.wav`), 'FreeSWITCH recorded into <uuid>.wav')
    t.equal(h.app.server.liveCalls, 0, 'no call left live')
  },
)

void t.test(
  'a caller who hangs up during the greeting leaves no message and the socket is released',
  async (t) => {
    const h = await startHarness(t, { config: box100 })
    const transcript = await h.call({
      variables: deposit100,
      actions: [{ when: { onPlayback: true, afterMs: 500 }, hangup: true }],
    }).finished
    t.notOk(
      transcript.executes.some((e) => e.app === 'record'),
      'never recorded',
    )
    t.equal((await h.messages('100')).length, 0, 'no message')
    t.ok(transcript.closedBy !== undefined, 'socket closed')
    t.ok(transcript.exitReceived, 'exit sent after the hangup')
  },
)

void t.test('a hangup during recording keeps the message', async (t) => {
  const h = await startHarness(t, { config: box100 })
  const transcript = await h.call({ variables: deposit100, records: [{ speakMs: 7000, then: 'hangup' }] })
    .finished
  t.ok(
    transcript.executes.some((e) => e.app === 'record'),
    'recorded',
  )
  const messages = await h.messages('100')
  t.equal(messages.length, 1, 'message kept')
  t.ok(messages[0]!.durationMs >= 6500, 'the whole speech is there')
})

void t.test('a hangup during the review menu keeps the message', async (t) => {
  const h = await startHarness(t, { config: box100 })
  await h.call({
    variables: deposit100,
    records: [{ speakMs: 4000, then: { press: '#' } }],
    actions: [{ when: { onPlayback: /vm-listen_to_recording/, afterMs: 300 }, hangup: true }],
  }).finished
  t.equal((await h.messages('100')).length, 1, 'message kept')
})

void t.test(
  'caller data that would break a path, a header or SQL is stored faithfully and reaches none',
  async (t) => {
    const h = await startHarness(t, { config: box100 })
    const hostile = `Evil "Bob" \r\nBcc: x@example.com ../../etc/passwd '; DROP TABLE messages; -- 100% 🎉 ${'x'.repeat(400)}`
    await h.call({
      callerIdName: hostile,
      callerIdNumber: '../1002',
      variables: deposit100,
      records: [{ speakMs: 4000, then: { press: '#' } }],
      actions: reviewAndSend,
    }).finished
    const [message] = await h.messages('100')
    t.ok(message, 'message stored')
    t.equal(message?.callerIdName, hostile, 'name stored byte for byte')
    t.equal(message?.callerIdNumber, '../1002', 'number stored as given')
    t.match(
      message?.file,
      /^recordings\/pbx\.test\/100\/[0-9a-f-]{36}\.wav$/,
      'file name built from the uuid only',
    )
  },
)
