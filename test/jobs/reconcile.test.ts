import { randomUUID } from 'node:crypto'
import { access, appendFile, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { messageSettleMs, reconcileJob } from '../../lib/jobs/reconcile.js'
import { buildWav } from '../support/freeswitch/wav.js'
import { box, jobFixture, message, writeAged } from './fixture.js'

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  )

void t.test('an orphan recording older than the settle time is adopted as a new message', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const uuid = randomUUID()
  const path = f.files.messagePath(b.domain, b.id, uuid)
  const mtime = f.clock.now() - messageSettleMs(f.config) - 1000
  await writeAged(path, buildWav(5000, 0), mtime)

  const summary = await reconcileJob(f.ctx)(f.clock.now())
  const adopted = await f.store.messages.get(uuid)
  t.ok(adopted, 'row created')
  t.match(adopted, {
    folder: 'new',
    callerIdName: '',
    callerIdNumber: '',
    durationMs: 5000,
    sizeBytes: 44 + 80000,
    receivedAt: Math.floor(mtime),
    file: f.files.toStored(path),
  })
  t.ok(await exists(path), 'file stays where it is')
  t.match(summary, { adopted: 1, quarantined: 0, deferred: 0 })
  t.same(f.mail.newMessages, [uuid], 'the owner is mailed as for any new message')
  t.same(f.mwi.refreshed, [{ box: '100@example.com', reason: 'NEW' }])
  t.equal(await f.store.bytesUsed(b.rowId), 80044, 'it counts against the quota')
})

void t.test(
  'a recent orphan (FreeSWITCH may still write it) is left alone and a rerun is asked for',
  async (t) => {
    const f = await jobFixture(t)
    const b = await box(f.store)
    const uuid = randomUUID()
    const path = f.files.messagePath(b.domain, b.id, uuid)
    const settle = messageSettleMs(f.config)
    await writeAged(path, buildWav(5000, 0), f.clock.now() - settle + 60_000)

    const summary = await reconcileJob(f.ctx)(f.clock.now())
    t.equal(await f.store.messages.get(uuid), undefined, 'not adopted yet')
    t.ok(await exists(path), 'not moved')
    t.equal(summary.deferred, 1)
    t.equal(summary.rerunInMs, 61_000, 'rerun once it has settled, plus a second')

    f.clock.advance(61_000)
    const later = await reconcileJob(f.ctx)(f.clock.now())
    t.equal(later.adopted, 1, 'adopted on the later run')
    t.notOk('rerunInMs' in later, 'no further rerun needed')
  },
)

void t.test('0-byte, non-WAV, too short and box-less orphans are quarantined', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const old = f.clock.now() - messageSettleMs(f.config) - 1
  const empty = f.files.messagePath(b.domain, b.id, randomUUID())
  const text = f.files.messagePath(b.domain, b.id, randomUUID())
  const short = f.files.messagePath(b.domain, b.id, randomUUID())
  const nobox = f.files.messagePath('example.com', '555', randomUUID())
  await writeAged(empty, Buffer.alloc(0), old)
  await writeAged(text, Buffer.from('hello, not a wav file at all\n'), old)
  await writeAged(short, buildWav(1000, 0), old)
  await writeAged(nobox, buildWav(5000, 0), old)

  const summary = await reconcileJob(f.ctx)(f.clock.now())
  t.match(summary, { adopted: 0, quarantined: 4 })
  for (const path of [empty, text, short, nobox]) {
    t.notOk(await exists(path), 'moved out of recordings')
    const rel = path.slice(f.files.root.length + 1)
    t.ok(await exists(join(f.dir, 'quarantine', rel)), `quarantine/${rel}`)
  }
  t.same(await f.store.messages.listAll(b.rowId), [], 'no rows created')
})

void t.test('a quarantined name that already exists is not overwritten', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const uuid = randomUUID()
  const path = f.files.messagePath(b.domain, b.id, uuid)
  const rel = path.slice(f.files.root.length + 1)
  await writeAged(join(f.dir, 'quarantine', rel), Buffer.from('first'), f.clock.now())
  await writeAged(path, Buffer.alloc(0), f.clock.now() - messageSettleMs(f.config) - 1)
  await reconcileJob(f.ctx)(f.clock.now())
  t.equal(await readFile(join(f.dir, 'quarantine', rel), 'utf8'), 'first', 'earlier one kept')
  t.ok(await exists(join(f.dir, 'quarantine', `${rel}.${f.clock.now()}`)), 'new one beside it')
})

void t.test('rows whose file is gone are marked missing, and unmarked when it comes back', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const m = await message(f, b)
  const path = f.files.fromStored(m.file)
  const content = await readFile(path)
  await rm(path)

  const first = await reconcileJob(f.ctx)(f.clock.now())
  t.equal((await f.store.messages.get(m.uuid))?.missing, true, 'marked missing')
  t.match(first, { missing: 1, found: 0 })
  t.same(f.mwi.refreshed, [{ box: '100@example.com', reason: 'UNKNOWN' }], 'lamp refreshed')

  await writeFile(path, content)
  const second = await reconcileJob(f.ctx)(f.clock.now())
  t.equal((await f.store.messages.get(m.uuid))?.missing, false, 'unmarked')
  t.match(second, { missing: 0, found: 1 })
})

