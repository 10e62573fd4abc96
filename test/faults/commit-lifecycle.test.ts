import t from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { startHarness, type Harness } from '../support/daemon-harness.js'

/**
 * SPEC §8 "one message lifecycle", the commit half: the message row and its outbox rows are written in one
 * transaction. A failure between them (here a real database error raised by a trigger on the outbox) leaves
 * neither, and the recording is adopted (by the recording watch, with its caller) and mailed later, exactly once; a daemon that dies after the commit but
 * before the mail went out sends it after the restart, once.
 */
const config = {
  mailboxes: [
    { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
  ],
}
const deposit = {
  variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
  records: [{ speakMs: 4000, then: { press: '#' } as const }],
  actions: [
    { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
    { when: { onPlayback: /vm-mark-urgent/ }, press: '#' },
  ],
}

async function count(h: Harness, table: 'messages' | 'mail_outbox'): Promise<number> {
  const row = await h.app.store.db.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)
  return row?.n ?? 0
}

const played = (executes: Array<{ app: string; arg: string }>): string[] =>
  executes.filter((e) => e.app === 'playback').map((e) => e.arg)

void t.test(
  'queueing fails inside the commit: neither row nor mail; adopted and mailed once later',
  async (t) => {
    const clock = new ManualClock(Date.now())
    const h = await startHarness(t, { config, clock })
    await h.app.store.db.exec(
      `CREATE TRIGGER outbox_fails BEFORE INSERT ON mail_outbox BEGIN SELECT RAISE(ABORT, 'injected'); END`,
    )

    const call = await h.call(deposit).finished
    t.ok(
      played(call.executes).some((p) => p.includes('system-error.wav')),
      'the caller hears the apology',
    )
    t.equal(await count(h, 'messages'), 0, 'no message row without its mail')
    t.equal(await count(h, 'mail_outbox'), 0, 'and no mail')
    t.equal(call.recordedFiles.length, 1, 'the recording is on disk')

    await h.app.store.db.exec('DROP TRIGGER outbox_fails')
    await h.restart()
    // The recording's note (written before `record`) names its call, which FreeSWITCH says is gone: the
    // recording watch adopts it as soon as the restarted daemon can ask, with its caller.
    for (let i = 0; i < 1000 && (await h.messages('100')).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    t.match(
      await h.messages('100'),
      [{ callerIdNumber: '1001' }],
      'the recording watch adopts it after the restart',
    )
    clock.set(Date.now() + 60 * 60 * 1000)
    t.match(await h.app.jobs.run('reconcile'), { adopted: 0 }, 'reconcile finds nothing more to adopt')
    await h.app.mailWorker.whenIdle()
    await h.app.jobs.run('outbox')
    t.equal((await h.messages('100')).length, 1, 'exactly one message')
    t.equal((await h.spool()).length, 1, 'exactly one mail')

    await h.restart()
    await h.app.jobs.run('reconcile')
    t.match(await h.app.jobs.run('reconcile'), { adopted: 0 }, 'a second reconcile adds nothing')
    await h.app.jobs.run('outbox')
    t.equal((await h.messages('100')).length, 1, 'still one message')
    t.equal((await h.spool()).length, 1, 'still one mail')
  },
)

void t.test(
  'the daemon dies after the commit, before sending: the mail goes out after the restart, once',
  async (t) => {
    const clock = new ManualClock(Date.now())
    const h = await startHarness(t, { config, clock })
    // A stopped worker takes no kicks: the mail stays queued, as when the process dies right after the commit.
    await h.app.mailWorker.stop()

    const call = await h.call(deposit).finished
    t.ok(
      played(call.executes).some((p) => p.includes('message-saved.wav')),
      'the caller is told the message was saved',
    )
    t.equal(await count(h, 'mail_outbox'), 1, 'its mail is queued with it')
    t.equal((await h.spool()).length, 0, 'not sent yet')

    await h.restart()
    await h.app.jobs.run('outbox')
    clock.set(Date.now() + 60 * 60 * 1000)
    await h.app.jobs.run('reconcile')
    await h.app.jobs.run('outbox')
    t.equal((await h.messages('100')).length, 1, 'exactly one message')
    t.equal((await h.spool()).length, 1, 'exactly one mail')
  },
)
