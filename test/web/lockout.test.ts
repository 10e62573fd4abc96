import t from 'tap'
import type { ManualClock } from '../../lib/clock.js'
import { login, MAIN_MENU, PIN, playedAt } from '../flows/owner-fixture.js'
import { startWeb, until } from './fixture.js'

const wrong3 = ['1111#', '2222#', '3333#']

void t.test(
  '10 wrong PINs on the page lock the box for remote phone logins too, with the same mail',
  async (t) => {
    const h = await startWeb(t)
    const clock = h.clock as ManualClock
    const page = h.client()
    for (let i = 1; i <= 9; i++) {
      const reply = await page.login('100', `9${i}9${i}9`)
      if (reply.status !== 401) t.fail(`try ${i} answered ${reply.status}`)
    }
    const tenth = await page.login('100', '90909')
    t.equal(tenth.status, 423, 'the 10th wrong PIN locks the box')
    t.match(tenth.json, { error: { code: 'locked', message: /locked after too many wrong PINs/ } })
    const box = await h.box('100')
    t.equal(box.lockedUntil, clock.now() + 30 * 60_000, 'locked for security.lockoutMinutes')
    const right = await page.login('100', PIN)
    t.equal(right.status, 423, 'while locked, even the right PIN is refused on the page')

    const phone = await h.call({ variables: login('100'), entries: [`${PIN}#`] }).finished
    t.ok(playedAt(phone, /mailbox-locked/) >= 0, 'and on the phone, from elsewhere: "mailbox locked"')
    t.notOk(playedAt(phone, MAIN_MENU) >= 0, 'no way in')

    await until(async () => (await h.spool()).length > 0, 'the lockout mail')
    const actions = (await h.app.store.audit.listRecent(10, box.rowId)).map((e) => `${e.action} ${e.actor}`)
    t.match(actions, [/^box\.locked web:127\.0\.0\.1$/], 'audited as a lock by the page')
    const metrics = await h.app.metrics.render()
    t.match(metrics, /voicemail_lockouts_total 1\n/, 'counted in the metrics')
    t.match(metrics, /voicemail_web_logins_total\{outcome="wrong-pin"\} 10\n/)
    t.match(metrics, /voicemail_web_logins_total\{outcome="locked"\} 1\n/)

    clock.advance(30 * 60_000)
    t.equal((await page.login('100', PIN)).status, 200, 'after the lock time the right PIN gets in')
  },
)

void t.test('phone and page failures add up to one count', async (t) => {
  const h = await startWeb(t, { config: { security: { lockoutFailures: 4 } } })
  const phone = await h.call({ variables: login('100'), entries: wrong3 }).finished
  t.notOk(playedAt(phone, /mailbox-locked/) >= 0, '3 wrong PINs on the phone: not locked yet')
  const page = h.client()
  const reply = await page.login('100', '90909')
  t.equal(reply.status, 423, 'the 4th, on the page, locks the box')
  const after = await h.call({ variables: login('100'), entries: [`${PIN}#`] }).finished
  t.ok(playedAt(after, /mailbox-locked/) >= 0, 'locked for the phone as well')
})

void t.test('a right PIN on the page clears the count, like on the phone', async (t) => {
  const h = await startWeb(t, { config: { security: { lockoutFailures: 3 } } })
  const page = h.client()
  await page.login('100', '90909')
  await page.login('100', '80808')
  t.equal((await page.login('100', PIN)).status, 200)
  t.equal(await h.app.store.loginFailures.countSince((await h.box('100')).rowId, 0), 0, 'failures forgotten')
  await page.login('100', '70707')
  t.equal((await h.box('100')).lockedUntil, undefined, 'not locked')
})

void t.test(
  'a wrong current PIN when changing the PIN counts too, and a lock logs the page out',
  async (t) => {
    const h = await startWeb(t, { config: { security: { lockoutFailures: 2 } } })
    const page = await h.loggedIn()
    const first = await page.post('/api/pin', { current: '90909', pin: '739164', confirm: '739164' })
    t.equal(first.status, 403)
    t.match(first.json, { error: { code: 'wrong-current', message: 'The current PIN is not right.' } })
    const second = await page.post('/api/pin', { current: '80808', pin: '739164', confirm: '739164' })
    t.equal(second.status, 423)
    t.equal((await page.get('/api/box')).status, 401, 'logged out')
  },
)
