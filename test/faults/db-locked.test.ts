import t from 'tap'
import { join } from 'node:path'
import sqlite3 from 'sqlite3'
import { ManualClock } from '../../lib/clock.js'
import { startHarness } from '../support/daemon-harness.js'

/**
 * SPEC §8: the database locked by another process (a `voicemailctl` or a backup tool holding a write lock) → the
 * caller hears the apology, nothing is half-written, the daemon keeps serving; the recording is not lost (the
 * next reconcile adopts it). The daemon waits its busy timeout (5 s) before giving up: this test takes that long.
 */
const config = {
  mailboxes: [
    { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
  ],
}
const deposit = { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' }
const script = {
  variables: deposit,
  records: [{ speakMs: 4000, then: { press: '#' } as const }],
  actions: [
    { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
    { when: { onPlayback: /vm-mark-urgent/ }, press: '#' },
  ],
}

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (err) => (err === null ? resolve() : reject(err))))
}

void t.test(
  'a write lock held by another process: apology, no row, next call served, recording adopted later',
  async (t) => {
    const clock = new ManualClock(Date.now())
    const h = await startHarness(t, { config, clock })
    const other = new sqlite3.Database(join(h.dir, 'voicemail.db'))
    t.teardown(() => new Promise<void>((resolve) => other.close(() => resolve())))
    await exec(other, 'PRAGMA busy_timeout = 0')
    await exec(other, 'BEGIN EXCLUSIVE')

    const locked = await h.call(script).finished
    const played = locked.executes.filter((e) => e.app === 'playback').map((e) => e.arg)
    t.ok(
      played.some((p) => p.includes('system-error.wav')),
      'the caller heard the apology',
    )
    t.notOk(
      played.some((p) => p.includes('message-saved.wav')),
      'and was not told "saved"',
    )
    t.ok(locked.exitReceived, 'the call was released')

    await exec(other, 'ROLLBACK')
    t.equal((await h.messages('100')).length, 0, 'no message row was written')
    const outbox = await h.app.store.db.get<{ n: number }>('SELECT count(*) AS n FROM mail_outbox')
    t.equal(outbox?.n, 0, 'no mail queued for a message that does not exist')
    t.equal(locked.recordedFiles.length, 1, 'the recording itself exists on disk')

    const next = await h.call(script).finished
    const nextPlayed = next.executes.filter((e) => e.app === 'playback').map((e) => e.arg)
    t.ok(
      nextPlayed.some((p) => p.includes('message-saved.wav')),
      'the next caller is served normally',
    )
    t.equal((await h.messages('100')).length, 1, 'and their message is stored')
    t.equal(h.app.server.liveCalls, 0, 'no call left live')

    // Later (past the settle time that protects files FreeSWITCH may still be writing), reconcile adopts it.
    clock.set(Date.now() + 60 * 60 * 1000)
    const summary = await h.app.jobs.run('reconcile')
    t.equal(summary.adopted, 1, 'reconcile adopted the recording')
    const messages = await h.messages('100')
    t.equal(messages.length, 2, "the first caller's message is not lost")
    await h.app.mailWorker.whenIdle()
    t.ok(
      locked.recordedFiles[0]?.endsWith(
        `${messages.find((m) => m.callerIdNumber === '')?.uuid ?? 'none'}.wav`,
      ),
      'it is that recording',
    )
  },
)
