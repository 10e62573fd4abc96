/**
 * The new-message mail of a real deposit (03100 on the real FreeSWITCH) into a box with three recipients, as
 * they receive it at a local SMTP server: one mail per recipient (SPEC §5: "one mail per new message to every
 * recipient"; the outbox queues and retries each recipient on its own), the WAV FreeSWITCH recorded attached
 * byte for byte as audio/wav under a readable name, and subject and body with the caller, the duration and the
 * time received in the box's time zone.
 */
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { eventually, leaveMessage, messagesOnceThere } from '../support/real-freeswitch/caller.js'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { DOMAIN, startPbx } from '../support/real-freeswitch/pbx.js'

const RECIPIENTS = ['alice@example.com', 'bob@example.com', 'carol@example.com']
/** The box's own zone, not the server's (UTC here) nor the domain's. */
const ZONE = 'America/Chicago'

/** Date parts in `zone`, read independently of the daemon's formatter. */
function partsIn(ms: number, zone: string): Record<string, string> {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
  const monthNumber = new Intl.DateTimeFormat('en-GB', { timeZone: zone, month: '2-digit' }).format(ms)
  return {
    ...Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value])),
    monthNumber,
  }
}

if (realTierAvailable(t)) {
  t.setTimeout(180_000)
  void t.test('a deposit mails the recording to each of the box recipients', async (t) => {
    const pbx = await startPbx(t, {
      config: [
        'mailboxes:',
        `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice, timezone: ${ZONE}, email: [${RECIPIENTS.join(', ')}] }`,
      ].join('\n'),
    })
    const left = await leaveMessage(pbx, '03100', {
      fromUser: { user: '1001', domain: DOMAIN },
      callerIdNumber: '5550301',
      callerIdName: 'Pat Caller',
    })
    const [message] = await messagesOnceThere(pbx, '100', 1)
    if (message === undefined) {
      t.fail('no message stored')
      return
    }
    t.ok(await eventually(() => pbx.smtp.messages.length >= RECIPIENTS.length, 60_000), 'the mails arrived')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const mails = pbx.smtp.messages
    t.equal(mails.length, RECIPIENTS.length, 'one mail per recipient, no more')
    t.same(
      mails.map((m) => m.envelope.to).sort(),
      RECIPIENTS.map((r) => [r]),
      'each mail goes to one recipient',
    )

    const recorded = await readFile(left.recordPath)
    const when = partsIn(message.receivedAt, ZONE)
    const received = `${when.weekday}, ${when.day} ${when.month} ${when.year} ${when.hour}:${when.minute}`
    const seconds = Math.round(message.durationMs / 1000)
    const stamp = `${when.year}-${when.monthNumber}-${(when.day ?? '').padStart(2, '0')}-${when.hour}${when.minute}`
    for (const mail of mails) {
      const to = mail.envelope.to.join(',')
      const parsed = mail.parsed
      t.equal(
        parsed.subject,
        'New voicemail from Pat Caller <5550301> in mailbox 100',
        `${to}: the subject names the caller and the box`,
      )
      t.match(parsed.text, `Received:  ${received} (${ZONE})`, `${to}: the time in the box's zone`)
      t.match(parsed.text, `Duration:  ${seconds} s`, `${to}: the duration`)
      t.match(parsed.text, 'Pat Caller <5550301>', `${to}: the caller`)
      t.type(parsed.html, 'string', `${to}: an HTML body too`)
      t.equal(parsed.attachments.length, 1, `${to}: one attachment`)
      const [wav] = parsed.attachments
      t.equal(wav?.contentType, 'audio/wav', `${to}: audio/wav`)
      t.equal(wav?.filename, `voicemail-100-${stamp}-from-5550301.wav`, `${to}: a readable file name`)
      t.ok(wav?.content.equals(recorded), `${to}: the bytes FreeSWITCH recorded (${recorded.length} B)`)
    }
  })
}
