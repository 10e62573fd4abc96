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
    durationMs: 1000,
    sizeBytes: 100,
    file: `recordings/example.com/100/${n}.wav`,
  })
}

void t.test('removeIfUntouched deletes a new, undeleted message and resolves to its file', async (t) => {
  const { store } = await tmpStore(t)
  const box = await makeBox(store)
  const m = await addMessage(store, box.rowId, 1)
  const other = await addMessage(store, box.rowId, 2)
  t.equal(await store.messages.removeIfUntouched(m.rowId), m.file)
  t.equal(await store.messages.getByRowId(m.rowId), undefined, 'the row is gone')
  t.ok(await store.messages.getByRowId(other.rowId), 'other rows stay')
  t.equal(await store.messages.removeIfUntouched(m.rowId), undefined, 'a second call removes nothing')
  t.equal(await store.messages.removeIfUntouched(9999), undefined, 'unknown row')
})

void t.test('removeIfUntouched keeps a message the owner saved or marked deleted', async (t) => {
  const { store } = await tmpStore(t)
  const box = await makeBox(store)
  const saved = await addMessage(store, box.rowId, 1)
  const deleted = await addMessage(store, box.rowId, 2)
  await store.messages.save(saved.rowId)
  await store.messages.setDeleted(deleted.rowId, true)
  t.equal(await store.messages.removeIfUntouched(saved.rowId), undefined)
  t.equal(await store.messages.removeIfUntouched(deleted.rowId), undefined)
  t.match(await store.messages.getByRowId(saved.rowId), { folder: 'saved', deleted: false }, 'saved one kept')
  t.match(
    await store.messages.getByRowId(deleted.rowId),
    { folder: 'new', deleted: true },
    'deleted one kept',
  )
})
