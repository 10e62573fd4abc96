import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { Db } from '../../lib/store/db.js'
import { StoreError } from '../../lib/store/errors.js'
import { openStore } from '../../lib/store/index.js'
import { backupInto, checkpointWal, optimize, quickCheck } from '../../lib/store/maintenance.js'
import { migrations } from '../../lib/store/migrations.js'
import { OutboxRepo } from '../../lib/store/outbox.js'
import { makeBox } from './fixture.js'
import { tmpDir, tmpStore } from './tmp-store.js'

void t.test('checkpointWal folds the WAL back and reports its pages', async (t) => {
  const { store, dir } = await tmpStore(t)
  await makeBox(store)
  t.ok((await stat(join(dir, 'voicemail.db-wal'))).size > 0, 'writes went to the WAL')
  const checkpoint = await checkpointWal(store.db)
  t.equal(checkpoint.busy, false, 'no other reader: a complete checkpoint')
  t.ok(checkpoint.logPages >= 0 && checkpoint.checkpointedPages >= 0)
  t.equal((await stat(join(dir, 'voicemail.db-wal'))).size, 0, 'TRUNCATE empties the -wal file')
})

void t.test('optimize and quickCheck run on a live store', async (t) => {
  const { store } = await tmpStore(t)
  await optimize(store.db)
  t.equal(await quickCheck(store.db), 'ok')
})

void t.test('backupInto writes a consistent copy that opens with the data', async (t) => {
  const { store, dir } = await tmpStore(t)
  const box = await makeBox(store, '4711')
  const path = join(dir, 'copy.db')
  await backupInto(store.db, path)
  const copy = await openStore(path, new ManualClock())
  t.teardown(() => copy.close())
  t.equal((await copy.mailboxes.find('example.com', '4711'))?.rowId, box.rowId, 'the box is in the copy')
  await t.rejects(backupInto(store.db, path), StoreError, 'never overwrites an existing file')
})

void t.test('openReadOnly reads an older or newer schema version and never migrates it', async (t) => {
  const dir = await tmpDir(t)
  const path = join(dir, 'voicemail.db')
  const writable = await Db.open(path)
  t.equal(await writable.userVersion(), migrations.length, 'open migrates to the latest version')
  for (const version of [0, migrations.length + 1]) {
    await writable.exec(`PRAGMA user_version = ${version}`)
    const db = await Db.openReadOnly(path)
    t.equal(await db.userVersion(), version, `reads version ${version}`)
    await db.close()
    t.equal(await writable.userVersion(), version, `version ${version} left as it was`)
  }
  await writable.close()
})

void t.test('openReadOnly refuses writes and does not create a missing file', async (t) => {
  const { store, dir } = await tmpStore(t)
  await makeBox(store)
  const db = await Db.openReadOnly(join(dir, 'voicemail.db'))
  t.teardown(() => db.close().catch(() => undefined))
  await t.rejects(db.run('DELETE FROM domains'), StoreError, 'a read-only connection cannot write')
  t.equal((await store.domains.get('example.com'))?.name, 'example.com', 'nothing was deleted')
  t.equal(await quickCheck(db), 'ok', 'quick_check works read-only')

  const missing = join(dir, 'missing.db')
  const err = await Db.openReadOnly(missing).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.type(err, StoreError)
  t.match((err as StoreError).message, /^cannot open database .*missing\.db: SQLITE_CANTOPEN/)
  t.type((err as StoreError).cause, Error, "SQLite's own error is the cause")
  await t.rejects(stat(missing), 'a missing file is not created')
})

void t.test('OutboxRepo.failedCount counts only failed mail', async (t) => {
  const { store } = await tmpStore(t)
  const outbox = new OutboxRepo(store.db)
  t.equal(await outbox.failedCount(), 0, 'empty outbox')
  const ids = await outbox.enqueue(
    [1, 2, 3].map((n) => ({ kind: 'new-message', recipients: [`o${n}@example.com`], payload: { n } })),
    1000,
  )
  await outbox.markFailed(ids[0] as number, 'rejected')
  await outbox.markFailed(ids[1] as number, 'rejected')
  await outbox.markSent(ids[2] as number, 2000)
  t.equal(await outbox.failedCount(), 2)
  t.equal((await outbox.counts()).failed, 2, 'agrees with counts()')
})
