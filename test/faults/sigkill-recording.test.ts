import t from 'tap'
import { stat, utimes } from 'node:fs/promises'
import { basename } from 'node:path'
import { processFixture, until } from './process-fixture.js'

/**
 * SPEC §8 "daemon killed mid-recording → the file is adopted on restart": SIGKILL while the caller speaks. The
 * socket dies, FreeSWITCH (the simulator) keeps recording until the caller stops (here: silence after 60 s of
 * speech) and finishes writing the WAV, as the real one does: it owns the file. The restarted daemon's startup reconcile adopts it as a message, exactly once, however many
 * times reconcile runs.
 */
void t.test('SIGKILL mid-recording: the restarted daemon adopts the recording, exactly once', async (t) => {
  const f = await processFixture(t, { timeScale: 0.05 })
  const first = await f.start()
  const call = f.sim.call(
    { host: '127.0.0.1', port: f.port },
    {
      callerIdNumber: '1002',
      variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
      records: [{ speakMs: 60_000 }],
    },
  )
  await until(() => call.session.recordedFiles.length > 0)
  // ~6 simulated seconds of speech reach the file before the kill.
  await new Promise((resolve) => setTimeout(resolve, 300))
  first.child.kill('SIGKILL')
  t.equal(await first.exited, null, 'the daemon died by the signal')
  await call.finished
  const file = call.session.recordedFiles[0] ?? ''
  const size = (await stat(file)).size
  t.ok(size > 16000 * 3, `FreeSWITCH finished the file (${size} bytes)`)

  // The restart comes later than the settle time that protects files FreeSWITCH may still be writing (after a
  // reboot, or systemd's restart of a crash loop): the file has been still for an hour.
  const hourAgo = new Date(Date.now() - 3600_000)
  await utimes(file, hourAgo, hourAgo)

  const second = await f.start()
  await second.waitFor(/orphan recording adopted/)
  await second.waitFor(/"job":"reconcile".*"msg":"job finished"/)
  const store = await f.store()
  const box = await store.mailboxes.find('pbx.test', '100')
  const adopted = await store.messages.listForOwner(box?.rowId ?? -1, 'new')
  t.equal(adopted.length, 1, 'one message')
  t.equal(`${adopted[0]?.uuid ?? ''}.wav`, basename(file), 'it is the recording the caller was making')
  t.ok((adopted[0]?.durationMs ?? 0) >= 3000, 'with its audio')
  second.child.kill('SIGTERM')
  t.equal(await second.exited, 0, 'clean stop')

  const third = await f.start()
  await third.waitFor(/"job":"reconcile".*"msg":"job finished"/)
  t.equal(
    (await store.messages.listForOwner(box?.rowId ?? -1, 'new')).length,
    1,
    'a second reconcile adds nothing',
  )
  const rows = await store.db.get<{ n: number }>('SELECT count(*) AS n FROM messages')
  t.equal(rows?.n, 1, 'no duplicate row anywhere')
  third.child.kill('SIGTERM')
  t.equal(await third.exited, 0, 'clean stop')
})
