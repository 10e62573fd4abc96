import t from 'tap'
import type { ManualClock } from '../../lib/clock.js'
import { startHarness } from '../support/daemon-harness.js'
import { check, MAIN_MENU, ownerConfig, PIN, playedAt, setPin } from './owner-fixture.js'

const wrong3 = ['1111#', '2222#', '3333#']
const exitAtMainMenu = [{ when: { onPlayback: MAIN_MENU }, press: '#' }]

void t.test(
  "10 wrong PINs from the owner's own phone, across calls, lock that phone for 30 minutes",
  async (t) => {
    const h = await startHarness(t, { config: ownerConfig() })
    const clock = h.clock as ManualClock
    await setPin(h, '100')
    const box = await h.box('100')

    for (let call = 1; call <= 3; call++) {
      const transcript = await h.call({ variables: check('100'), entries: wrong3 }).finished
      t.notOk(playedAt(transcript, /mailbox-locked/) >= 0, `call ${call}: 3 wrong PINs, not locked yet`)
      clock.advance(5 * 60_000)
    }
    t.equal(await h.app.store.loginFailures.countSince(box.rowId, 0), 9, '9 failures counted across 3 calls')

    const tenth = await h.call({ variables: check('100'), entries: ['4444#', PIN] }).finished
    t.ok(playedAt(tenth, /mailbox-locked/) >= 0, 'the 10th wrong PIN locks the box and says so')
    t.equal(
      tenth.executes.filter((e) => e.app === 'play_and_get_digits').length,
      1,
      'no further try in that call',
    )
    const locked = await h.box('100')
    t.equal(locked.ownerLockedUntil, clock.now() + 30 * 60_000, 'locked for 30 minutes')
    t.equal(locked.lockedUntil, undefined, 'remote access is not locked by the owner phone')
    const mails = await h.app.store.db.all<{ kind: string; recipients: string }>(
      `SELECT kind, recipients FROM mail_outbox WHERE kind = 'lockout'`,
    )
    t.equal(mails.length, 1, 'the lock is mailed')
    t.match(mails[0]?.recipients, /alice@example\.com/, 'to the box recipients')

    clock.advance(10 * 60_000)
    const refused = await h.call({ variables: check('100'), entries: [`${PIN}#`] }).finished
    t.ok(playedAt(refused, /mailbox-locked/) >= 0, 'a locked box says so')
    t.equal(
      refused.executes.filter((e) => e.app === 'play_and_get_digits').length,
      0,
      'without asking for the PIN',
    )
    t.notOk(playedAt(refused, MAIN_MENU) >= 0, 'even the right PIN does not get in')

    clock.advance(20 * 60_000)
    const after = await h.call({ variables: check('100'), entries: [`${PIN}#`], actions: exitAtMainMenu })
      .finished
    t.ok(playedAt(after, MAIN_MENU) >= 0, 'after 30 minutes the right PIN gets in')
    t.equal((await h.box('100')).ownerLockedUntil, undefined, 'lock cleared')
    const actions = (await h.app.store.audit.listRecent(20, box.rowId)).map((e) => e.action)
    t.ok(actions.includes('box.locked'), 'lock audited')
    t.ok(actions.includes('box.unlocked'), 'unlock audited')
  },
)

void t.test('failures older than the window do not add up; a right PIN clears the count', async (t) => {
  const h = await startHarness(t, {
    config: ownerConfig({ security: { lockoutFailures: 5, failureWindowMinutes: 10 } }),
  })
  const clock = h.clock as ManualClock
  await setPin(h, '100')
  const box = await h.box('100')
  await h.call({ variables: check('100'), entries: wrong3 }).finished
  clock.advance(11 * 60_000)
  const second = await h.call({ variables: check('100'), entries: wrong3 }).finished
  t.notOk(
    playedAt(second, /mailbox-locked/) >= 0,
    '3 + 3 failures 11 minutes apart: no lock with a 10-minute window',
  )
  const ok = await h.call({ variables: check('100'), entries: ['9999#', `${PIN}#`], actions: exitAtMainMenu })
    .finished
  t.ok(playedAt(ok, MAIN_MENU) >= 0, 'logged in')
  t.equal(await h.app.store.loginFailures.countSince(box.rowId, 0), 0, 'a right PIN clears the failures')
})

