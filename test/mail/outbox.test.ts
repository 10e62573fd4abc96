import t from 'tap'
import { OutboxRepo } from '../../lib/store/outbox.js'
import { RECEIVED_AT, SmtpSink, mailHarness, makeBox, makeMessage } from './fixture.js'

const LEASE = 10 * 60 * 1000

void t.test('claims are exclusive and leased', async (t) => {
  const h = await mailHarness(t)
  const box = await makeBox(h)
  const repo = new OutboxRepo(h.store.db)
  const ids = await repo.enqueue(
    [
      { kind: 'lockout', mailboxRowId: box.rowId, recipients: ['a@example.com'], payload: { n: 1 } },
      { kind: 'lockout', mailboxRowId: box.rowId, recipients: ['b@example.com'], payload: { n: 2 } },
    ],
    1000,
  )
  t.same(ids, [1, 2])
  t.same(await repo.claimDue(999, 10, LEASE), [], 'nothing due before its time')

  const [first, second] = await Promise.all([repo.claimDue(1000, 1, LEASE), repo.claimDue(1000, 1, LEASE)])
  t.same(
    [first?.map((e) => e.id), second?.map((e) => e.id)],
    [[1], [2]],
    'two claimers never get the same row',
  )
  t.match(first?.[0], {
    attempts: 1,
    nextAttemptAt: 1000 + LEASE,
    recipients: ['a@example.com'],
    payload: { n: 1 },
  })
  t.same(await repo.claimDue(2000, 10, LEASE), [], 'claimed rows are leased')

  const again = await repo.claimDue(1000 + LEASE, 10, LEASE)
  t.same(
    again.map((e) => [e.id, e.attempts]),
    [
      [1, 2],
      [2, 2],
    ],
    'a worker that died mid-send: the rows come back once the lease runs out',
  )
})

void t.test('list filters, counts, retry of a pending row', async (t) => {
  const h = await mailHarness(t)
  const a = await makeBox(h, { id: '100' })
  const b = await makeBox(h, { id: '200' })
  const repo = new OutboxRepo(h.store.db)
  await repo.enqueue(
    [{ kind: 'lockout', mailboxRowId: a.rowId, recipients: ['a@example.com'], payload: {} }],
    1,
  )
  await repo.enqueue(
    [{ kind: 'lockout', mailboxRowId: b.rowId, recipients: ['b@example.com'], payload: {} }],
    2,
  )
  await repo.markFailed(1, 'x'.repeat(2000))
  t.same(
    (await repo.list()).map((e) => e.id),
    [2, 1],
    'newest first',
  )
  t.same(
    (await repo.list({ mailboxRowId: b.rowId })).map((e) => e.id),
    [2],
  )
  t.same(
    (await repo.list({ status: 'failed' })).map((e) => e.id),
    [1],
  )
  t.equal((await repo.get(1))?.lastError?.length, 500, 'errors are clipped')
  t.same(await repo.counts(), { pending: 1, sent: 0, failed: 1 })
  t.equal(await repo.retry(2, 50), true, 'a pending row can be made due now')
  t.match(await repo.get(2), { status: 'pending', nextAttemptAt: 50, createdAt: 50 })
  t.equal(await repo.get(99), undefined)
})

void t.test('an unreadable payload is marked failed, not retried forever', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h)
  await h.worker.outbox.enqueue(
    [{ kind: 'carrier-pigeon', mailboxRowId: box.rowId, recipients: ['a@example.com'], payload: {} }],
    RECEIVED_AT,
  )
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 1, failed: 1 })
  t.match(await h.worker.outbox.get(1), { status: 'failed', lastError: 'unknown mail kind carrier-pigeon' })
  t.equal(smtp.messages.length, 1, 'the good mail still went out')
})

void t.test('deleting the message clears message_id but keeps the mail row', async (t) => {
  const h = await mailHarness(t)
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  t.match(await h.worker.outbox.list(), [{ messageRowId: message.rowId }])
  await h.store.messages.setDeleted(message.rowId, true)
  await h.store.messages.purgeDeleted(box.rowId)
  const [row] = await h.worker.outbox.list()
  t.equal(row?.messageRowId, undefined)
  t.equal(row?.status, 'pending')
})
