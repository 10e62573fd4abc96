import t from 'tap'
import { SMTPServer } from 'smtp-server'
import { ManualClock } from '../../lib/clock.js'
import { startHarness } from '../support/daemon-harness.js'
import { freePort } from '../support/ports.js'

/**
 * SPEC §8 "SMTP down → mail delivered when it returns": the relay refuses connections while three callers leave
 * messages; when it comes back and the retries fall due, every mail is delivered, each exactly once.
 */
const deposit = (number: string): Parameters<Awaited<ReturnType<typeof startHarness>>['call']>[0] => ({
  callerIdNumber: number,
  variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
  records: [{ speakMs: 4000, then: { press: '#' } }],
  actions: [
    { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
    { when: { onPlayback: /vm-mark-urgent/ }, press: '#' },
  ],
})

void t.test('SMTP unreachable, then back: every mail delivered exactly once', async (t) => {
  const port = await freePort()
  const clock = new ManualClock(Date.now())
  const h = await startHarness(t, {
    clock,
    config: {
      smtp: { host: '127.0.0.1', port, secure: false, requireTls: false },
      mail: { from: 'Voicemail <vm@pbx.test>' },
      mailboxes: [
        { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
      ],
    },
  })
  for (const number of ['2001', '2002', '2003']) await h.call(deposit(number)).finished
  await h.app.mailWorker.whenIdle()
  const waiting = await h.app.store.db.all<{ status: string; attempts: number }>(
    'SELECT status, attempts FROM mail_outbox',
  )
  t.equal(waiting.length, 3, 'three mails queued')
  t.ok(
    waiting.every((r) => r.status === 'pending' && r.attempts >= 1),
    'each tried, failed and left pending for a retry',
  )

  const received: string[] = []
  const relay = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      let text = ''
      stream.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')))
      stream.on('end', () => {
        received.push(text)
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => relay.close(() => resolve())))

  // The relay is back; the retries fall due (backoff tops out at an hour).
  clock.advance(2 * 3600_000)
  await h.app.jobs.run('outbox')
  await h.app.mailWorker.whenIdle()
  clock.advance(2 * 3600_000)
  await h.app.jobs.run('outbox')
  await h.app.mailWorker.whenIdle()

  t.equal(received.length, 3, 'three mails arrived')
  for (const number of ['2001', '2002', '2003']) {
    t.equal(
      received.filter((m) => m.includes(number)).length,
      1,
      `the mail for caller ${number} arrived once`,
    )
  }
  const rows = await h.app.store.db.all<{ status: string }>('SELECT status FROM mail_outbox')
  t.ok(
    rows.every((r) => r.status === 'sent'),
    'every outbox row is marked sent',
  )
})
