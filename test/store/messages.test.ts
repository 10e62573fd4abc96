import t from 'tap'
import { MessageGoneError, StoreConflictError } from '../../lib/store/errors.js'
import type { NewMessage } from '../../lib/store/messages.js'
import { makeBox, openTestStore } from './fixture.js'

const DAY = 24 * 60 * 60 * 1000

function msg(mailboxRowId: number, uuid: string, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    uuid,
    mailboxRowId,
    callerIdName: 'Bob',
    callerIdNumber: '5551234',
    durationMs: 4000,
    sizeBytes: 64044,
    file: `recordings/example.com/100/${uuid}.wav`,
    ...extra,
  }
}

void t.test('insert and get round-trip every field', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  const inserted = await store.messages.insert(
    msg(box.rowId, 'u-1', { urgent: true, forwardedFrom: '200@example.com' }),
  )
  t.same(inserted, {
    rowId: inserted.rowId,
    uuid: 'u-1',
    mailboxRowId: box.rowId,
    folder: 'new',
    deleted: false,
    urgent: true,
    callerIdName: 'Bob',
    callerIdNumber: '5551234',
    receivedAt: clock.now(),
    durationMs: 4000,
    sizeBytes: 64044,
    file: 'recordings/example.com/100/u-1.wav',
    missing: false,
    forwardedFrom: '200@example.com',
  })
  t.same(await store.messages.get('u-1'), inserted, 'by uuid')
  t.same(await store.messages.getByRowId(inserted.rowId), inserted, 'by row id')
  t.equal(await store.messages.get('nope'), undefined)
  t.equal(await store.messages.getByRowId(999), undefined)
  await t.rejects(store.messages.insert(msg(box.rowId, 'u-1')), StoreConflictError, 'duplicate uuid')
  await t.rejects(store.messages.insert(msg(999, 'u-2')), StoreConflictError, 'unknown box')
})

void t.test('hostile caller data round-trips byte-exact', async (t) => {
  const { store } = await openTestStore(t)
  const box = await makeBox(store)
  const hostile = [
    `"Bob" <bob@evil>; 'quoted'`,
    'line1\r\nBcc: victim@example.com\r\n',
    '../../../etc/passwd',
    '100% %s %d %n',
    '📞 Grüße 電話 \u202e',
    "'; DROP TABLE messages; --",
    'x'.repeat(500),
    '\u0000nul\u0000',
    '',
  ]
  let i = 0
  for (const value of hostile) {
    const uuid = `h-${i++}`
    await store.messages.insert(msg(box.rowId, uuid, { callerIdName: value, callerIdNumber: value }))
    const back = await store.messages.get(uuid)
    t.equal(back?.callerIdName, value, `name ${JSON.stringify(value.slice(0, 30))}`)
    t.equal(back?.callerIdNumber, value, `number ${JSON.stringify(value.slice(0, 30))}`)
    t.equal(
      Buffer.compare(Buffer.from(back?.callerIdName ?? '', 'utf8'), Buffer.from(value, 'utf8')),
      0,
      'same bytes',
    )
  }
  t.equal((await store.messages.counts(box.rowId)).new, hostile.length, 'the table is still there')
})

