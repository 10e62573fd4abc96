import { join } from 'node:path'
import t from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { openStore } from '../../lib/store/index.js'
import { makeBox } from './fixture.js'
import { tmpDir } from './tmp-store.js'

const message = (mailboxRowId: number, n: number) => ({
  uuid: `00000000-0000-4000-8000-00000000000${n}`,
  mailboxRowId,
  callerIdName: 'Caller',
  callerIdNumber: '555',
  durationMs: 1000,
  sizeBytes: 8044,
  file: `msg/${n}.wav`,
})

void t.test(
  'the lamps read over their own connection, beside a transaction holding the main one',
  async (t) => {
    const dir = await tmpDir(t)
    const store = await openStore(join(dir, 'voicemail.db'), new ManualClock(), { lampReader: true })
    t.teardown(() => store.close())
    const box = await makeBox(store)
    await store.messages.insert(message(box.rowId, 1))
    t.not(store.lampReads.messages, store.messages, 'a second connection’s repositories')
    t.equal(
      store.lampReads.learnedAccounts,
      store.learnedAccounts,
      'learning an account writes: main connection',
    )

    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    let inserted: () => void = () => undefined
    const wrote = new Promise<void>((resolve) => (inserted = resolve))
    const held = store.db.transaction(async () => {
      await store.messages.insert(message(box.rowId, 2))
      inserted()
      await gate
    })
    await wrote
    // The main connection is held by the open transaction: only another connection can answer now.
    t.equal(
      (await store.lampReads.messages.counts(box.rowId)).new,
      1,
      'the uncommitted message is not counted',
    )
    t.equal(
      (await store.lampReads.mailboxes.find('example.com', '100'))?.rowId,
      box.rowId,
      'boxes are read too',
    )
    release()
    await held
    t.equal((await store.lampReads.messages.counts(box.rowId)).new, 2, 'a read after the commit sees it')
  },
)

void t.test('without the option (voicemailctl) the lamps read the main connection', async (t) => {
  const dir = await tmpDir(t)
  const store = await openStore(join(dir, 'voicemail.db'), new ManualClock())
  t.teardown(() => store.close())
  t.equal(store.lampReads.messages, store.messages)
  const memory = await openStore(':memory:', new ManualClock(), { lampReader: true })
  t.equal(memory.lampReads.messages, memory.messages, 'an in-memory database has no second connection')
  await memory.close()
})
