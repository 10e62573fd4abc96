import t from 'tap'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startHarness } from '../support/daemon-harness.js'

/**
 * SPEC §8: a disk error on write → the caller hears the apology, nothing half-written, the daemon keeps serving.
 * Injected by putting a plain file where the box's recordings folder must be: mkdir and every write below it fail
 * (ENOTDIR/EEXIST) even for root, which chmod would not stop.
 */
const config = {
  mailboxes: [
    { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
    { id: '101', domain: 'pbx.test', kind: 'personal', name: 'Bob', email: ['bob@example.com'] },
  ],
}
const script = (box: string): Parameters<Awaited<ReturnType<typeof startHarness>>['call']>[0] => ({
  variables: { vm_action: 'deposit', vm_mailbox: box, domain_name: 'pbx.test' },
  records: [{ speakMs: 4000, then: { press: '#' } }],
  actions: [
    { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
    { when: { onPlayback: /vm-mark-urgent/ }, press: '#' },
  ],
})
const playbacks = (executes: ReadonlyArray<{ app: string; arg: string }>): string[] =>
  executes.filter((e) => e.app === 'playback').map((e) => e.arg)

void t.test(
  'the box folder cannot be written: apology, no row, other boxes and the repaired box work',
  async (t) => {
    const h = await startHarness(t, { config })
    const boxDir = join(h.dir, 'recordings', 'pbx.test', '100')
    await mkdir(join(h.dir, 'recordings', 'pbx.test'), { recursive: true })
    await writeFile(boxDir, 'not a folder')

    const failed = await h.call(script('100')).finished
    t.ok(
      playbacks(failed.executes).some((p) => p.includes('system-error.wav')),
      'the caller heard the apology',
    )
    t.notOk(
      failed.executes.some((e) => e.app === 'record'),
      'no recording was started into a folder that cannot exist',
    )
    t.ok(failed.exitReceived, 'the call was released')
    t.equal((await h.messages('100')).length, 0, 'no row')
    const outbox = await h.app.store.db.get<{ n: number }>('SELECT count(*) AS n FROM mail_outbox')
    t.equal(outbox?.n, 0, 'no mail queued')

    const other = await h.call(script('101')).finished
    t.ok(
      playbacks(other.executes).some((p) => p.includes('message-saved.wav')),
      'another box is served meanwhile',
    )
    t.equal((await h.messages('101')).length, 1, 'and its message stored')

    await rm(boxDir)
    const repaired = await h.call(script('100')).finished
    t.ok(
      playbacks(repaired.executes).some((p) => p.includes('message-saved.wav')),
      'once repaired, the box works',
    )
    t.equal((await h.messages('100')).length, 1, 'one message, none half-written before it')
    await h.app.mailWorker.whenIdle()
    t.equal(h.app.server.liveCalls, 0, 'no call left live')
  },
)
