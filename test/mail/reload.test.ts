import t from 'tap'
import { startHarness } from '../support/daemon-harness.js'
import { SmtpSink } from './fixture.js'

/**
 * SIGHUP (App.reload) applies new SMTP settings and a new From address to the outbox worker: the next mail goes to
 * the new relay, from the new address, and the old relay gets nothing more.
 */
void t.test('a reload moves mail to the new SMTP server and From address', async (t) => {
  const before = await SmtpSink.start(t)
  const after = await SmtpSink.start(t)
  const h = await startHarness(t, {
    config: {
      smtp: { host: '127.0.0.1', port: before.port, secure: false, requireTls: false },
      mail: { from: 'Old PBX <old@example.com>' },
      mailboxes: [
        { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
      ],
    },
  })
  const deposit = {
    variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
    records: [{ speakMs: 4000, then: 'hangup' as const }],
  }
  await h.call(deposit).finished
  await h.app.mailWorker.whenIdle()
  t.equal(before.messages.length, 1, 'before the reload: the old server')

  await h.app.reload({
    ...h.config,
    smtp: { ...h.config.smtp!, port: after.port },
    mail: { ...h.config.mail, from: 'New PBX <new@example.com>' },
  })
  await h.call(deposit).finished
  await h.app.mailWorker.whenIdle()
  t.equal(before.messages.length, 1, 'the old server gets nothing more')
  t.equal(after.messages.length, 1, 'the new server gets the next mail')
  t.same(
    after.messages[0]?.parsed.from?.value,
    [{ address: 'new@example.com', name: 'New PBX' }],
    'from the new address',
  )
})
