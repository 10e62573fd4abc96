import type { Db } from './db.js'

/** What `PRAGMA wal_checkpoint(TRUNCATE)` reported. */
export interface WalCheckpoint {
  /** A reader (a live call, voicemailctl) held the WAL, so the checkpoint was partial: not an error. */
  busy: boolean
  /** Pages in the WAL when the checkpoint ran (0 when SQLite reported nothing, e.g. not in WAL mode). */
  logPages: number
  /** Pages written back to the database. */
  checkpointedPages: number
}

/**
 * Fold the WAL back into the database and truncate it, so the -wal file does not grow forever. Resolves to what
 * SQLite reported; rejects with StoreError.
 */
export async function checkpointWal(db: Db): Promise<WalCheckpoint> {
  const row = await db.get<{ busy: number; log: number; checkpointed: number }>(
    'PRAGMA wal_checkpoint(TRUNCATE)',
  )
  return { busy: row?.busy === 1, logPages: row?.log ?? 0, checkpointedPages: row?.checkpointed ?? 0 }
}

/** Let SQLite refresh the statistics its query planner uses (`PRAGMA optimize`). Rejects with StoreError. */
export function optimize(db: Db): Promise<void> {
  return db.exec('PRAGMA optimize')
}

/**
 * Write a consistent copy of the database to `path` with `VACUUM INTO`, taken inside one read transaction, so
 * the daemon keeps answering calls meanwhile. `path` must not exist. Rejects with StoreError; a failed copy may
 * leave a partial file at `path`, which the caller removes.
 */
export async function backupInto(db: Db, path: string): Promise<void> {
  await db.run('VACUUM INTO ?', [path])
}

/**
 * `PRAGMA quick_check`: resolves to `'ok'`, or to SQLite's first problem report (undefined if it reported
 * nothing). Works on a read-only connection. Rejects with StoreError.
 */
export async function quickCheck(db: Db): Promise<string | undefined> {
  return (await db.get<{ quick_check: string }>('PRAGMA quick_check'))?.quick_check
}
