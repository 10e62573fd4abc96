import t from 'tap'
import { RECEIVED_AT, SmtpSink, mailHarness, makeBox, makeMessage } from './fixture.js'

void t.test('a new message is mailed with the WAV attached and the templates applied', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h, { email: ['alice@example.com', 'boss@example.com'] })
  const { message, wav } = await makeMessage(h, box, {
    name: 'Bob Builder',
    number: '1001',
    durationMs: 65_000,
  })

  await h.notifier.newMessage(box, message)
  const summary = await h.worker.runDue(RECEIVED_AT)
  t.match(summary, { skipped: false, sent: 2, retried: 0, failed: 0 })
  t.equal(smtp.messages.length, 2, 'one mail per recipient')
  t.same(smtp.messages.map((m) => m.envelope.to).sort(), [['alice@example.com'], ['boss@example.com']])

  const mail = smtp.messages.find((m) => m.envelope.to[0] === 'alice@example.com')
  if (mail === undefined) throw new Error('no mail for alice')
  const { parsed } = mail
  t.equal(parsed.subject, 'New voicemail from Bob Builder <1001> in mailbox 100')
  t.same(parsed.from?.value, [{ address: 'vm@pbx.example.com', name: 'Voicemail' }])
  t.equal(parsed.to !== undefined && !Array.isArray(parsed.to) ? parsed.to.text : '', 'alice@example.com')
  t.equal(parsed.date?.getTime(), RECEIVED_AT, 'Date is the time the mail was queued')
  t.match(parsed.messageId, /^<outbox-\d+-[0-9a-f-]{36}@pbx\.example\.com>$/)
  t.equal(parsed.headers.get('auto-submitted'), 'auto-generated')

  // Received 17:47 UTC = 11:47 in the domain's zone (America/Chicago, CST).
  t.match(parsed.text, 'Received:  Thursday, 26 November 2026 11:47 (America/Chicago)')
  t.match(parsed.text, 'Duration:  1 min 05 s')
  t.match(parsed.text, 'Urgent:    no')
  t.match(parsed.text, 'holds 1 new and 0 saved messages')
  t.match(parsed.html, '<td><b>Bob Builder &lt;1001&gt;</b></td>', 'HTML values are escaped')
  t.match(parsed.html, 'Thursday, 26 November 2026 11:47')

  t.equal(parsed.attachments.length, 1)
  const [attachment] = parsed.attachments
  t.equal(attachment?.contentType, 'audio/wav')
  t.equal(attachment?.filename, 'voicemail-100-2026-11-26-1147-from-1001.wav')
  t.ok(attachment?.content.equals(wav), 'attachment bytes equal the stored WAV')

  const other = smtp.messages.find((m) => m.envelope.to[0] === 'boss@example.com')
  t.not(other?.parsed.messageId, parsed.messageId, 'each recipient row has its own Message-ID')

  const rows = await h.worker.outbox.list()
  t.same(
    rows.map((r) => [r.status, r.attempts, r.sentAt]),
    [
      ['sent', 1, RECEIVED_AT],
      ['sent', 1, RECEIVED_AT],
    ],
  )
  t.same(await h.worker.runDue(RECEIVED_AT + 3_600_000), { skipped: false, sent: 0, retried: 0, failed: 0 })
  t.equal(smtp.messages.length, 2, 'nothing is sent twice')
})

void t.test('urgent messages get the subject prefix and high priority; the box timezone wins', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h)
  const tokyo = await h.store.mailboxes.update(box.rowId, { timezone: 'Asia/Tokyo' })
  const { message } = await makeMessage(h, tokyo, {
    urgent: true,
    name: '',
    number: '5551234',
    durationMs: 42_400,
  })
  await h.notifier.newMessage(tokyo, message)
  await h.worker.runDue(RECEIVED_AT)
  const parsed = smtp.messages[0]?.parsed
  t.equal(parsed?.subject, '[URGENT] New voicemail from 5551234 in mailbox 100')
  t.equal(parsed?.headers.get('priority'), 'high')
  t.match(smtp.messages[0]?.raw.toString(), /^X-Priority: 1 \(Highest\)\r$/m)
  // 17:47 UTC = 02:47 next day in Tokyo.
  t.match(parsed?.text, 'Friday, 27 November 2026 02:47 (Asia/Tokyo)')
  t.match(parsed?.text, 'Duration:  42 s')
  t.match(parsed?.text, 'Urgent:    yes')
  t.equal(parsed?.attachments[0]?.filename, 'voicemail-100-2026-11-27-0247-from-5551234.wav')
})

