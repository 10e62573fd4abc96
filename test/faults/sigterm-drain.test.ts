import t from 'tap'
import { connect } from 'node:net'
import { processFixture, until } from './process-fixture.js'

/**
 * SPEC §7: SIGTERM drains live calls (up to `drainSeconds`) then stops. A caller in the middle of their message
 * when the daemon is told to stop finishes it, hears "saved", and only then does the process exit, with 0.
 */
void t.test(
  'SIGTERM with a live call: the call finishes and is stored before the process exits 0',
  async (t) => {
    const f = await processFixture(t, { timeScale: 0.05, drainSeconds: 25 })
    const daemon = await f.start()
    const call = f.sim.call(
      { host: '127.0.0.1', port: f.port },
      {
        callerIdNumber: '1002',
        variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
        records: [{ speakMs: 20_000, then: { press: '#' } }],
        actions: [
          { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
          { when: { onPlayback: /vm-mark-urgent/ }, press: '#' },
        ],
      },
    )
    await until(() => call.session.recordedFiles.length > 0)
    daemon.child.kill('SIGTERM')
    await daemon.waitFor(/stopping: draining live calls/)

    const first = await Promise.race([call.finished.then(() => 'call'), daemon.exited.then(() => 'exit')])
    t.equal(first, 'call', 'the call ended before the process')
    const transcript = await call.finished
    const played = transcript.executes.filter((e) => e.app === 'playback').map((e) => e.arg)
    t.ok(
      played.some((p) => p.includes('message-saved.wav')),
      'the caller heard "saved"',
    )
    t.ok(transcript.exitReceived, 'the call was released normally')
    t.equal(await daemon.exited, 0, 'then the daemon exited 0')
    t.notMatch(daemon.stdout(), /hanging up calls still live/, 'nothing was cut off')

    const store = await f.store()
    const box = await store.mailboxes.find('pbx.test', '100')
    const messages = await store.messages.listForOwner(box?.rowId ?? -1, 'new')
    t.equal(messages.length, 1, 'the message is stored')
    t.equal(messages[0]?.callerIdNumber, '1002', 'with its caller')
  },
)

void t.test('after SIGTERM no new call is taken', async (t) => {
  const f = await processFixture(t, { timeScale: 0.05, drainSeconds: 25 })
  const daemon = await f.start()
  const live = f.sim.call(
    { host: '127.0.0.1', port: f.port },
    {
      variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
      records: [{ speakMs: 60_000, then: 'hangup' }],
    },
  )
  await until(() => live.session.recordedFiles.length > 0)
  daemon.child.kill('SIGTERM')
  await daemon.waitFor(/stopping: draining live calls/)
  // The listener closes right after that line is written; poll until it has.
  let refused = ''
  while (refused !== 'ECONNREFUSED') refused = await tryConnect(f.port)
  t.notOk(live.session.hungUp, 'the listener is closed while the live call goes on')
  await live.finished
  t.equal(await daemon.exited, 0, 'exit 0 once the live call ended')
})

function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve('accepted')
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}
