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
  t.equal(await store.loginFailures.prune(2500), 2, 'resolves to how many were dropped')
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
      last = await lockout.registerFailure(box, 'remote', `phone:call-${call}`)
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
  t.equal(await lockout.isLocked(locked, 'remote'), true, 'locked now')
  t.equal(
    await lockout.isLocked(locked, 'remote', lockedAt + 30 * MIN - 1),
    true,
    'still locked 1 ms before expiry',
  )

  const audit = await store.audit.listRecent(10, box.rowId)
  t.match(audit[0], {
    action: 'box.locked',
    actor: 'phone:call-3',
    detail: { failures: 10, access: 'remote', mailed: true },
  })

  t.equal(await lockout.isLocked(locked, 'remote', lockedAt + 30 * MIN), false, 'unlocked at expiry')
  const after = (await store.mailboxes.findByRowId(box.rowId))!
  t.notOk('lockedUntil' in after, 'the expired lock is cleared')
  const unlocked = await store.audit.listRecent(1, box.rowId)
  t.match(unlocked[0], { action: 'box.unlocked', actor: 'daemon', detail: { reason: 'expired' } })
  t.equal(await lockout.isLocked(after, 'remote'), false)

  clock.set(lockedAt + 30 * MIN)
  const fresh = await lockout.registerFailure(after, 'remote')
  t.same(fresh, { locked: false, failures: 1, notify: false }, 'a full set of tries after the lock')
})

void t.test('10 failures spread over 40 minutes do not lock', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  const lockout = store.lockout(security)
  let last
  for (let i = 0; i < 10; i++) {
    last = await lockout.registerFailure(box, 'remote')
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
  for (let i = 0; i < 9; i++) await lockout.registerFailure(box, 'remote')
  await lockout.registerSuccess(box, 'remote')
  t.same(
    await lockout.registerFailure(box, 'remote'),
    { locked: false, failures: 1, notify: false },
    'success reset the count',
  )
  await lockout.registerSuccess(box, 'remote')

  const outcomes = await Promise.all(Array.from({ length: 12 }, () => lockout.registerFailure(box, 'remote')))
  t.equal(outcomes.filter((o) => o.locked).length, 1, 'exactly one of 12 concurrent failures takes the lock')
  t.equal(
    outcomes.findIndex((o) => o.locked),
    9,
    'the tenth one',
  )
  await lockout.unlock(box, 'voicemailctl')
  t.equal(await lockout.isLocked((await store.mailboxes.findByRowId(box.rowId))!, 'remote'), false)
  t.match((await store.audit.listRecent(1))[0], { action: 'box.unlocked', actor: 'voicemailctl' })
  t.equal(await store.loginFailures.countSince(box.rowId, 0), 0, 'operator unlock clears failures')
})

void t.test('isLocked re-reads the row: a stale expired lock that was re-taken stays locked', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  const lockout = store.lockout(security)
  const stale = { rowId: box.rowId, lockedUntil: clock.now() - 1 }
  await store.mailboxes.lock(box.rowId, clock.now() + MIN)
  t.equal(await lockout.isLocked(stale, 'remote'), true)
  t.equal(await lockout.isLocked({ rowId: box.rowId }, 'remote'), false, 'no lock in hand: not locked')
})

void t.test('owner-phone and remote failures are counted and locked apart', async (t) => {
  const { store } = await openTestStore(t)
  const box = await makeBox(store)
  const lockout = store.lockout(security)
  for (let i = 0; i < 10; i++) await lockout.registerFailure(box, 'remote', 'phone:outside')
  await lockout.registerFailure(box, 'owner', 'phone:own')
  const locked = (await store.mailboxes.findByRowId(box.rowId))!
  t.equal(await lockout.isLocked(locked, 'remote'), true, 'remote access locked')
  t.equal(await lockout.isLocked(locked, 'owner'), false, "the owner's phone is not")
  t.equal(
    await store.loginFailures.countSince(box.rowId, 0, 'owner'),
    1,
    "the owner's own failure counted apart",
  )
  await lockout.registerSuccess(box, 'owner')
  t.equal(await store.loginFailures.countSince(box.rowId, 0), 0, 'nothing else left to count')
})

void t.test('lockout mail: at most one per box and kind a day', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  const lockout = store.lockout(security)
  const lockOnce = async (access: 'owner' | 'remote'): Promise<boolean> => {
    let outcome
    do outcome = await lockout.registerFailure(box, access)
    while (!outcome.locked)
    return outcome.notify
  }
  t.equal(await lockOnce('remote'), true, 'the first remote lock is mailed')
  clock.advance(31 * MIN)
  t.equal(await lockOnce('remote'), false, 'the next one, 31 minutes later, is not')
  t.equal(await lockOnce('owner'), true, 'an own-phone lock is mailed on its own account')
  clock.advance(24 * 60 * MIN)
  t.equal(await lockOnce('remote'), true, 'a day later a remote lock is mailed again')
})

void t.test('failures too old to count are dropped as new ones come in', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  const lockout = store.lockout(security)
  await lockout.registerFailure(box, 'remote')
  clock.advance(31 * MIN)
  await lockout.registerFailure(box, 'remote')
  const rows = await store.db.get<{ n: number }>('SELECT count(*) AS n FROM login_failures')
  t.equal(rows?.n, 1, 'the old row is gone, not only uncounted')
})

void t.test('a new PIN forgets past failures and locks', async (t) => {
  const { store } = await openTestStore(t)
  const box = await makeBox(store)
  const lockout = store.lockout(security)
  for (let i = 0; i < 10; i++) await lockout.registerFailure(box, 'remote')
  for (let i = 0; i < 9; i++) await lockout.registerFailure(box, 'owner')
  await lockout.forgetFailures((await store.mailboxes.findByRowId(box.rowId))!, 'voicemailctl')
  const after = (await store.mailboxes.findByRowId(box.rowId))!
  t.notOk('lockedUntil' in after, 'unlocked')
  t.equal(await store.loginFailures.countSince(box.rowId, 0), 0, 'no failures left')
  t.match((await store.audit.listRecent(1, box.rowId))[0], {
    action: 'box.unlocked',
    detail: { reason: 'new PIN' },
  })
  const before = (await store.audit.listRecent(10, box.rowId)).length
  await lockout.forgetFailures(after, 'voicemailctl')
  t.equal(
    (await store.audit.listRecent(10, box.rowId)).length,
    before,
    'no audit entry when nothing was locked',
  )
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
