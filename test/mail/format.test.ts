import t from 'tap'
import {
  attachmentName,
  escapeHtml,
  formatDateTime,
  formatDuration,
  formatMegabytes,
  sanitizeLine,
  validTimezone,
} from '../../lib/mail/format.js'
import { callerLabel } from '../../lib/mail/payload.js'

const AT = Date.UTC(2026, 10, 26, 17, 47, 5)

void t.test('durations', (t) => {
  t.equal(formatDuration(65_000), '1 min 05 s')
  t.equal(formatDuration(42_400), '42 s')
  t.equal(formatDuration(59_600), '1 min 00 s', 'rounded to the second')
  t.equal(formatDuration(0), '0 s')
  t.equal(formatDuration(300_000), '5 min 00 s')
  t.end()
})

void t.test('dates in a zone', (t) => {
  t.equal(formatDateTime(AT, 'UTC'), 'Thursday, 26 November 2026 17:47')
  t.equal(formatDateTime(AT, 'America/Chicago'), 'Thursday, 26 November 2026 11:47')
  t.equal(formatDateTime(AT, 'Asia/Kolkata'), 'Thursday, 26 November 2026 23:17')
  t.equal(
    formatDateTime(Date.UTC(2026, 0, 1, 0, 5), 'UTC'),
    'Thursday, 1 January 2026 00:05',
    'midnight is 00',
  )
  t.equal(validTimezone('Not/AZone'), 'UTC', 'a bad zone falls back to UTC')
  t.equal(validTimezone(undefined), 'UTC')
  t.equal(formatDateTime(AT, 'Not/AZone'), 'Thursday, 26 November 2026 17:47')
  t.end()
})

void t.test('header sanitising', (t) => {
  t.equal(sanitizeLine('Evil\r\nBcc: x@y'), 'Evil Bcc: x@y')
  t.equal(sanitizeLine('a\u0000b\u0007c\u2028d\u0085e'), 'a b c d e')
  t.equal(sanitizeLine('  spaced\t\tout  '), 'spaced out')
  t.equal(sanitizeLine('x'.repeat(150), 10), `${'x'.repeat(9)}…`)
  t.equal(sanitizeLine('😀'.repeat(5), 3), '😀😀…', 'never splits a surrogate pair')
  t.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  t.end()
})

void t.test('attachment names use safe characters only', (t) => {
  t.equal(attachmentName('100', AT, 'America/Chicago', '1001'), 'voicemail-100-2026-11-26-1147-from-1001.wav')
  t.equal(attachmentName('100', AT, 'UTC', ''), 'voicemail-100-2026-11-26-1747-from-unknown.wav')
  t.equal(attachmentName('100', AT, 'UTC', '"; rm -rf /'), 'voicemail-100-2026-11-26-1747-from-rmrf.wav')
  t.equal(
    attachmentName('100', Date.UTC(2026, 2, 5, 9, 3), 'UTC', '+1 555'),
    'voicemail-100-2026-03-05-0903-from-+1555.wav',
  )
  t.end()
})

void t.test('caller labels and sizes', (t) => {
  t.equal(callerLabel('Alice', '1001'), 'Alice <1001>')
  t.equal(callerLabel('1001', '1001'), '1001', 'FreeSWITCH often sets the name to the number')
  t.equal(callerLabel('', '1001'), '1001')
  t.equal(callerLabel('Alice', ''), 'Alice')
  t.equal(callerLabel('', ''), 'an unknown caller')
  t.equal(formatMegabytes(10 * 1024 * 1024), '10.0 MB')
  t.end()
})
