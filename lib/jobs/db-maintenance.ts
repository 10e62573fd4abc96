import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { backupInto, checkpointWal, optimize } from '../store/maintenance.js'
import type { Job, JobContext } from './types.js'

/** How many backup copies are kept in `<stateDir>/backup/`. */
export const BACKUPS_KEPT = 4

const BACKUP_NAME = /^voicemail-\d{4}-\d{2}-\d{2}\.db$/

/** `voicemail-YYYY-MM-DD.db` for the UTC date of `now`. */
export function backupName(now: number): string {
  return `voicemail-${new Date(now).toISOString().slice(0, 10)}.db`
}

/**
 * The db-maintenance job (SPEC §6): fold the WAL back into the database (`wal_checkpoint(TRUNCATE)`, so the -wal
 * file does not grow forever), let SQLite refresh its statistics (`PRAGMA optimize`), and write an online backup
 * to `<stateDir>/backup/voicemail-<date>.db` with `VACUUM INTO`: a consistent copy taken inside one read
 * transaction, so the daemon keeps answering calls meanwhile. The copy is written under a temporary name and
 * renamed, so a crash never leaves a half backup under a real name; a second run the same day replaces that day's
 * copy. The newest BACKUPS_KEPT copies are kept. Audio is not copied: see docs/operator-guide.md, "Backup and restore".
 */
export function dbMaintenanceJob(ctx: JobContext): Job {
  return async (now) => {
    const db = ctx.store.db
    const checkpoint = await checkpointWal(db)
    await optimize(db)

    const dir = join(dirname(ctx.files.root), 'backup')
    await mkdir(dir, { recursive: true, mode: 0o750 })
    const name = backupName(now)
    const target = join(dir, name)
    // Unique per run: voicemailctl and the daemon may both run this job the same minute.
    const temporary = `${target}.partial-${randomBytes(4).toString('hex')}`
    try {
      await backupInto(db, temporary)
      await rename(temporary, target)
    } finally {
      await rm(temporary, { force: true })
    }
    const { size } = await stat(target)

    const backups = (await readdir(dir)).filter((f) => BACKUP_NAME.test(f)).sort()
    const removed = backups.slice(0, Math.max(0, backups.length - BACKUPS_KEPT))
    for (const old of removed) await rm(join(dir, old), { force: true })

    return {
      // busy = 1: a reader (a live call, voicemailctl) held the WAL; the checkpoint was partial, not an error.
      checkpointBusy: checkpoint.busy,
      walPages: checkpoint.logPages,
      backup: target,
      backupBytes: size,
      backupsRemoved: removed.length,
    }
  }
}
