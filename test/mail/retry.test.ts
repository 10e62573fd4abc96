import t from 'tap'
import { backoffMs } from '../../lib/mail/outbox-worker.js'
import { RECEIVED_AT, SmtpSink, mailHarness, makeBox, makeMessage } from './fixture.js'

const S = 1000

void t.test('backoff: 30 s doubling, capped at one hour', (t) => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map((n) => backoffMs(n, 30, 3600) / S)
  t.same(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600])
  t.equal(backoffMs(0, 30, 3600), 30 * S, 'a row that never failed gets the first delay')
  t.end()
})

void t.test(
  'SMTP down, then back: every queued mail delivered exactly once, on the backoff schedule',
  async (t) => {
    const smtp = await SmtpSink.down(t)
    const h = await mailHarness(t, { smtpPort: smtp.port })
    const box = await makeBox(h, { email: ['alice@example.com', 'boss@example.com'] })
    const first = await makeMessage(h, box)
    await h.notifier.newMessage(box, first.message)
    const second = await makeMessage(h, box, { name: 'Carol', number: '1002' })
    await h.notifier.newMessage(box, second.message)

    const t0 = RECEIVED_AT
    t.match(
      await h.worker.runDue(t0),
      { sent: 0, retried: 4, failed: 0 },
      'connection refused: all four retried',
    )
    let rows = await h.worker.outbox.list()
    t.same(
      rows.map((r) => [r.status, r.attempts, r.nextAttemptAt - t0]),
      Array(4).fill(['pending', 1, 30 * S]),
      'first retry 30 s later',
    )
    t.match(rows[0]?.lastError, /^(ESOCKET|ECONNECTION)/, 'the connection error is recorded')

    t.match(await h.worker.runDue(t0 + 29 * S), { sent: 0, retried: 0 }, 'not due before 30 s')
    t.match(await h.worker.runDue(t0 + 30 * S), { retried: 4 })
    rows = await h.worker.outbox.list()
    t.same(
      rows.map((r) => [r.attempts, r.nextAttemptAt - t0]),
      Array(4).fill([2, 90 * S]),
      'second retry 60 s after the first',
    )
    t.match(await h.worker.runDue(t0 + 90 * S), { retried: 4 })
    rows = await h.worker.outbox.list()
    t.same(
      rows.map((r) => r.nextAttemptAt - t0),
      Array(4).fill(210 * S),
      'third retry 120 s after the second',
    )

    await smtp.start()
    t.match(await h.worker.runDue(t0 + 209 * S), { sent: 0 }, 'server back, but nothing due yet')
    t.equal(smtp.messages.length, 0)
    t.match(await h.worker.runDue(t0 + 210 * S), { sent: 4, retried: 0, failed: 0 })
    t.equal(smtp.messages.length, 4, 'all four delivered')
    const ids = smtp.messages.map((m) => m.parsed.messageId)
    t.equal(new Set(ids).size, 4, 'four distinct Message-IDs')
    rows = await h.worker.outbox.list()
    t.same(
      rows.map((r) => [r.status, r.attempts, r.sentAt]),
      Array(4).fill(['sent', 4, t0 + 210 * S]),
    )
    t.match(await h.worker.runDue(t0 + 3 * 3600 * S), { sent: 0, retried: 0 })
    t.equal(smtp.messages.length, 4, 'exactly once')
    t.same(
      smtp.messages.map((m) => m.parsed.date?.getTime()),
      Array(4).fill(t0),
      'the Date header is the queue time, not the delivery time',
    )
  },
)

void t.test('4xx from the server is temporary; the Message-ID is the same on every attempt', async (t) => {
  const smtp = await SmtpSink.start(t)
  smtp.mode = 'tempfail'
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)

  t.match(await h.worker.runDue(RECEIVED_AT), { retried: 1 })
  const [row] = await h.worker.outbox.list()
  t.match(row, { status: 'pending', attempts: 1, nextAttemptAt: RECEIVED_AT + 30 * S })
  t.match(row?.lastError, /451/)
  smtp.mode = 'accept'
  t.match(await h.worker.runDue(RECEIVED_AT + 30 * S), { sent: 1 })
  t.match(smtp.messages[0]?.parsed.messageId, new RegExp(`^<outbox-${row?.id}-`))
})

void t.test('a 5xx marks the mail failed, it is listed, and a retry sends it', async (t) => {
  const smtp = await SmtpSink.start(t)
  smtp.mode = 'permfail'
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)

  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 0, retried: 0, failed: 1 })
  const failed = await h.worker.outbox.list({ status: 'failed' })
  t.equal(failed.length, 1, 'listed as failed')
  t.match(failed[0], {
    status: 'failed',
    attempts: 1,
    kind: 'new-message',
    recipients: ['alice@example.com'],
  })
  t.match(failed[0]?.lastError, /550/)
  t.same(await h.worker.outbox.counts(), { pending: 0, sent: 0, failed: 1 })
  t.match(
    await h.worker.runDue(RECEIVED_AT + 48 * 3600 * S),
    { sent: 0, failed: 0 },
    'never retried by itself',
  )
  t.equal(smtp.messages.length, 0)

  smtp.mode = 'accept'
  const later = RECEIVED_AT + 50 * 3600 * S
  const id = failed[0]?.id ?? -1
  t.equal(await h.worker.outbox.retry(id, later), true, 'retry resets it to pending')
  t.equal(await h.worker.outbox.retry(9999, later), false, 'unknown row')
  t.match(await h.worker.runDue(later), { sent: 1 })
  t.equal(smtp.messages.length, 1)
  t.match(await h.worker.outbox.get(id), { status: 'sent', attempts: 2, sentAt: later })
  t.equal(await h.worker.outbox.retry(id, later), false, 'a sent mail cannot be retried')
})

void t.test('temporary failures for 24 h: given up and marked failed', async (t) => {
  const smtp = await SmtpSink.start(t)
  smtp.mode = 'tempfail'
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)

  const delays: number[] = []
  let now = RECEIVED_AT
  for (let i = 0; i < 100; i++) {
    const summary = await h.worker.runDue(now)
    const row = await h.worker.outbox.get(1)
    if (row === undefined) throw new Error('row gone')
    if (summary.failed === 1) {
      t.equal(row.status, 'failed')
      t.match(row.lastError, /^gave up after 24 h: /)
      break
    }
    delays.push((row.nextAttemptAt - now) / S)
    now = row.nextAttemptAt
  }
  t.same(delays.slice(0, 9), [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
  t.ok(now - RECEIVED_AT >= 24 * 3600 * S, 'failed only once 24 h had passed')
  t.ok(now - RECEIVED_AT < 25 * 3600 * S, 'and not much later')
  t.equal((await h.worker.outbox.get(1))?.attempts, delays.length + 1, 'one attempt per scheduled retry')
  t.equal(smtp.messages.length, 0)
})
