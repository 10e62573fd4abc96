import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { backupName, BACKUPS_KEPT, dbMaintenanceJob } from '../../lib/jobs/db-maintenance.js'
import { openStore } from '../../lib/store/index.js'
import { box, DAY, jobFixture, message } from './fixture.js'

void t.test('writes a backup that opens and holds the data', async (t) => {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const m = await message(f, b)
  const summary = await dbMaintenanceJob(f.ctx)(Date.UTC(2026, 2, 1, 4, 30))
  const path = join(f.dir, 'backup', 'voicemail-2026-03-01.db')
  t.match(summary, { backup: path, backupsRemoved: 0, checkpointBusy: false })
  t.ok((summary.backupBytes as number) > 0)

  const copy = await openStore(path, new ManualClock())
  t.teardown(() => copy.close())
  t.equal((await copy.messages.get(m.uuid))?.uuid, m.uuid, 'the message is in the copy')
  t.equal((await copy.mailboxes.find('example.com', '100'))?.id, '100')
  const check = await copy.db.get<{ integrity_check: string }>('PRAGMA integrity_check')
  t.equal(check?.integrity_check, 'ok')
})

void t.test('keeps the newest four backups; a second run the same day replaces that day', async (t) => {
  const f = await jobFixture(t)
  const job = dbMaintenanceJob(f.ctx)
  const start = Date.UTC(2026, 0, 4, 4, 30)
  for (let week = 0; week < 6; week++) await job(start + week * 7 * DAY)
  const again = await job(start + 5 * 7 * DAY + 60_000)
  t.equal(again.backupsRemoved, 0)
  const names = (await readdir(join(f.dir, 'backup'))).sort()
  t.equal(names.length, BACKUPS_KEPT)
  t.same(
    names,
    [2, 3, 4, 5].map((w) => backupName(start + w * 7 * DAY)),
    'the oldest two were removed',
  )
})
