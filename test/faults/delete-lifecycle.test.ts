import t, { type Test } from 'tap'
import { access } from 'node:fs/promises'
import { ManualClock } from '../../lib/clock.js'
import type { Message } from '../../lib/store/types.js'
import { startHarness, type Harness } from '../support/daemon-harness.js'
import { unlinkFails, type UnlinkFails } from '../support/failing-files.js'
import { check, MAIN_MENU, ownerConfig, PIN, plant, setPin } from '../flows/owner-fixture.js'

/**
 * SPEC §8 "one message lifecycle", the deletion half, for the three deleters inside the daemon (the cleanup job,
 * the owner's hang-up purge, delete-after-email; voicemailctl's two are in test/ctl/delete-lifecycle.test.ts).
 * Each runs with a file layer whose unlink fails, which leaves exactly the state of a crash between recording the
 * deletion and unlinking the file. After a restart, reconcile must finish the deletion: the file goes, no message
 * comes back, no mail is sent again.
 */
const config = ownerConfig({
  mailboxes: [
    { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
    {
      id: '200',
      domain: 'pbx.test',
      kind: 'personal',
      name: 'Carol',
      email: ['carol@example.com'],
      keepAfterEmail: false,
    },
  ],
})

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  )

async function crashed(t: Test): Promise<{ h: Harness; clock: ManualClock; made: UnlinkFails[] }> {
  const clock = new ManualClock(Date.now())
  const made: UnlinkFails[] = []
  const h = await startHarness(t, { config, clock, files: unlinkFails(made) })
  return { h, clock, made }
}

/** Restart with a working file layer, past the settle time, and run reconcile and the outbox. */
async function restartAndReconcile(h: Harness, clock: ManualClock): Promise<Record<string, unknown>> {
  await h.restart()
  // Joins the restarted daemon's own startup reconcile, so the run below is a fresh one.
  await h.app.jobs.run('reconcile')
  clock.set(Date.now() + 60 * 60 * 1000)
  const summary = await h.app.jobs.run('reconcile')
  await h.app.jobs.run('outbox')
  return summary
}

async function expectGone(t: Test, h: Harness, message: Message, box = '100'): Promise<void> {
  t.notOk(await exists(h.app.deps.files.fromStored(message.file)), 'the file is gone')
  t.same(await h.messages(box), [], 'no message came back')
  t.same(await h.app.store.tombstones.pending(), [], 'no deletion left pending')
}

void t.test('cleanup job: a crash before the unlink never brings the message back', async (t) => {
  const { h, clock, made } = await crashed(t)
  const message = await plant(h, '100')
  await h.app.store.messages.setDeleted(message.rowId, true)
  t.match(await h.app.jobs.run('cleanup'), { purged: 1, fileErrors: 1 }, 'row purged, unlink failed')
  t.equal(made[0]?.attempts.length, 1, 'the unlink was attempted')
  t.ok(await exists(h.app.deps.files.fromStored(message.file)), 'the file is still there')

  const summary = await restartAndReconcile(h, clock)
  t.match(summary, { adopted: 0 }, 'reconcile adopts nothing')
  await expectGone(t, h, message)
  t.same(await h.spool(), [], 'nothing mailed')
})

void t.test("owner's hang-up purge: a crash before the unlink never brings the message back", async (t) => {
  const { h, clock } = await crashed(t)
  await setPin(h, '100')
  const message = await plant(h, '100')
  await h.app.store.messages.setDeleted(message.rowId, true)
  const call = await h.call({
    variables: check('100'),
    entries: [`${PIN}#`],
    actions: [{ when: { onPlayback: MAIN_MENU }, press: '#' }],
  }).finished
  t.ok(call.exitReceived, 'the session ended')
  t.same(await h.messages('100'), [], 'purged at hang-up')
  t.ok(await exists(h.app.deps.files.fromStored(message.file)), 'the file is still there')

  const summary = await restartAndReconcile(h, clock)
  t.match(summary, { adopted: 0 }, 'reconcile adopts nothing')
  await expectGone(t, h, message)
  t.same(await h.spool(), [], 'nothing mailed')
})

void t.test('delete after email: a crash before the unlink never mails the message again', async (t) => {
  const { h, clock } = await crashed(t)
  const call = await h.call({
    variables: { vm_action: 'deposit', vm_mailbox: '200', domain_name: 'pbx.test' },
    records: [{ speakMs: 4000, then: 'hangup' }],
  }).finished
  t.equal(call.recordedFiles.length, 1)
  await h.app.mailWorker.whenIdle()
  t.equal((await h.spool()).length, 1, 'the mail went out')
  t.same(await h.messages('200'), [], 'and the message was deleted after it')
  t.ok(await exists(call.recordedFiles[0] ?? ''), 'the file is still there')

  const summary = await restartAndReconcile(h, clock)
  t.match(summary, { adopted: 0 }, 'reconcile adopts nothing')
  t.notOk(await exists(call.recordedFiles[0] ?? ''), 'the file is gone')
  t.same(await h.messages('200'), [], 'no message came back')
  t.equal((await h.spool()).length, 1, 'exactly one mail, still')
})
