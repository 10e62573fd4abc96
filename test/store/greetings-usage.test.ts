import t from 'tap'
import { StoreConflictError } from '../../lib/store/errors.js'
import { QuotaReservations, remainingBytes } from '../../lib/store/quota-reservations.js'
import { quotaOf, usagePercent } from '../../lib/store/usage.js'
import { makeBox, openTestStore } from './fixture.js'

void t.test('greetings: set, replace, get, list, remove', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  t.equal(await store.greetings.get(box.rowId, 'busy'), undefined)
  t.equal(
    await store.greetings.set(box.rowId, 'busy', { file: 'g/busy-1.wav', sizeBytes: 100, durationMs: 5 }),
    undefined,
    'first set replaces nothing',
  )
  clock.advance(1000)
  t.equal(
    await store.greetings.set(box.rowId, 'busy', { file: 'g/busy-2.wav', sizeBytes: 200, durationMs: 6 }),
    'g/busy-1.wav',
    'replacing returns the old file to delete',
  )
  t.equal(
    await store.greetings.set(box.rowId, 'busy', { file: 'g/busy-2.wav', sizeBytes: 210, durationMs: 6 }),
    undefined,
    'same file rewritten in place: nothing to delete',
  )
  t.same(await store.greetings.get(box.rowId, 'busy'), {
    mailboxRowId: box.rowId,
    kind: 'busy',
    file: 'g/busy-2.wav',
    sizeBytes: 210,
    durationMs: 6,
    createdAt: clock.now(),
  })
  await store.greetings.set(box.rowId, 'name', { file: 'g/name.wav', sizeBytes: 10, durationMs: 1 })
  t.same(
    (await store.greetings.list(box.rowId)).map((g) => g.kind),
    ['busy', 'name'],
  )
  t.same(
    (await store.greetings.listFiles()).map((g) => g.file),
    ['g/busy-2.wav', 'g/name.wav'],
  )
  t.equal(await store.greetings.remove(box.rowId, 'busy'), 'g/busy-2.wav')
  t.equal(await store.greetings.remove(box.rowId, 'busy'), undefined, 'removing twice')
  await t.rejects(
    store.greetings.set(999, 'busy', { file: 'x', sizeBytes: 1, durationMs: 1 }),
    StoreConflictError,
    'unknown box',
  )
  await t.rejects(
    store.greetings.set(box.rowId, 'other' as 'busy', { file: 'x', sizeBytes: 1, durationMs: 1 }),
    'schema refuses an unknown kind',
  )
})

void t.test('usage counts messages until purged, greetings and name', async (t) => {
  const { store } = await openTestStore(t)
  const box = await makeBox(store)
  const other = await makeBox(store, '200')
  t.equal(await store.bytesUsed(box.rowId), 0)
  const m = await store.messages.insert({
    uuid: 'a',
    mailboxRowId: box.rowId,
    callerIdName: '',
    callerIdNumber: '',
    durationMs: 1,
    sizeBytes: 1000,
    file: 'a.wav',
  })
  await store.messages.insert({
    uuid: 'b',
    mailboxRowId: other.rowId,
    callerIdName: '',
    callerIdNumber: '',
    durationMs: 1,
    sizeBytes: 7,
    file: 'b.wav',
  })
  await store.greetings.set(box.rowId, 'unavailable', { file: 'u.wav', sizeBytes: 300, durationMs: 1 })
  await store.greetings.set(box.rowId, 'name', { file: 'n.wav', sizeBytes: 50, durationMs: 1 })
  t.equal(await store.bytesUsed(box.rowId), 1350)
  await store.messages.setDeleted(m.rowId, true)
  t.equal(await store.bytesUsed(box.rowId), 1350, 'deleted but not purged still counts')
  await store.messages.purgeDeleted(box.rowId)
  t.equal(await store.bytesUsed(box.rowId), 350, 'purged no longer counts')

  t.same(await store.usage(box, 1000), { usedBytes: 350, quotaBytes: 1000, percent: 35 }, 'default quota')
  const own = await store.mailboxes.update(box.rowId, { quotaBytes: 700 })
  t.same(await store.usage(own, 1000), { usedBytes: 350, quotaBytes: 700, percent: 50 }, "box's own quota")
  t.equal(quotaOf({}, 5), 5)
  t.equal(usagePercent(10, 0), 100, 'a zero quota is full')
  t.equal(usagePercent(150, 100), 150, 'over quota shows above 100')
})

void t.test('reservations: two concurrent recordings cannot overshoot', async (t) => {
  const { store } = await openTestStore(t)
  const box = await store.mailboxes.update((await makeBox(store)).rowId, { quotaBytes: 100_000 })
  await store.greetings.set(box.rowId, 'name', { file: 'n.wav', sizeBytes: 20_000, durationMs: 1 })
  const [a, b] = await Promise.all([
    store.reserveRecording(box, 1, 48_000),
    store.reserveRecording(box, 1, 48_000),
  ])
  t.equal(a.bytes, 48_000, 'first caller, alone, gets its cap')
  t.equal(b.bytes, 16_000, 'second caller gets half of what is left (32,000)')
  t.equal(store.reservations.reserved(box.rowId), 64_000)
  t.equal(await store.remainingBytes(box, 1), 16_000, 'room left for a third caller')
  const c = await store.reserveRecording(box, 1, 48_000)
  t.equal(c.bytes, 8_000, 'a third caller gets half of that')
  t.ok(20_000 + a.bytes + b.bytes + c.bytes <= 100_000, 'together they stay within the quota')

  // The first recording commits: its row counts as used, then its claim is released.
  await store.messages.insert({
    uuid: 'a',
    mailboxRowId: box.rowId,
    callerIdName: '',
    callerIdNumber: '',
    durationMs: 1,
    sizeBytes: 30_000,
    file: 'a.wav',
  })
  a.release()
  a.release()
  t.equal(store.reservations.reserved(box.rowId), 24_000, 'release is idempotent')
  t.equal(await store.remainingBytes(box, 1), 26_000, 'quota - used - reserved')
  b.release()
  c.release()
  t.equal(store.reservations.reserved(box.rowId), 0)
  t.equal(await store.remainingBytes(box, 1), 50_000)
})

void t.test('reservations: a release racing the usage query is counted on the safe side', async (t) => {
  const reservations = new QuotaReservations()
  const first = reservations.reserve('box', 600)
  let used = 0
  const second = await reservations.reserveWithin(
    'box',
    1000,
    async () => {
      // The first recording commits while this query runs: the query saw the row *and* the claim is released.
      used = 600
      first.release()
      return Promise.resolve(used)
    },
    1000,
  )
  t.equal(second.bytes, 0, 'never more than quota - used - (claims alive or released during the query)')
  t.equal(reservations.reserved('box'), 0)
  t.equal(reservations.reserve('box', -5).bytes, 0, 'a negative claim is 0')
  t.equal(remainingBytes(10, 20, 0), 0, 'never below 0')
})
