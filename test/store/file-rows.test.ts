import t from 'tap'
import type { Store } from '../../lib/store/index.js'
import { makeBox } from './fixture.js'
import { tmpStore } from './tmp-store.js'

async function addMessage(store: Store, mailboxRowId: number, n: number) {
  return store.messages.insert({
    uuid: `00000000-0000-4000-8000-00000000000${n}`,
    mailboxRowId,
    callerIdName: 'Caller',
    callerIdNumber: '5551234',
    durationMs: 1000 * n,
    sizeBytes: 100 * n,
    file: `recordings/example.com/box/${n}.wav`,
  })
}

void t.test('messages() lists every message row by row id, deleted and missing ones included', async (t) => {
  const { store } = await tmpStore(t)
  const a = await makeBox(store, '100')
  const b = await makeBox(store, '200')
  const m1 = await addMessage(store, b.rowId, 1)
  const m2 = await addMessage(store, a.rowId, 2)
  const m3 = await addMessage(store, a.rowId, 3)
  await store.messages.setDeleted(m2.rowId, true)
  await store.messages.setMissing(m3.rowId)
  t.same(await store.fileRows.messages(), [
    { rowId: m1.rowId, mailboxRowId: b.rowId, file: m1.file, sizeBytes: 100, missing: false },
    { rowId: m2.rowId, mailboxRowId: a.rowId, file: m2.file, sizeBytes: 200, missing: false },
    { rowId: m3.rowId, mailboxRowId: a.rowId, file: m3.file, sizeBytes: 300, missing: true },
  ])
})

void t.test('setMessageSize corrects the size, and the duration only when given', async (t) => {
  const { store } = await tmpStore(t)
  const box = await makeBox(store)
  const m = await addMessage(store, box.rowId, 1)
  await store.fileRows.setMessageSize(m.rowId, 4444)
  t.match(await store.messages.getByRowId(m.rowId), { sizeBytes: 4444, durationMs: 1000 }, 'duration kept')
  await store.fileRows.setMessageSize(m.rowId, 5555, 2500)
  t.match(await store.messages.getByRowId(m.rowId), { sizeBytes: 5555, durationMs: 2500 })
  t.equal(await store.bytesUsed(box.rowId), 5555, 'quota usage follows the corrected size')
  await t.resolves(store.fileRows.setMessageSize(m.rowId + 100, 1), 'an unknown row changes nothing')
})

void t.test(
  'greetings() lists by box then kind; setGreetingSize only while the row has that file',
  async (t) => {
    const { store } = await tmpStore(t)
    const a = await makeBox(store, '100')
    const b = await makeBox(store, '200')
    await store.greetings.set(b.rowId, 'name', { file: 'b-name.wav', sizeBytes: 10, durationMs: 1 })
    await store.greetings.set(a.rowId, 'unavailable', { file: 'a-unavail.wav', sizeBytes: 20, durationMs: 1 })
    await store.greetings.set(a.rowId, 'busy', { file: 'a-busy.wav', sizeBytes: 30, durationMs: 1 })
    t.same(await store.fileRows.greetings(), [
      { mailboxRowId: a.rowId, kind: 'busy', file: 'a-busy.wav', sizeBytes: 30 },
      { mailboxRowId: a.rowId, kind: 'unavailable', file: 'a-unavail.wav', sizeBytes: 20 },
      { mailboxRowId: b.rowId, kind: 'name', file: 'b-name.wav', sizeBytes: 10 },
    ])

    await store.fileRows.setGreetingSize(a.rowId, 'busy', 'a-busy.wav', 333)
    t.equal((await store.greetings.get(a.rowId, 'busy'))?.sizeBytes, 333, 'corrected')
    // The owner recorded a new greeting after reconcile listed the rows: its size must not be overwritten.
    await store.greetings.set(a.rowId, 'unavailable', { file: 'a-new.wav', sizeBytes: 21, durationMs: 1 })
    await store.fileRows.setGreetingSize(a.rowId, 'unavailable', 'a-unavail.wav', 999)
    t.equal(
      (await store.greetings.get(a.rowId, 'unavailable'))?.sizeBytes,
      21,
      'the replaced greeting is untouched',
    )
  },
)
