import t from 'tap'
import type { SecurityConfig } from '../../lib/config/types.js'
import { makeBox, openTestStore } from './fixture.js'

const MIN = 60_000
const security: SecurityConfig = {
  pinTriesPerCall: 3,
  lockoutFailures: 10,
  failureWindowMinutes: 30,
  lockoutMinutes: 30,
}

void t.test('login failures: record, count since, clear, prune', async (t) => {
  const { store } = await openTestStore(t)
  const box = await makeBox(store)
  await store.loginFailures.record(box.rowId, 1000)
  await store.loginFailures.record(box.rowId, 2000)
  await store.loginFailures.record(box.rowId, 3000)
  t.equal(await store.loginFailures.countSince(box.rowId, 2000), 2, 'since is inclusive')
  await store.loginFailures.prune(2500)
  t.equal(await store.loginFailures.countSince(box.rowId, 0), 1, 'older ones pruned')
  await store.loginFailures.clear(box.rowId)
  t.equal(await store.loginFailures.countSince(box.rowId, 0), 0)
})

void t.test('10 failures within 30 minutes across calls lock the box for 30 minutes', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  const lockout = store.lockout(security)
  // Four "calls" of up to three tries, a few minutes apart: 10 failures in 27 minutes.
  let failures = 0
  let last = { locked: false, failures: 0 } as Awaited<ReturnType<typeof lockout.registerFailure>>
  for (let call = 0; call < 4 && !last.locked; call++) {
    for (let attempt = 0; attempt < 3 && !last.locked; attempt++) {
      last = await lockout.registerFailure(box, `phone:call-${call}`)
      failures++
      if (!last.locked) t.equal(last.failures, failures, `failure ${failures} counted, not locked`)
      clock.advance(MIN)
    }
    clock.advance(6 * MIN)
  }
  t.equal(failures, 10, 'locked on the tenth failure')
  t.ok(last.locked)
  const lockedAt = clock.now() - MIN - 6 * MIN
  t.equal(last.lockedUntil, lockedAt + 30 * MIN)
  const locked = (await store.mailboxes.findByRowId(box.rowId))!
  t.equal(locked.lockedUntil, lockedAt + 30 * MIN, 'locked_until stored')
  t.equal(await lockout.isLocked(locked), true, 'locked now')
  t.equal(await lockout.isLocked(locked, lockedAt + 30 * MIN - 1), true, 'still locked 1 ms before expiry')

  const audit = await store.audit.listRecent(10, box.rowId)
  t.match(audit[0], { action: 'box.locked', actor: 'phone:call-3', detail: { failures: 10 } })

  t.equal(await lockout.isLocked(locked, lockedAt + 30 * MIN), false, 'unlocked at expiry')
  const after = (await store.mailboxes.findByRowId(box.rowId))!
  t.notOk('lockedUntil' in after, 'the expired lock is cleared')
  const unlocked = await store.audit.listRecent(1, box.rowId)
  t.match(unlocked[0], { action: 'box.unlocked', actor: 'daemon', detail: { reason: 'expired' } })
  t.equal(await lockout.isLocked(after), false)

  clock.set(lockedAt + 30 * MIN)
  const fresh = await lockout.registerFailure(after)
  t.same(fresh, { locked: false, failures: 1 }, 'a full set of tries after the lock')
})

void t.test('10 failures spread over 40 minutes do not lock', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  const lockout = store.lockout(security)
  let last
  for (let i = 0; i < 10; i++) {
    last = await lockout.registerFailure(box)
    t.notOk(last.locked, `failure ${i + 1} does not lock`)
    clock.advance(i === 8 ? 8 * MIN : 4 * MIN)
  }
  t.ok(last !== undefined && last.failures < 10, 'never 10 inside one 30-minute window')
  t.notOk('lockedUntil' in (await store.mailboxes.findByRowId(box.rowId))!)
})

void t.test('success clears failures; operator unlock; concurrent failures count exactly', async (t) => {
  const { store } = await openTestStore(t)
  const box = await makeBox(store)
  const lockout = store.lockout(security)
  for (let i = 0; i < 9; i++) await lockout.registerFailure(box)
  await lockout.registerSuccess(box)
  t.same(await lockout.registerFailure(box), { locked: false, failures: 1 }, 'success reset the count')
  await lockout.registerSuccess(box)

  const outcomes = await Promise.all(Array.from({ length: 12 }, () => lockout.registerFailure(box)))
  t.equal(outcomes.filter((o) => o.locked).length, 1, 'exactly one of 12 concurrent failures takes the lock')
  t.equal(
    outcomes.findIndex((o) => o.locked),
    9,
    'the tenth one',
  )
  await lockout.unlock(box, 'voicemailctl')
  t.equal(await lockout.isLocked((await store.mailboxes.findByRowId(box.rowId))!), false)
  t.match((await store.audit.listRecent(1))[0], { action: 'box.unlocked', actor: 'voicemailctl' })
  t.equal(await store.loginFailures.countSince(box.rowId, 0), 0, 'operator unlock clears failures')
})

void t.test('isLocked re-reads the row: a stale expired lock that was re-taken stays locked', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  const lockout = store.lockout(security)
  const stale = { rowId: box.rowId, lockedUntil: clock.now() - 1 }
  await store.mailboxes.lock(box.rowId, clock.now() + MIN)
  t.equal(await lockout.isLocked(stale), true)
  t.equal(await lockout.isLocked({ rowId: box.rowId }), false, 'no lock in hand: not locked')
})

void t.test('audit: append and list recent, newest first, per box', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  await store.audit.append({ actor: 'voicemailctl', action: 'domain.set', detail: { domain: 'x' } })
  clock.advance(1)
  const id = await store.audit.append({
    mailboxRowId: box.rowId,
    actor: 'phone:abc',
    action: 'pin.changed',
    detail: { quote: `'"\r\n` },
  })
  const recent = await store.audit.listRecent()
  t.equal(recent.length, 2)
  t.same(recent[0], {
    id,
    at: clock.now(),
    mailboxRowId: box.rowId,
    actor: 'phone:abc',
    action: 'pin.changed',
    detail: { quote: `'"\r\n` },
  })
  t.notOk('mailboxRowId' in recent[1]!, 'no box')
  t.equal((await store.audit.listRecent(1)).length, 1, 'limit')
  t.equal((await store.audit.listRecent(10, box.rowId)).length, 1, 'per box')
  await store.mailboxes.remove(box.rowId)
  t.equal((await store.audit.listRecent(10, box.rowId)).length, 1, 'the trail outlives the box')
})
