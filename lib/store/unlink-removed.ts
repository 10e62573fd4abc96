import type { Logger } from '../log.js'
import type { AudioFiles } from './audio-files.js'
import type { TombstoneRepo } from './tombstones.js'

/** What `unlinkRemoved` did. */
export interface UnlinkReport {
  /** Files gone from disk now (removed, or already absent). */
  removed: number
  /** Files that could not be removed: their tombstones stay pending, the next reconcile retries. */
  failed: number
}

/**
 * The second half of every deletion (cleanup, the owner's hang-up purge, delete-after-email,
 * `voicemailctl message delete`, `voicemailctl mailbox remove`): the rows are gone and their files tombstoned in
 * the same transaction (MessageRepo / MailboxRepo); now unlink the files and mark the tombstones done. A crash or
 * an I/O error anywhere in here leaves pending tombstones, which reconcile finishes; no file of a removed message
 * is ever adopted again. Never rejects: problems are logged and counted.
 */
export async function unlinkRemoved(
  store: { tombstones: TombstoneRepo; clock: { now(): number } },
  files: AudioFiles,
  stored: readonly string[],
  log: Logger,
): Promise<UnlinkReport> {
  const done: string[] = []
  let failed = 0
  for (const file of stored) {
    try {
      await files.remove(files.fromStored(file))
      done.push(file)
    } catch (err) {
      failed++
      log.warn({ err, file }, 'removed message file not unlinked; reconcile retries')
    }
  }
  try {
    await store.tombstones.markUnlinked(done, store.clock.now())
  } catch (err) {
    // The files are gone; pending tombstones of absent files are simply confirmed by the next reconcile.
    log.warn({ err, files: done.length }, 'unlinked files not recorded; reconcile confirms them')
  }
  return { removed: done.length, failed }
}