void t.test('sizes (and so quota usage) are recomputed from the files', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const m = await message(f, b, { speechMs: 1000 })
  const path = f.files.fromStored(m.file)
  await appendFile(path, Buffer.alloc(16000 * 3)) // FreeSWITCH wrote more than the row says
  await f.store.mailboxes.update(b.rowId, { quotaBytes: 1_000_000 })
  await f.store.mailboxes.setFullNotified(b.rowId, true)

  const summary = await reconcileJob(f.ctx)(f.clock.now())
  const after = await f.store.messages.get(m.uuid)
  t.equal(after?.sizeBytes, 16044 + 48000, 'size from the file')
  t.equal(after?.durationMs, 1000, 'duration as the header declares (the extra bytes are not audio)')
  t.equal(await f.store.bytesUsed(b.rowId), 64044, 'usage follows')
  t.equal(summary.resized, 1)
  t.equal((await f.store.mailboxes.findByRowId(b.rowId))?.fullNotified, false, 'notice re-armed (under 90 %)')
})

void t.test(
  'a truncated (0-byte) message file is reported as unreadable and its size corrected',
  async (t) => {
    const f = await jobFixture(t)
    const b = await box(f.store)
    const m = await message(f, b)
    await writeFile(f.files.fromStored(m.file), Buffer.alloc(0))
    const summary = await reconcileJob(f.ctx)(f.clock.now())
    t.match(summary, { corrupt: 1, resized: 1 })
    t.equal((await f.store.messages.get(m.uuid))?.sizeBytes, 0)
  },
)

void t.test(
  'greetings: orphan files quarantined, rows without a file dropped, sizes corrected',
  async (t) => {
    const f = await jobFixture(t)
    const b = await box(f.store)
    const old = f.clock.now() - 60 * 60 * 1000
    const orphan = f.files.greetingPath(b.domain, b.id, 'busy', randomUUID())
    await writeAged(orphan, buildWav(3000, 0), old)
    const lost = f.files.greetingPath(b.domain, b.id, 'unavailable', randomUUID())
    await f.store.greetings.set(b.rowId, 'unavailable', {
      file: f.files.toStored(lost),
      sizeBytes: 100,
      durationMs: 1,
    })
    const grown = f.files.greetingPath(b.domain, b.id, 'name', randomUUID())
    await writeAged(grown, buildWav(2000, 0), old)
    await f.store.greetings.set(b.rowId, 'name', {
      file: f.files.toStored(grown),
      sizeBytes: 10,
      durationMs: 2000,
    })

    const summary = await reconcileJob(f.ctx)(f.clock.now())
    t.match(summary, { quarantined: 1, greetingsDropped: 1, greetingsResized: 1, adopted: 0 })
    t.notOk(await exists(orphan), 'orphan greeting moved')
    t.ok(
      await exists(
        join(f.dir, 'quarantine', 'example.com', '100', 'greetings', orphan.split('/').pop() ?? ''),
      ),
    )
    t.equal(await f.store.greetings.get(b.rowId, 'unavailable'), undefined, 'row without file dropped')
    t.equal((await f.store.greetings.get(b.rowId, 'name'))?.sizeBytes, 32044)
  },
)

void t.test('stray folders and other files are reported, never touched', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const stray = join(f.files.root, 'not a domain!', 'x.wav')
  const other = join(f.files.boxDir(b.domain, b.id), 'notes.txt')
  await writeAged(stray, Buffer.from('x'), 0)
  await writeAged(other, Buffer.from('x'), 0)
  const summary = await reconcileJob(f.ctx)(f.clock.now())
  t.match(summary, { strayEntries: 1, otherFiles: 1, quarantined: 0 })
  t.ok(await exists(stray))
  t.ok(await exists(other))
})

void t.test('an empty state directory reconciles to nothing', async (t) => {
  const f = await jobFixture(t)
  const summary = await reconcileJob(f.ctx)(f.clock.now())
  t.match(summary, { adopted: 0, quarantined: 0, missing: 0, resized: 0 })
})

void t.test('a row purged while reconcile runs is skipped, not a failed run', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const gone = await message(f, b)
  const kept = await message(f, b)
  await rm(f.files.fromStored(gone.file))
  // The owner hangs up and the row is purged between reconcile's listing and its update.
  const setMissing = f.store.messages.setMissing.bind(f.store.messages)
  f.store.messages.setMissing = async (rowId: number, missing?: boolean): Promise<void> => {
    await f.store.messages.setDeleted(rowId, true)
    await f.store.messages.purgeDeleted(b.rowId)
    return setMissing(rowId, missing)
  }
  const summary = await reconcileJob(f.ctx)(f.clock.now())
  t.equal(summary.missing, 1)
  t.same(f.mwi.refreshed, [], 'nothing to refresh: the row was already gone')
  t.ok(await f.store.messages.get(kept.uuid))
})
