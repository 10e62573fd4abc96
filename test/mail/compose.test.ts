import t from 'tap'
import { composeMail, messageId } from '../../lib/mail/compose.js'
import { OutboxPayloadError } from '../../lib/mail/errors.js'
import { parsePayload, type MailPayload } from '../../lib/mail/payload.js'
import { loadTemplates } from '../../lib/mail/templates.js'

const AT = Date.UTC(2026, 10, 26, 17, 47, 5)
const mail: MailPayload = {
  kind: 'new-message',
  payload: {
    v: 1,
    mid: '6f1c2b7e-2a7c-4a8e-9c39-0e3c1f1b2a11',
    box: { id: '100', name: 'Alice', domain: 'pbx.example.com', timezone: 'America/Chicago' },
    messageUuid: 'b1d2c3e4-0000-4000-8000-000000000000',
    callerName: 'Bob',
    callerNumber: '1001',
    receivedAt: AT,
    durationMs: 65_000,
    urgent: false,
    newCount: 3,
    savedCount: 2,
    attachFile: 'recordings/pbx.example.com/100/b1d2c3e4-0000-4000-8000-000000000000.wav',
  },
}

void t.test('compose is pure and stable per outbox row', async (t) => {
  const templates = await loadTemplates()
  const input = {
    outboxId: 7,
    createdAt: AT,
    recipients: ['alice@example.com'],
    mail,
    templates,
    from: 'Voicemail <vm@pbx.example.com>',
    attachment: { content: Buffer.from('RIFF') },
  }
  const a = composeMail(input)
  const b = composeMail(input)
  t.same(a, b, 'same input, same message (a retry sends the same Message-ID and Date)')
  t.equal(a.messageId, '<outbox-7-6f1c2b7e-2a7c-4a8e-9c39-0e3c1f1b2a11@pbx.example.com>')
  t.same(a.date, new Date(AT))
  t.same(a.to, ['alice@example.com'])
  t.equal(a.subject, 'New voicemail from Bob <1001> in mailbox 100')
  t.match(a.text, 'holds 3 new and 2 saved messages')
  t.match(a.attachments, [
    { filename: 'voicemail-100-2026-11-26-1147-from-1001.wav', contentType: 'audio/wav' },
  ])
  t.equal(a.priority, undefined)

  const missing = composeMail({ ...input, attachment: 'missing' })
  t.equal(missing.attachments, undefined)
  t.match(missing.text, /^The recording is not attached/)
})

void t.test('Message-ID domain falls back when From has none', (t) => {
  t.equal(messageId(1, 'abc', 'voicemail'), '<outbox-1-abc@voicemaild.invalid>')
  t.equal(messageId(2, 'a<b>c', 'vm@example.com'), '<outbox-2-abc@example.com>', 'only safe characters')
  t.end()
})

void t.test('a missing HTML body tag still gets the note', async (t) => {
  const templates = await loadTemplates()
  const bare = { ...templates, 'new-message': { ...templates['new-message'], html: '<p>{{caller}}</p>' } }
  const m = composeMail({
    outboxId: 1,
    createdAt: AT,
    recipients: ['a@example.com'],
    mail,
    templates: bare,
    from: 'vm@example.com',
    attachment: 'missing',
  })
  t.match(m.html, /^<p><i>The recording is not attached.*<\/i><\/p>\n<p>Bob &lt;1001&gt;<\/p>$/)
})

void t.test('payloads are checked before use', (t) => {
  t.throws(() => parsePayload('fax', mail.payload), OutboxPayloadError)
  t.throws(() => parsePayload('new-message', { v: 2 }), OutboxPayloadError)
  t.throws(() => parsePayload('lockout', null), OutboxPayloadError)
  t.same(parsePayload('new-message', mail.payload), mail)
  t.end()
})
