import t from 'tap'
import { startHarness } from '../support/daemon-harness.js'

/**
 * The recording notes of the deposit flow (SPEC §8 "nothing lost"): a note names each take's call, FreeSWITCH
 * node and caller while FreeSWITCH records it, so a daemon killed meanwhile knows after its restart whose
 * recording it was and which channel to ask about. The note goes with the commit (same transaction) or with a
 * discarded take; a note that cannot be written never costs the caller the message.
 */
const config = {
  mailboxes: [
    { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
  ],
}
const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' }
const save = [
  { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
  { when: { onPlayback: /vm-mark-urgent/ }, press: '#' },
]

void t.test('while FreeSWITCH records, the take is noted; the commit removes the note', async (t) => {
  const h = await startHarness(t, { config, timeScale: 0.2 })
  const call = h.call({
    callerIdName: 'Bob Caller',
    callerIdNumber: '5550100',
    variables: deposit100,
    records: [{ speakMs: 5000, then: { press: '#' } }],
    actions: save,
  })
  for (let i = 0; i < 1000 && call.session.recordedFiles.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const path = call.session.recordedFiles[0] ?? ''
  const box = await h.box('100')
  // Written while the beep plays (not awaited before the record starts): allow it a moment on a loaded machine.
  for (let i = 0; i < 200 && (await h.app.store.recordingJournal.all()).length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  t.match(
    await h.app.store.recordingJournal.all(),
    [
      {
        file: h.app.deps.files.toStored(path),
        mailboxRowId: box.rowId,
        callUuid: call.session.channel.uuid,
        coreUuid: h.sim.node.coreUuid,
        callerIdName: 'Bob Caller',
        callerIdNumber: '5550100',
      },
    ],
    'noted while FreeSWITCH records: the call, its FreeSWITCH node and the caller',
  )
  t.ok(h.app.store.recordingJournal.isLive({ callUuid: call.session.channel.uuid }), 'held by this process’s call')
  await call.finished
  t.equal((await h.messages('100')).length, 1, 'the message is stored')
  t.same(await h.app.store.recordingJournal.all(), [], 'and its note is gone')
  t.notOk(h.app.store.recordingJournal.isLive({ callUuid: call.session.channel.uuid }), 'the call let go')
})

void t.test('discarded takes (too short, re-recorded) take their notes with them', async (t) => {
  const h = await startHarness(t, { config })
  const transcript = await h.call({
    variables: deposit100,
    records: [
      { speakMs: 1000, then: { press: '#' } },
      { speakMs: 4000, then: { press: '#' } },
      { speakMs: 5000, then: { press: '#' } },
    ],
    actions: [
      { when: { onPlayback: /vm-listen_to_recording/, nth: 1 }, press: '3' },
      { when: { onPlayback: /vm-listen_to_recording/, nth: 2 }, press: '2' },
      { when: { onPlayback: /vm-mark-urgent/ }, press: '#' },
    ],
  }).finished
  t.equal(transcript.recordedFiles.length, 3, 'three takes')
  t.equal((await h.messages('100')).length, 1, 'one message')
  t.same(await h.app.store.recordingJournal.all(), [], 'no note left')
})

void t.test('a note that cannot be written does not cost the message', async (t) => {
  const h = await startHarness(t, { config })
  await h.app.store.db.exec(
    `CREATE TRIGGER notes_fail BEFORE INSERT ON recordings_in_progress BEGIN SELECT RAISE(ABORT, 'injected'); END`,
  )
  await h.call({ variables: deposit100, records: [{ speakMs: 5000, then: { press: '#' } }], actions: save })
    .finished
  t.equal((await h.messages('100')).length, 1, 'the message is stored all the same')
})
