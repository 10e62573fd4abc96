import t from 'tap'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { processFixture, until } from './process-fixture.js'

/**
 * SPEC §8 "daemon killed mid-recording → FreeSWITCH keeps recording until the caller hangs up; the restarted
 * daemon adopts that file once FreeSWITCH has finished it": SIGKILL while the caller speaks. The socket dies and
 * FreeSWITCH (the simulator, as the real one does) records on. The restarted daemon finds the recording's note,
 * asks FreeSWITCH about its channel, waits while it still records, and adopts the file once the caller has hung
 * up: exactly once, with the caller's number, however many times reconcile runs afterwards.
 */
void t.test('SIGKILL mid-recording: adopted once the caller hangs up, exactly once', async (t) => {
  // 0.1: the recording's 300 s cap is 30 s of real time, far more than a (slow) daemon start takes.
  const f = await processFixture(t, { timeScale: 0.1 })
  const first = await f.start()
  const call = f.sim.call(
    { host: '127.0.0.1', port: f.port },
    {
      callerIdNumber: '1002',
      variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
      records: [{ speakMs: 1_000_000 }],
    },
  )
  await until(() => call.session.recordedFiles.length > 0)
  // ~4 simulated seconds of speech before the kill.
  await new Promise((resolve) => setTimeout(resolve, 400))
  first.child.kill('SIGKILL')
  t.equal(await first.exited, null, 'the daemon died by the signal')

  const second = await f.start()
  await second.waitFor(/interrupted recording still running: adoption waits/)
  const store = await f.store()
  const box = await store.mailboxes.find('pbx.test', '100')
  t.notOk(call.session.hungUp, 'FreeSWITCH still records: the caller is still connected')
  t.equal((await store.messages.listForOwner(box?.rowId ?? -1, 'new')).length, 0, 'nothing adopted yet')

  call.hangup()
  await call.finished
  const file = call.session.recordedFiles[0] ?? ''
  const size = (await stat(file)).size
  t.ok(size > 16000 * 3, `FreeSWITCH finished the file (${size} bytes)`)
  const line = await second.waitFor(/orphan recording adopted/)
  t.match(line, /"decidedBy":"channel-gone"/, 'FreeSWITCH said the channel is gone')
  const adopted = await store.messages.listForOwner(box?.rowId ?? -1, 'new')
  t.equal(adopted.length, 1, 'one message')
  t.equal(`${adopted[0]?.uuid ?? ''}.wav`, basename(file), 'it is the recording the caller was making')
  t.match(adopted[0], { callerIdNumber: '1002' }, 'from the caller who left it')
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
  const notes = await store.db.get<{ n: number }>('SELECT count(*) AS n FROM recordings_in_progress')
  t.equal(notes?.n, 0, 'no recording note left behind')
  third.child.kill('SIGTERM')
  t.equal(await third.exited, 0, 'clean stop')
})