void t.test('owner lists: new urgent first then oldest; saved oldest first; deleted excluded', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  const other = await makeBox(store, '200')
  await store.messages.insert(msg(box.rowId, 'old', { receivedAt: 1000 }))
  await store.messages.insert(msg(box.rowId, 'urgent-late', { receivedAt: 5000, urgent: true }))
  await store.messages.insert(msg(box.rowId, 'mid', { receivedAt: 3000 }))
  await store.messages.insert(msg(box.rowId, 'urgent-early', { receivedAt: 4000, urgent: true }))
  await store.messages.insert(msg(box.rowId, 'same-ms-a', { receivedAt: 3000 }))
  await store.messages.insert(msg(other.rowId, 'elsewhere', { receivedAt: 1 }))
  const list = await store.messages.listForOwner(box.rowId, 'new')
  t.same(
    list.map((m) => m.uuid),
    ['urgent-early', 'urgent-late', 'old', 'mid', 'same-ms-a'],
  )

  const mid = list.find((m) => m.uuid === 'mid')!
  const old = list.find((m) => m.uuid === 'old')!
  clock.advance(10)
  await store.messages.save(mid.rowId)
  clock.advance(10)
  await store.messages.save(old.rowId)
  const saved = await store.messages.listForOwner(box.rowId, 'saved')
  t.same(
    saved.map((m) => m.uuid),
    ['old', 'mid'],
    'saved oldest first by received time',
  )
  t.equal(saved[1]?.savedAt, clock.now() - 10, 'saved_at from the clock')
  t.equal(saved[1]?.heardAt, clock.now() - 10, 'saving marks heard')

  t.equal(await store.messages.toggleDeleted(old.rowId), true, 'toggle deletes')
  t.same(
    (await store.messages.listForOwner(box.rowId, 'saved')).map((m) => m.uuid),
    ['mid'],
    'deleted excluded',
  )
  t.equal(await store.messages.toggleDeleted(old.rowId), false, 'toggle again undeletes')
  await store.messages.setDeleted(old.rowId, true)
  t.equal((await store.messages.getByRowId(old.rowId))?.deleted, true)
  await store.messages.save(old.rowId)
  t.equal((await store.messages.getByRowId(old.rowId))?.deleted, false, 'saving undeletes')
  t.equal((await store.messages.listAll(box.rowId)).length, 5, 'listAll has every row of the box')

  const late = list.find((m) => m.uuid === 'urgent-late')!
  clock.advance(10)
  await store.messages.markHeard(late.rowId)
  const heard = await store.messages.getByRowId(late.rowId)
  t.equal(heard?.folder, 'new', 'heard stays new')
  t.equal(heard?.heardAt, clock.now())
  clock.advance(10)
  await store.messages.markHeard(late.rowId)
  t.equal((await store.messages.getByRowId(late.rowId))?.heardAt, clock.now() - 10, 'first heard time kept')

  await t.rejects(store.messages.save(999), MessageGoneError, 'a message removed meanwhile is gone')
  await t.rejects(store.messages.toggleDeleted(999), MessageGoneError)
})

void t.test('counts exclude deleted; countsByBox for every box', async (t) => {
  const { store } = await openTestStore(t)
  const box = await makeBox(store)
  const other = await makeBox(store, '200')
  t.same(
    await store.messages.counts(box.rowId),
    { new: 0, saved: 0, newUrgent: 0, savedUrgent: 0 },
    'empty box',
  )
  await store.messages.insert(msg(box.rowId, 'a'))
  await store.messages.insert(msg(box.rowId, 'b', { urgent: true }))
  const c = await store.messages.insert(msg(box.rowId, 'c', { urgent: true }))
  const d = await store.messages.insert(msg(box.rowId, 'd'))
  const e = await store.messages.insert(msg(box.rowId, 'e'))
  await store.messages.insert(msg(other.rowId, 'f'))
  await store.messages.save(c.rowId)
  await store.messages.save(d.rowId)
  await store.messages.setDeleted(e.rowId, true)
  t.same(await store.messages.counts(box.rowId), { new: 2, saved: 2, newUrgent: 1, savedUrgent: 1 })
  const all = await store.messages.countsByBox()
  t.same(all.get(box.rowId), { new: 2, saved: 2, newUrgent: 1, savedUrgent: 1 })
  t.same(all.get(other.rowId), { new: 1, saved: 0, newUrgent: 0, savedUrgent: 0 })
})

void t.test('purge removes only deleted rows and returns their files', async (t) => {
  const { store } = await openTestStore(t)
  const box = await makeBox(store)
  const other = await makeBox(store, '200')
  const a = await store.messages.insert(msg(box.rowId, 'a'))
  await store.messages.insert(msg(box.rowId, 'b'))
  const o = await store.messages.insert(msg(other.rowId, 'o', { file: 'recordings/example.com/200/o.wav' }))
  await store.messages.setDeleted(a.rowId, true)
  await store.messages.setDeleted(o.rowId, true)
  t.same(await store.messages.purgeDeleted(box.rowId), ['recordings/example.com/100/a.wav'])
  t.equal(await store.messages.get('a'), undefined, 'row gone before the caller deletes the file')
  t.ok(await store.messages.get('o'), 'other box untouched')
  t.same(await store.messages.purgeDeleted(box.rowId), [], 'nothing left to purge')
  const all = await store.messages.purgeAllDeleted()
  t.same(all.files, ['recordings/example.com/200/o.wav'])
  t.same([...all.perBox], [[other.rowId, { new: 1, saved: 0 }]])
})