void t.test('a hostile caller name cannot add a header or break the mail', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h)
  const evil = 'Evil\r\nBcc: victim@example.org\r\nX-Injected: "yes"'
  const { message } = await makeMessage(h, box, { name: evil, number: '../../etc/passwd"\r\nTo: x@y' })
  await h.notifier.newMessage(box, message)
  await h.worker.runDue(RECEIVED_AT)

  t.equal(smtp.messages.length, 1)
  const mail = smtp.messages[0]
  if (mail === undefined) throw new Error('no mail')
  t.same(mail.envelope.to, ['alice@example.com'], 'no extra envelope recipient')
  t.notOk(mail.parsed.headers.has('bcc'), 'no Bcc header')
  t.notOk(mail.parsed.headers.has('x-injected'), 'no injected header')
  t.equal(
    mail.parsed.to !== undefined && !Array.isArray(mail.parsed.to) ? mail.parsed.to.text : '',
    'alice@example.com',
  )
  t.notMatch(mail.raw.toString('latin1'), /^Bcc:/im, 'no Bcc line anywhere in the raw mail')
  t.notMatch(mail.raw.toString('latin1'), /^X-Injected:/im)
  t.equal(
    mail.parsed.subject,
    'New voicemail from Evil Bcc: victim@example.org X-Injected: "yes" <../../etc/passwd" To: x@y> in mailbox 100',
    'the subject stays one header, line breaks flattened',
  )
  t.match(mail.parsed.html, 'Evil Bcc: victim@example.org X-Injected: &quot;yes&quot;')
  t.equal(
    mail.parsed.attachments[0]?.filename,
    'voicemail-100-2026-11-26-1147-from-etcpasswdToxy.wav',
    'attachment name built from safe characters only',
  )
})

void t.test('non-ASCII names survive (RFC 2047)', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const box = await makeBox(h, { name: 'Zoë’s Büro' })
  const { message } = await makeMessage(h, box, { name: 'Jürgen Ørsted 😀 山田', number: '+4930123' })
  await h.notifier.newMessage(box, message)
  await h.worker.runDue(RECEIVED_AT)
  const mail = smtp.messages[0]
  t.equal(mail?.parsed.subject, 'New voicemail from Jürgen Ørsted 😀 山田 <+4930123> in mailbox 100')
  t.match(mail?.raw.toString('latin1'), /^Subject: =\?UTF-8\?/m, 'subject encoded as MIME words')
  t.match(mail?.parsed.text, 'in mailbox 100 (Zoë’s Büro)')
  t.match(mail?.parsed.html, 'Zoë&#39;s Büro'.replace('&#39;', '’'))
  t.equal(mail?.parsed.attachments[0]?.filename, 'voicemail-100-2026-11-26-1147-from-+4930123.wav')
})

void t.test('a box without email queues nothing; attachAudio = no sends no attachment', async (t) => {
  const smtp = await SmtpSink.start(t)
  const h = await mailHarness(t, { smtpPort: smtp.port })
  const twice = await makeBox(h, { id: '400', email: ['dup@example.com', 'DUP@example.com', ' '] })
  const { message: m0 } = await makeMessage(h, twice)
  await h.notifier.newMessage(twice, m0)
  t.match(
    await h.worker.outbox.list(),
    [{ recipients: ['dup@example.com'] }],
    'one mail per distinct address',
  )
  await h.worker.runDue(RECEIVED_AT)
  smtp.messages.length = 0

  const silent = await makeBox(h, { id: '200', email: [] })
  const { message: m1 } = await makeMessage(h, silent)
  await h.notifier.newMessage(silent, m1)
  t.equal((await h.worker.outbox.list()).length, 1, 'no outbox row for a box without email')

  const noAudio = await makeBox(h, { id: '300', attachAudio: false })
  const { message: m2 } = await makeMessage(h, noAudio)
  await h.notifier.newMessage(noAudio, m2)
  await h.worker.runDue(RECEIVED_AT)
  t.equal(smtp.messages.length, 1)
  t.equal(smtp.messages[0]?.parsed.attachments.length, 0)
  t.match(smtp.messages[0]?.parsed.subject, 'mailbox 300')
})
