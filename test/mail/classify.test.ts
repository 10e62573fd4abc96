import t from 'tap'
import { classifySendError } from '../../lib/mail/classify.js'

function err(message: string, fields: { code?: string; responseCode?: number }): Error {
  return Object.assign(new Error(message), fields)
}

void t.test('connection-level errors are temporary', (t) => {
  for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS']) {
    t.equal(classifySendError(err('boom', { code })).kind, 'temporary', code)
  }
  t.end()
})

void t.test('4xx replies are temporary, whatever the code', (t) => {
  t.equal(classifySendError(err('mailbox busy', { code: 'EENVELOPE', responseCode: 451 })).kind, 'temporary')
  t.equal(
    classifySendError(err('service closing', { code: 'EPROTOCOL', responseCode: 421 })).kind,
    'temporary',
  )
  t.equal(classifySendError(err('quota', { code: 'EMESSAGE', responseCode: 452 })).kind, 'temporary')
  t.end()
})

void t.test('5xx replies are permanent, except 503', (t) => {
  const rejected = classifySendError(err('no such user', { code: 'EENVELOPE', responseCode: 550 }))
  t.same(rejected, { kind: 'permanent', summary: 'EENVELOPE 550 no such user' })
  t.equal(classifySendError(err('too big', { code: 'EMESSAGE', responseCode: 552 })).kind, 'permanent')
  t.equal(classifySendError(err('bad sequence', { code: 'EPROTOCOL', responseCode: 503 })).kind, 'temporary')
  t.end()
})

void t.test("authentication trouble is the operator's: temporary even on 535", (t) => {
  t.equal(classifySendError(err('bad credentials', { code: 'EAUTH', responseCode: 535 })).kind, 'temporary')
  t.equal(classifySendError(err('no credentials', { code: 'ENOAUTH' })).kind, 'temporary')
  t.end()
})

void t.test('an unusable message without a reply is permanent; unknown errors are temporary', (t) => {
  t.equal(classifySendError(err('No recipients defined', { code: 'EENVELOPE' })).kind, 'permanent')
  t.equal(classifySendError(err('disk full', { code: 'ENOSPC' })).kind, 'temporary')
  t.equal(classifySendError(new Error('something odd')).kind, 'temporary')
  t.same(classifySendError('a string'), { kind: 'temporary', summary: 'a string' })
  t.end()
})

void t.test('the summary is one line', (t) => {
  const { summary } = classifySendError(err('line one\r\nline two', { code: 'EPROTOCOL', responseCode: 451 }))
  t.equal(summary, 'EPROTOCOL 451 line one line two')
  t.end()
})
