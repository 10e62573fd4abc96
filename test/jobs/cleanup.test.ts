import { access } from 'node:fs/promises'
import t from 'tap'
import { cleanupJob } from '../../lib/jobs/cleanup.js'
import { box, DAY, jobFixture, message } from './fixture.js'

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  )

void t.test(
  'retention: a saved message exactly savedDays old is kept, one second older is deleted',
  async (t) => {
    const f = await jobFixture(t, { retention: { savedDays: 30, newDays: 0 } })
    const b = await box(f.store)
    const now = f.clock.now()
    const exact = await message(f, b, { receivedAt: now - 30 * DAY })
    const older = await message(f, b, { receivedAt: now - 30 * DAY - 1000 })
    const ancientNew = await message(f, b, { receivedAt: now - 400 * DAY })
    await f.store.messages.save(exact.rowId)
    await f.store.messages.save(older.rowId)

    const summary = await cleanupJob(f.ctx)(now)

    t.ok(await f.store.messages.get(exact.uuid), 'exactly 30 days: kept')
    t.equal(await f.store.messages.get(older.uuid), undefined, '30 days + 1 s: deleted')
    t.ok(await f.store.messages.get(ancientNew.uuid), 'newDays 0: new messages are never deleted')
    t.notOk(await exists(f.files.fromStored(older.file)), 'its file is removed')
    t.ok(await exists(f.files.fromStored(exact.file)), 'the kept file stays')
    t.match(summary, { boxes: 1, purged: 0, expiredNew: 0, expiredSaved: 1, filesRemoved: 1, fileErrors: 0 })
    t.same(f.mwi.refreshed, [{ box: '100@example.com', reason: 'PURGE' }], 'the changed box gets its lamp')
  },
)

void t.test('retention: new messages use newDays with the same exact boundary', async (t) => {
  const f = await jobFixture(t, { retention: { savedDays: 0, newDays: 7 } })
  const b = await box(f.store)
  const now = f.clock.now()
  const exact = await message(f, b, { receivedAt: now - 7 * DAY })
  const older = await message(f, b, { receivedAt: now - 7 * DAY - 1000 })
  const oldSaved = await message(f, b, { receivedAt: now - 365 * DAY })
  await f.store.messages.save(oldSaved.rowId)

  const summary = await cleanupJob(f.ctx)(now)
  t.ok(await f.store.messages.get(exact.uuid), 'exactly 7 days: kept')
  t.equal(await f.store.messages.get(older.uuid), undefined, '7 days + 1 s: deleted')
  t.ok(await f.store.messages.get(oldSaved.uuid), 'savedDays 0: saved messages are never deleted')
  t.match(summary, { expiredNew: 1, expiredSaved: 0 })
})

void t.test('the clock moving one second turns a kept message into an expired one', async (t) => {
  const f = await jobFixture(t, { retention: { savedDays: 30, newDays: 0 } })
  const b = await box(f.store)
  const m = await message(f, b, { receivedAt: f.clock.now() - 30 * DAY })
  await f.store.messages.save(m.rowId)
  const job = cleanupJob(f.ctx)
  await job(f.clock.now())
  t.ok(await f.store.messages.get(m.uuid), 'kept at the boundary')
  f.clock.advance(1000)
  await job(f.clock.now())
  t.equal(await f.store.messages.get(m.uuid), undefined, 'deleted one second later')
})

void t.test('deleted messages are purged, files removed, per-box counts reported', async (t) => {
  const f = await jobFixture(t)
  const a = await box(f.store, '100')
  const c = await box(f.store, '200')
  const gone1 = await message(f, a)
  const gone2 = await message(f, c)
  const kept = await message(f, a)
  await f.store.messages.setDeleted(gone1.rowId, true)
  await f.store.messages.setDeleted(gone2.rowId, true)

  const summary = await cleanupJob(f.ctx)(f.clock.now())
  t.equal(await f.store.messages.get(gone1.uuid), undefined)
  t.equal(await f.store.messages.get(gone2.uuid), undefined)
  t.ok(await f.store.messages.get(kept.uuid), 'undeleted message untouched')
  t.notOk(await exists(f.files.fromStored(gone1.file)), 'purged file removed')
  t.notOk(await exists(f.files.fromStored(gone2.file)), 'purged file removed')
  t.match(summary, { boxes: 2, purged: 2, filesRemoved: 2 })
  t.same(f.mwi.refreshed.map((r) => r.box).sort(), ['100@example.com', '200@example.com'])
})

void t.test('a full-box notice is re-armed once cleanup brings usage under 90 %', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const m1 = await message(f, b, { speechMs: 4000 })
  await message(f, b, { speechMs: 1000 })
  // Quota just above what both use: ~ 99 % full.
  const used = await f.store.bytesUsed(b.rowId)
  await f.store.mailboxes.update(b.rowId, { quotaBytes: used + 100 })
  await f.store.mailboxes.setFullNotified(b.rowId, true)
  await f.store.messages.setDeleted(m1.rowId, true)

  await cleanupJob(f.ctx)(f.clock.now())
  const after = await f.store.mailboxes.findByRowId(b.rowId)
  t.equal(after?.fullNotified, false, 'notice re-armed')
})

void t.test('a box still over 90 % keeps its notice armed-off', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  await message(f, b, { speechMs: 4000 })
  const small = await message(f, b, { speechMs: 100 })
  const used = await f.store.bytesUsed(b.rowId)
  await f.store.mailboxes.update(b.rowId, { quotaBytes: used })
  await f.store.mailboxes.setFullNotified(b.rowId, true)
  await f.store.messages.setDeleted(small.rowId, true)
  await cleanupJob(f.ctx)(f.clock.now())
  t.equal((await f.store.mailboxes.findByRowId(b.rowId))?.fullNotified, true, 'still full: not re-armed')
})

void t.test('nothing to do: an empty summary, no lamps', async (t) => {
  const f = await jobFixture(t)
  await box(f.store)
  const summary = await cleanupJob(f.ctx)(f.clock.now())
  t.match(summary, { boxes: 0, purged: 0, expiredNew: 0, expiredSaved: 0, filesRemoved: 0 })
  t.same(f.mwi.refreshed, [])
})

void t.test('PIN failures too old to count towards a lockout are dropped', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const windowMs = f.config.security.failureWindowMinutes * 60_000
  await f.store.loginFailures.record(b.rowId, f.clock.now() - windowMs - 1, 'remote')
  await f.store.loginFailures.record(b.rowId, f.clock.now() - 1000, 'owner')
  t.match(await cleanupJob(f.ctx)(f.clock.now()), { failuresPruned: 1 })
  t.equal(await f.store.loginFailures.countSince(b.rowId, 0), 1, 'the recent one stays')
})
