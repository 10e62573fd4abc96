import { access } from 'node:fs/promises'
import t from 'tap'
import { RECEIVED_AT, SmtpSink, mailHarness, makeBox, makeMessage } from './fixture.js'

const S = 1000

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

void t.test('keep after email = no: deleted only once every recipient accepted', async (t) => {
  const smtp = await SmtpSink.start(t)
  const lamps: string[] = []
  const mwi = {
    refresh: (b: { id: string }, reason: string) => {
      lamps.push(`${b.id}:${reason}`)
      return Promise.resolve()
    },
  }
  const h = await mailHarness(t, { smtpPort: smtp.port, mwi })
  const box = await makeBox(h, { email: ['alice@example.com', 'boss@example.com'], keepAfterEmail: false })
  const { message, path, wav } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)

  smtp.mode = 'tempfail'
  t.match(await h.worker.runDue(RECEIVED_AT), { retried: 2 })
  t.ok(await h.store.messages.getByRowId(message.rowId), 'kept after a failed attempt')
  t.ok(await exists(path), 'file kept after a failed attempt')

  // One recipient's mail gets through, the other's is still pending: the message stays.
  smtp.mode = 'accept'
  const [newest] = await h.worker.outbox.list()
  await h.worker.outbox.scheduleRetry(newest?.id ?? -1, RECEIVED_AT + 3600 * S, 'held back by the test')
  t.match(await h.worker.runDue(RECEIVED_AT + 30 * S), { sent: 1 })
  t.ok(await h.store.messages.getByRowId(message.rowId), 'kept while one recipient is still pending')
  t.ok(await exists(path))

  t.match(await h.worker.runDue(RECEIVED_AT + 3600 * S), { sent: 1 })
  t.equal(await h.store.messages.getByRowId(message.rowId), undefined, 'row deleted after both were accepted')
  t.notOk(await exists(path), 'file deleted')
  t.equal(smtp.messages.length, 2)
  t.ok(
    smtp.messages.every((m) => m.parsed.attachments[0]?.content.equals(wav)),
    'both mails carried the recording',
  )
  t.same(lamps, ['100:DELETE'], 'the lamp is refreshed once, after the delete')
  const audit = await h.store.audit.listRecent(10, box.rowId)
  t.match(audit, [{ actor: 'mail', action: 'message.deleted-after-email' }])
})

void t.test('keep after email = no: a permanently failed mail keeps the message', async (t) => {
  const smtp = await SmtpSink.start(t)
  smtp.mode = 'permfail'
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h, { keepAfterEmail: false })
  const { message, path } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  t.match(await h.worker.runDue(RECEIVED_AT), { failed: 1 })
  t.ok(await h.store.messages.getByRowId(message.rowId), 'the message is the only copy: kept')
  t.ok(await exists(path))
})

void t.test('keep after email = yes (the default) keeps the message', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h)
  const { message, path } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 1 })
  t.ok(await h.store.messages.getByRowId(message.rowId))
  t.ok(await exists(path))
})

void t.test('keep after email = no, but the owner saved it first: kept', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h, { keepAfterEmail: false })
  const { message, path } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  await h.store.messages.save(message.rowId)
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 1 })
  t.match(await h.store.messages.getByRowId(message.rowId), { folder: 'saved' })
  t.ok(await exists(path))
})

void t.test('"email it" copies never delete the message', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h, { keepAfterEmail: false })
  const { message, wav } = await makeMessage(h, box)
  await h.notifier.emailMessage(box, message)
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 1 })
  t.ok(await h.store.messages.getByRowId(message.rowId))
  t.match(await h.worker.outbox.list(), [{ kind: 'message-copy', messageRowId: message.rowId }])
  t.ok(smtp.messages[0]?.parsed.attachments[0]?.content.equals(wav))
})

void t.test(
  'recording deleted before the mail went out: sent without it, and the body says so',
  async (t) => {
    const smtp = await SmtpSink.start(t)
    const h = await mailHarness(t, { smtpPort: smtp.port })
    const box = await makeBox(h)
    const { message } = await makeMessage(h, box)
    await h.notifier.newMessage(box, message)
    // The owner deletes it and hangs up (purge) before the mail went out.
    await h.store.messages.setDeleted(message.rowId, true)
    for (const file of await h.store.messages.purgeDeleted(box.rowId))
      await h.files.remove(h.files.fromStored(file))

    t.match(await h.worker.runDue(RECEIVED_AT), { sent: 1 })
    const parsed = smtp.messages[0]?.parsed
    t.equal(parsed?.attachments.length, 0)
    t.match(parsed?.text, /^The recording is not attached: it was deleted from the mailbox/)
    t.match(parsed?.html, '<i>The recording is not attached')
    t.match(parsed?.text, 'From:      Bob Builder <1001>', 'the rest is intact')
    t.match(
      await h.worker.outbox.list(),
      [{ status: 'sent' }],
      'message_id cleared by the delete, row still sent',
    )
  },
)
