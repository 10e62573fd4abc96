import { randomUUID } from 'node:crypto'
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { cleanupJob } from '../../lib/jobs/cleanup.js'
import { messageSettleMs, reconcileJob } from '../../lib/jobs/reconcile.js'
import { DeletedFileError } from '../../lib/store/errors.js'
import { openStore } from '../../lib/store/index.js'
import { TOMBSTONE_KEEP_MS } from '../../lib/store/tombstones.js'
import { buildWav } from '../support/freeswitch/wav.js'
import { box, jobFixture, message, writeAged, type JobFixture } from './fixture.js'

/**
 * The deletion steps one by one (SPEC §8 "one message lifecycle"): rows + tombstones in one transaction, then the
 * unlink, then the tombstones marked done. A real database error (a trigger) is injected at each step; "restart"
 * is a new connection to the same file, as a restarted daemon has.
 */
const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  )

/** A fresh connection to the same file and the same files, as a restarted daemon has (the old one stays idle). */
async function restarted(f: JobFixture): Promise<JobFixture> {
  const store = await openStore(join(f.dir, 'voicemail.db'), f.clock)
  return { ...f, store, ctx: { ...f.ctx, store } }
}

void t.test('a failure while recording the deletion leaves the message whole', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const m = await message(f, b)
  await f.store.messages.setDeleted(m.rowId, true)
  await f.store.db.exec(
    `CREATE TRIGGER tombstone_fails BEFORE INSERT ON deleted_files BEGIN SELECT RAISE(ABORT, 'injected'); END`,
  )
  await t.rejects(cleanupJob(f.ctx)(f.clock.now()), /injected/, 'the cleanup run fails')
  t.ok(await f.store.messages.getByRowId(m.rowId), 'the row is still there (rolled back)')
  t.ok(await exists(f.files.fromStored(m.file)), 'and its file')

  await f.store.db.exec('DROP TRIGGER tombstone_fails')
  const g = await restarted(f)
  t.teardown(() => g.store.close())
  t.match(await cleanupJob(g.ctx)(g.clock.now()), { purged: 1, filesRemoved: 1 }, 'the next run purges it')
  t.notOk(await exists(g.files.fromStored(m.file)), 'file gone')
})

void t.test(
  'a failure after the unlink, before the tombstone is marked: reconcile confirms it',
  async (t) => {
    const f = await jobFixture(t)
    const b = await box(f.store)
    const m = await message(f, b)
    await f.store.messages.setDeleted(m.rowId, true)
    await f.store.db.exec(
      `CREATE TRIGGER confirm_fails BEFORE UPDATE ON deleted_files BEGIN SELECT RAISE(ABORT, 'injected'); END`,
    )
    t.match(await cleanupJob(f.ctx)(f.clock.now()), { purged: 1 })
    t.notOk(await exists(f.files.fromStored(m.file)), 'the file is gone')
    t.equal((await f.store.tombstones.pending()).length, 1, 'the tombstone is still pending')

    await f.store.db.exec('DROP TRIGGER confirm_fails')
    const g = await restarted(f)
    t.teardown(() => g.store.close())
    t.match(await reconcileJob(g.ctx)(g.clock.now()), { adopted: 0, deletionsFinished: 1 })
    t.same(await g.store.tombstones.pending(), [], 'confirmed')
    g.clock.advance(TOMBSTONE_KEEP_MS + 1)
    t.match(await reconcileJob(g.ctx)(g.clock.now()), { tombstonesPruned: 1 }, 'forgotten a day later')
  },
)

void t.test('a deleted file that comes back (an unlink undone) is removed, never adopted', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const m = await message(f, b)
  await f.store.messages.setDeleted(m.rowId, true)
  await cleanupJob(f.ctx)(f.clock.now())
  const path = f.files.fromStored(m.file)
  await writeAged(path, buildWav(5000, 0), f.clock.now() - messageSettleMs(f.config) - 1000)
  t.match(await reconcileJob(f.ctx)(f.clock.now()), { adopted: 0, deletedRemoved: 1 })
  t.notOk(await exists(path), 'removed again')
  t.same(f.mail.newMessages, [], 'never mailed')
})

void t.test('no message row is ever inserted for a deleted file', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const m = await message(f, b)
  await f.store.messages.setDeleted(m.rowId, true)
  await f.store.messages.purgeDeleted(b.rowId)
  await t.rejects(
    f.store.messages.insert({
      uuid: randomUUID(),
      mailboxRowId: b.rowId,
      callerIdName: '',
      callerIdNumber: '',
      durationMs: 4000,
      sizeBytes: 1,
      file: m.file,
    }),
    DeletedFileError,
  )
})