void t.test('retention boundaries are exact to the millisecond', async (t) => {
  const { store, clock } = await openTestStore(t)
  const box = await makeBox(store)
  const now = clock.now()
  const savedAt = async (uuid: string, receivedAt: number): Promise<void> => {
    const m = await store.messages.insert(msg(box.rowId, uuid, { receivedAt }))
    await store.messages.save(m.rowId)
  }
  await savedAt('saved-exactly-30d', now - 30 * DAY)
  await savedAt('saved-30d-and-1ms', now - 30 * DAY - 1)
  await savedAt('saved-fresh', now - 1)
  await store.messages.insert(msg(box.rowId, 'new-exactly-7d', { receivedAt: now - 7 * DAY }))
  await store.messages.insert(msg(box.rowId, 'new-7d-and-1ms', { receivedAt: now - 7 * DAY - 1 }))
  await store.messages.insert(msg(box.rowId, 'new-ancient', { receivedAt: now - 365 * DAY }))
  const deletedOld = await store.messages.insert(
    msg(box.rowId, 'deleted-ancient', { receivedAt: now - 400 * DAY }),
  )
  await store.messages.setDeleted(deletedOld.rowId, true)

  const never = await store.messages.deleteByRetention({ savedDays: 0, newDays: 0 })
  t.same(never, { files: [], perBox: new Map() }, '0 = never for both')

  const savedOnly = await store.messages.deleteByRetention({ savedDays: 30, newDays: 0 })
  t.same(savedOnly.files, ['recordings/example.com/100/saved-30d-and-1ms.wav'], 'one ms past the limit goes')
  t.same(savedOnly.perBox.get(box.rowId), { new: 0, saved: 1 })
  t.ok(await store.messages.get('saved-exactly-30d'), 'exactly 30 days old is kept')
  t.ok(await store.messages.get('new-ancient'), 'newDays 0 keeps new messages forever')

  clock.advance(1)
  const both = await store.messages.deleteByRetention({ savedDays: 30, newDays: 7 })
  t.same(
    both.files.sort(),
    [
      'recordings/example.com/100/deleted-ancient.wav',
      'recordings/example.com/100/new-7d-and-1ms.wav',
      'recordings/example.com/100/new-ancient.wav',
      'recordings/example.com/100/new-exactly-7d.wav',
      'recordings/example.com/100/saved-exactly-30d.wav',
    ],
    'after 1 ms more, the boundary messages go too',
  )
  t.same(both.perBox.get(box.rowId), { new: 4, saved: 1 })
  t.same(
    (await store.messages.listAll(box.rowId)).map((m) => m.uuid),
    ['saved-fresh'],
  )
})

void t.test('missing flag', async (t) => {
  const { store } = await openTestStore(t)
  const box = await makeBox(store)
  const a = await store.messages.insert(msg(box.rowId, 'a'))
  await store.messages.insert(msg(box.rowId, 'b'))
  await store.messages.setMissing(a.rowId)
  t.equal((await store.messages.getByRowId(a.rowId))?.missing, true)
  t.equal((await store.messages.get('b'))?.missing, false, 'only the one marked')
  await store.messages.setMissing(a.rowId, false)
  t.equal((await store.messages.getByRowId(a.rowId))?.missing, false, 'found again')
})

void t.test('a forward is a new row with its own file and forwarded_from', async (t) => {
  const { store } = await openTestStore(t)
  const from = await makeBox(store, '100')
  const to = await makeBox(store, '200')
  const original = await store.messages.insert(msg(from.rowId, 'orig', { urgent: true }))
  const copy = await store.messages.insert({
    ...msg(to.rowId, 'copy', { file: 'recordings/example.com/200/copy.wav' }),
    callerIdName: original.callerIdName,
    callerIdNumber: original.callerIdNumber,
    receivedAt: original.receivedAt,
    forwardedFrom: '100@example.com',
  })
  t.not(copy.rowId, original.rowId)
  t.equal(copy.forwardedFrom, '100@example.com')
  t.equal(copy.folder, 'new')
  t.equal((await store.messages.counts(to.rowId)).new, 1)
  t.equal((await store.messages.counts(from.rowId)).new, 1, 'the original stays')
})
