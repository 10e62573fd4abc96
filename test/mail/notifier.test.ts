import t from 'tap'
import { StoreError } from '../../lib/store/errors.js'
import { RECEIVED_AT, SmtpSink, mailHarness, makeBox, makeMessage } from './fixture.js'

void t.test('mailbox full notice goes through the same outbox', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h, { email: ['alice@example.com', 'boss@example.com'] })
  await h.notifier.mailboxFull(box, { usedBytes: 10 * 1024 * 1024, quotaBytes: 10 * 1024 * 1024 })
  t.match(await h.worker.outbox.list(), [
    { kind: 'mailbox-full', mailboxRowId: box.rowId, status: 'pending' },
    { kind: 'mailbox-full', mailboxRowId: box.rowId, status: 'pending' },
  ])
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 2 })
  const parsed = smtp.messages[0]?.parsed
  t.equal(parsed?.subject, 'Mailbox 100 is full')
  t.match(parsed?.text, 'Voicemail box 100 (Alice) is full: 10.0 MB of 10.0 MB used (100 %).')
  t.match(parsed?.html, '<b>100</b> (Alice) is full')
  t.equal(parsed?.attachments.length, 0)

  const off = await h.store.mailboxes.update(box.rowId, { notifyFull: false })
  await h.notifier.mailboxFull(off, { usedBytes: 1, quotaBytes: 1 })
  t.equal((await h.worker.outbox.list()).length, 2, 'full-box notice turned off: nothing queued')
})

void t.test('lockout notice, time in the box zone', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h)
  await h.notifier.lockout(box, RECEIVED_AT + 30 * 60 * 1000)
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 1 })
  const parsed = smtp.messages[0]?.parsed
  t.equal(parsed?.subject, 'Mailbox 100 locked after failed PIN attempts')
  t.match(
    parsed?.text,
    'PIN entry from anywhere but your own phone (mailbox number, * during the greeting, the voicemail page) is refused until Thursday, 26 November 2026 12:17 (America/Chicago).',
  )
  await h.notifier.lockout(box, RECEIVED_AT + 30 * 60 * 1000, 'owner')
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 1 })
  t.match(
    smtp.messages[1]?.parsed.text,
    'PIN entry from your own phone is refused until',
    'says which access',
  )
})

void t.test('kick sends at once and never overlaps a running pass', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port, kickOnEnqueue: true })
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  // The kick runs on the next turn of the event loop; once it is under way a second run must not start.
  await new Promise<void>((resolve) => setImmediate(resolve))
  t.same(
    await h.worker.runDue(),
    { skipped: true, sent: 0, retried: 0, failed: 0 },
    'second run returns at once',
  )
  h.notifier.kick()
  h.notifier.kick()
  await h.worker.whenIdle()
  t.equal(smtp.messages.length, 1, 'delivered once, by the kick')
  t.match(await h.worker.outbox.list(), [{ status: 'sent', attempts: 1 }])
})

void t.test('two runDue calls at once: one does the work, the other returns', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h, { email: ['a@example.com', 'b@example.com', 'c@example.com'] })
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  const [a, b] = await Promise.all([h.worker.runDue(RECEIVED_AT), h.worker.runDue(RECEIVED_AT)])
  t.same([a?.skipped, b?.skipped], [false, true])
  t.equal(a?.sent, 3)
  t.equal(smtp.messages.length, 3)
})

void t.test('a database failure reaches the caller; no recipients is a logged no-op', async (t) => {
  const h = await mailHarness(t)
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.store.close()
  await t.rejects(h.notifier.newMessage(box, message), StoreError)
  await t.resolves(
    h.notifier.newMessage({ ...box, email: [] }, message),
    'no email: nothing to do, no database',
  )
})
