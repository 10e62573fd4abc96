import t from 'tap'
import { StoreConflictError } from '../../lib/store/errors.js'
import { quotaState } from '../../lib/quota/box-quota.js'
import { quotaOf, usagePercent } from '../../lib/quota/rules.js'
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
    (await store.greetings.list(box.rowId)).map((g) => g.file),
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

  const config = { defaultQuotaBytes: 1000, recording: { minMessageSeconds: 0, maxMessageSeconds: 60 } }
  t.match(
    await quotaState(box, { store, config }),
    { usedBytes: 350, quotaBytes: 1000, percent: 35 },
    'default quota',
  )
  const own = await store.mailboxes.update(box.rowId, { quotaBytes: 700 })
  t.match(
    await quotaState(own, { store, config }),
    { usedBytes: 350, quotaBytes: 700, percent: 50 },
    "box's own quota",
  )
  t.equal(quotaOf({}, 5), 5)
  t.equal(usagePercent(10, 0), 100, 'a zero quota is full')
  t.equal(usagePercent(150, 100), 150, 'over quota shows above 100')
})
