import t from 'tap'
import {
  buildMessageWaiting,
  echoedHeaders,
  isSafeValue,
  messagesWaiting,
  voiceMessageLine,
} from '../../lib/mwi/message-waiting.js'

const counts = (n: number, s: number, nu = 0, su = 0) => ({
  new: n,
  saved: s,
  newUrgent: nu,
  savedUrgent: su,
})

void t.test('an empty box still sends the Voice-Message line with zeros', (t) => {
  t.same(buildMessageWaiting({ counts: counts(0, 0), account: 'sip:100@pbx.test', reason: 'DELETE' }), [
    ['MWI-Messages-Waiting', 'no'],
    ['MWI-Message-Account', 'sip:100@pbx.test'],
    ['MWI-Voice-Message', '0/0 (0/0)'],
    ['Update-Reason', 'DELETE'],
  ])
  t.end()
})

void t.test('2 new (1 urgent) and 1 saved', (t) => {
  t.same(buildMessageWaiting({ counts: counts(2, 1, 1, 0), account: 'sip:100@pbx.test', reason: 'NEW' }), [
    ['MWI-Messages-Waiting', 'yes'],
    ['MWI-Message-Account', 'sip:100@pbx.test'],
    ['MWI-Voice-Message', '2/1 (1/0)'],
    ['Update-Reason', 'NEW'],
  ])
  t.end()
})

void t.test('urgent-only: the urgent new message counts as new and lights the lamp', (t) => {
  t.equal(messagesWaiting(counts(1, 0, 1, 0)), 'yes')
  t.equal(voiceMessageLine(counts(1, 0, 1, 0)), '1/0 (1/0)')
  t.end()
})

void t.test('only saved messages: the lamp is off but the count is shown', (t) => {
  const headers = buildMessageWaiting({
    counts: counts(0, 3, 0, 2),
    account: 'sip:800@pbx.test',
    reason: 'SAVE',
  })
  t.same(headers.slice(0, 3), [
    ['MWI-Messages-Waiting', 'no'],
    ['MWI-Message-Account', 'sip:800@pbx.test'],
    ['MWI-Voice-Message', '0/3 (0/2)'],
  ])
  t.end()
})

void t.test('nonsense counts are shown as 0, never as NaN or negative', (t) => {
  t.equal(voiceMessageLine(counts(-1, Number.NaN, 1.5, 2)), '0/0 (0/2)')
  t.equal(messagesWaiting(counts(-3, 0)), 'no')
  t.end()
})

void t.test('the query answer of the capture mwi-query-session.txt, byte for byte', (t) => {
  const query = new Map([
    ['Event-Name', 'MESSAGE_QUERY'],
    ['Core-UUID', '2293a456-213c-4046-83f2-edd2a396ac66'],
    ['Message-Account', 'sip:1000@pbx.test'],
    ['VM-Sofia-Profile', 'internal'],
    ['VM-Call-ID', '1-26344@192.0.2.10'],
  ])
  const headers = buildMessageWaiting({
    counts: counts(3, 1, 1, 0),
    account: 'sip:1000@pbx.test',
    echo: echoedHeaders(query),
  })
  const wire = headers.map(([k, v]) => `${k}: ${v}\n`).join('')
  t.equal(
    wire,
    'MWI-Messages-Waiting: yes\nMWI-Message-Account: sip:1000@pbx.test\nMWI-Voice-Message: 3/1 (1/0)\n' +
      'Sofia-Profile: internal\nCall-ID: 1-26344@192.0.2.10\n',
    'same headers, order and raw values as the captured client',
  )
  t.end()
})

void t.test('echo strips VM- in any case and keeps the rest of the name as sent', (t) => {
  t.same(
    echoedHeaders([
      ['VM-Sofia-Profile', 'internal'],
      ['VM-sub-call-id', '1-26344@192.0.2.10'],
      ['vm-Custom', 'x'],
      ['Message-Account', 'sip:1000@pbx.test'],
      ['VM-', 'nothing after the prefix'],
    ]),
    [
      ['Sofia-Profile', 'internal'],
      ['sub-call-id', '1-26344@192.0.2.10'],
      ['Custom', 'x'],
    ],
  )
  t.end()
})

void t.test('echo drops headers that cannot be sent raw', (t) => {
  t.same(
    echoedHeaders([
      ['VM-Call-ID', 'abc\r\nsendevent EVIL'],
      ['VM-Empty', ''],
      ['VM-Bad Name', 'x'],
      ['VM-Sofia-Profile', 'internal'],
    ]),
    [['Sofia-Profile', 'internal']],
    'only the clean header survives',
  )
  t.end()
})

void t.test('an account with a line break is refused', (t) => {
  t.throws(() => buildMessageWaiting({ counts: counts(0, 0), account: 'sip:1@x\nEvil: 1' }), TypeError)
  t.throws(() => buildMessageWaiting({ counts: counts(0, 0), account: '' }), TypeError)
  t.equal(isSafeValue('sip:1000@pbx.test'), true)
  t.equal(isSafeValue('a\0b'), false)
  t.end()
})
