import t from 'tap'
import { login, MAIN_MENU, PIN, playedAt } from '../flows/owner-fixture.js'
import { startWeb } from './fixture.js'

void t.test('the PIN policy of the phone, its reasons as text', async (t) => {
  const h = await startWeb(t)
  const page = await h.loggedIn()
  const refusals: Array<[string, string, string]> = [
    ['1234', 'common', 'That PIN is too common; choose another.'],
    ['7777', 'repeated', 'The PIN must not be the same digit repeated.'],
    ['98765', 'sequence', 'The PIN must not be a straight run of digits up or down.'],
    ['482', 'too-short', 'The PIN must be at least 4 digits long.'],
    ['12345678912', 'too-long', 'The PIN must be at most 10 digits long.'],
    ['48a1', 'not-digits', 'The PIN must contain digits only.'],
  ]
  for (const [pin, code, message] of refusals) {
    const reply = await page.post('/api/pin', { current: PIN, pin, confirm: pin })
    t.equal(reply.status, 422, pin)
    t.same(reply.json, { error: { code, message } }, `${pin}: ${message}`)
  }
  const mismatch = await page.post('/api/pin', { current: PIN, pin: '739164', confirm: '739165' })
  t.same(mismatch.json, { error: { code: 'mismatch', message: 'The two new PINs do not match.' } })
  t.equal((await h.box('100')).pinHash === undefined, false)
})

void t.test('a new PIN: stored hashed, audited, other sessions end, the phone takes it', async (t) => {
  const h = await startWeb(t)
  const page = await h.loggedIn()
  const elsewhere = await h.loggedIn()
  const reply = await page.post('/api/pin', { current: PIN, pin: '739164', confirm: '739164' })
  t.equal(reply.status, 200)
  t.same(reply.json, { changed: true })
  const box = await h.box('100')
  t.match(box.pinHash, /^scrypt\$/, 'hashed')
  t.equal(box.pinTemporary, false)
  t.match((await h.app.store.audit.listRecent(1, box.rowId))[0], {
    action: 'pin.changed',
    actor: 'web:127.0.0.1',
    detail: {},
  })
  t.equal((await page.get('/api/box')).status, 200, 'this session carries on')
  t.equal((await elsewhere.get('/api/box')).status, 401, 'the other one ends')
  t.equal((await h.client().login('100', PIN)).status, 401, 'the old PIN no longer works')
  const phone = await h.call({
    variables: login('100'),
    entries: ['739164#'],
    actions: [{ when: { onPlayback: MAIN_MENU }, press: '#' }],
  }).finished
  t.ok(playedAt(phone, MAIN_MENU) >= 0, 'the phone takes the new PIN')
})