/** A caller from outside (no `user_name`): deposit into 100, `*` during the greeting, then PINs. */
function fromOutside(entries: string[]): {
  variables: Record<string, string>
  actions: Array<{ when: { onPlayback: RegExp; afterMs: number }; press: string }>
  entries: string[]
} {
  return {
    variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
    actions: [{ when: { onPlayback: /vm-person/, afterMs: 300 }, press: '*' }],
    entries,
  }
}

async function lockoutMails(h: Awaited<ReturnType<typeof startHarness>>): Promise<number> {
  const row = await h.app.store.db.get<{ n: number }>(
    "SELECT count(*) AS n FROM mail_outbox WHERE kind = 'lockout'",
  )
  return row?.n ?? 0
}

void t.test('nobody outside can lock the owner out; the lockout mail is sent once a day', async (t) => {
  const h = await startHarness(t, { config: ownerConfig() })
  const clock = h.clock as ManualClock
  await setPin(h, '100')

  for (let call = 1; call <= 3; call++) await h.call(fromOutside(wrong3)).finished
  const tenth = await h.call(fromOutside(['4444#'])).finished
  t.ok(playedAt(tenth, /mailbox-locked/) >= 0, 'the 10th wrong PIN from outside locks remote access')
  const box = await h.box('100')
  t.equal(box.lockedUntil, clock.now() + 30 * 60_000, 'remote access locked for 30 minutes')
  t.equal(box.ownerLockedUntil, undefined, "the owner's phone is not locked")
  t.equal(await lockoutMails(h), 1, 'the lock is mailed')

  const remote = await h.call(fromOutside([`${PIN}#`])).finished
  t.ok(playedAt(remote, /mailbox-locked/) >= 0, 'from outside even the right PIN is refused now')

  const own = await h.call({
    variables: check('100'),
    entries: ['9999#', `${PIN}#`],
    actions: exitAtMainMenu,
  }).finished
  t.ok(playedAt(own, MAIN_MENU) >= 0, "the owner's own phone still gets in with the right PIN")
  t.equal((await h.box('100')).lockedUntil, box.lockedUntil, 'remote access stays locked')

  clock.advance(31 * 60_000)
  for (let call = 1; call <= 3; call++) await h.call(fromOutside(wrong3)).finished
  const again = await h.call(fromOutside(['4444#'])).finished
  t.ok(playedAt(again, /mailbox-locked/) >= 0, 'the attacker locks remote access again')
  t.equal(await lockoutMails(h), 1, 'but the owner is not mailed again the same day')
  const actions = (await h.app.store.audit.listRecent(50, box.rowId)).filter((e) => e.action === 'box.locked')
  t.equal(actions.length, 2, 'both locks are audited')
})

void t.test("the owner's own failures are counted apart from outside ones", async (t) => {
  const h = await startHarness(t, {
    config: ownerConfig({ security: { lockoutFailures: 4 } }),
  })
  await setPin(h, '100')
  const box = await h.box('100')
  await h.call(fromOutside(wrong3)).finished
  await h.call({ variables: check('100'), entries: wrong3 }).finished
  t.equal(await h.app.store.loginFailures.countSince(box.rowId, 0, 'remote'), 3, '3 remote failures')
  t.equal(await h.app.store.loginFailures.countSince(box.rowId, 0, 'owner'), 3, '3 own-phone failures')
  const locked = await h.box('100')
  t.notOk(
    locked.lockedUntil !== undefined || locked.ownerLockedUntil !== undefined,
    '6 failures in all: no lock',
  )
})
