import t from 'tap'
import { createLogger } from '../../lib/log.js'
import { RECEIVED_AT, SmtpSink, mailHarness, makeBox, makeMessage } from './fixture.js'

const auth = { user: 'vm', pass: 's3cret' }

void t.test('STARTTLS required and authentication: delivered over TLS as the configured user', async (t) => {
  const smtp = await SmtpSink.start(t, { tls: true, auth })
  const h = await mailHarness(t, {
    smtpPort: smtp.port,
    smtp: { requireTls: true, rejectUnauthorized: false, user: 'vm', password: 's3cret' },
  })
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 1 })
  t.match(smtp.messages[0], { secure: true, user: 'vm' })
})

void t.test('requireTls against a server without STARTTLS: temporary, mail kept', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port, smtp: { requireTls: true } })
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 0, retried: 1 })
  t.equal(smtp.messages.length, 0, 'nothing sent in clear')
})

void t.test('certificate checked by default: a self-signed relay is refused (temporary)', async (t) => {
  const smtp = await SmtpSink.start(t, { tls: true })
  const h = await mailHarness(t, {
    smtpPort: smtp.port,
    smtp: { requireTls: true, rejectUnauthorized: true },
  })
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 0, retried: 1 })
  t.equal(smtp.messages.length, 0)
})

void t.test('a wrong password is retried (fixing the config delivers the queue), not failed', async (t) => {
  const smtp = await SmtpSink.start(t, { tls: true, auth })
  const h = await mailHarness(t, {
    smtpPort: smtp.port,
    smtp: { requireTls: true, user: 'vm', password: 'wrong' },
  })
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 0, retried: 1, failed: 0 })
  const [row] = await h.worker.outbox.list()
  t.match(row?.lastError, /^EAUTH 535/)
  t.notMatch(row?.lastError, /wrong/, 'the password is not in the recorded error')
})

void t.test(
  'every attempt is logged with its row, attempt, kind and recipient; no password, no body',
  async (t) => {
    const lines: Record<string, unknown>[] = []
    const destination = {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    }
    const smtp = await SmtpSink.start(t, { tls: true, auth })
    smtp.mode = 'tempfail'
    const h = await mailHarness(t, {
      smtpPort: smtp.port,
      smtp: { user: 'vm', password: 's3cret' },
      log: createLogger('debug', destination),
    })
    const box = await makeBox(h)
    const { message } = await makeMessage(h, box, { name: 'Bob' })
    await h.notifier.newMessage(box, message)
    await h.worker.runDue(RECEIVED_AT)
    smtp.mode = 'accept'
    await h.worker.runDue(RECEIVED_AT + 30_000)

    const attempts = lines.filter((l) => l.msg === 'mail attempt')
    t.match(attempts, [
      {
        level: 40,
        outboxId: 1,
        attempt: 1,
        kind: 'new-message',
        recipient: 'alice@example.com',
        outcome: 'retry',
      },
      {
        level: 30,
        outboxId: 1,
        attempt: 2,
        kind: 'new-message',
        recipient: 'alice@example.com',
        outcome: 'sent',
      },
    ])
    t.match(attempts[0], { error: /451/, retryAt: RECEIVED_AT + 30_000 })
    const all = lines.map((l) => JSON.stringify(l)).join('\n')
    t.notMatch(all, /s3cret/, 'no password')
    t.notMatch(all, /Dial the voicemail access number/, 'no body')
    t.match(lines, [{ msg: 'mail queued', mailbox: '100', recipients: 1 }])
  },
)
