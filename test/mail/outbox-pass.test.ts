/**
 * How one outbox pass shares the work (issue 12): the due rows are claimed in one transaction for all free senders
 * (the store has one connection, which the commits of calls ending at the same moment need too), and a mail queued
 * while the pass is sending goes out in that pass as soon as a sender is free, not after the pass.
 */
import t from 'tap'
import { OutboxRepo, type OutboxEntry } from '../../lib/store/outbox.js'
import { until } from '../support/until.js'
import { SmtpSink, mailHarness, makeBox, makeMessage } from './fixture.js'

/** An outbox that remembers how many rows each claim returned. */
class CountingOutbox extends OutboxRepo {
  readonly claims: number[] = []
  override async claimDue(now: number, limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const claimed = await super.claimDue(now, limit, leaseMs)
    this.claims.push(claimed.length)
    return claimed
  }
}

void t.test('one claim for all free senders, not one claim per sender', async (t) => {
  const smtp = await SmtpSink.start(t)
  let outbox: CountingOutbox | undefined
  const h = await mailHarness(t, {
    smtpPort: smtp.port,
    outbox: (store) => (outbox = new CountingOutbox(store.db)),
  })
  const box = await makeBox(h, { email: ['a@example.com', 'b@example.com', 'c@example.com'] })
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  t.match(await h.worker.runDue(), { sent: 3 })
  t.equal(smtp.messages.length, 3)
  t.same(outbox?.claims, [3], 'the three rows in one claim; none was left for a second one')
})

void t.test('a mail queued while another is in flight goes out in the same pass', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port, kickOnEnqueue: true })
  const box = await makeBox(h)
  const release = smtp.hold()
  const first = await makeMessage(h, box, { number: '5550101' })
  await h.notifier.newMessage(box, first.message)
  await until(() => smtp.dataSeen === 1, 'the first mail reached the relay')
  const second = await makeMessage(h, box, { number: '5550102' })
  await h.notifier.newMessage(box, second.message)
  await until(() => smtp.dataSeen === 2, 'the second mail reached the relay')
  t.same(
    (await h.worker.outbox.list()).map((row) => row.status),
    ['pending', 'pending'],
    'the second mail was sent while the first still waited for its 250',
  )
  release()
  await h.worker.whenIdle()
  t.equal(smtp.messages.length, 2, 'both accepted')
  t.match(await h.worker.outbox.list(), [
    { status: 'sent', attempts: 1 },
    { status: 'sent', attempts: 1 },
  ])
})
