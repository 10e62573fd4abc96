import { stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { storeNewMessage, type CallerData } from '../lifecycle/new-message.js'
import type { Logger } from '../log.js'
import { DeletedFileError, StoreConflictError } from '../store/errors.js'
import type { Mailbox } from '../store/types.js'
import { isVoicemailFormat, WavFormatError } from '../store/wav.js'
import type { FoundFile } from './reconcile-scan.js'
import type { JobContext } from './types.js'

/** The counters reconcile keeps about files without rows. */
export interface OrphanCounts {
  adopted: number
  quarantined: number
  raced: number
  deletedRemoved: number
}

/**
 * Make an orphan message file a message (SPEC §8 "nothing lost"): a playable WAV at least `minMessageSeconds`
 * long becomes a new message of `box` with its mails, in one transaction; anything else is quarantined; a file of
 * a deleted message is removed instead. `caller` comes from the recording's note when there is one (unknown
 * otherwise: stored empty). Resolves true when it was adopted.
 */
export async function adopt(
  ctx: JobContext,
  box: Mailbox,
  file: FoundFile,
  receivedAt: number,
  counts: OrphanCounts,
  log: Logger,
  now: number,
  caller: CallerData = { callerIdName: '', callerIdNumber: '' },
): Promise<boolean> {
  const uuid = file.name.slice(0, -'.wav'.length)
  let info
  try {
    info = await ctx.files.commit(file.path)
  } catch (err) {
    // Removed meanwhile (its deletion or the daemon's commit won the race): nothing to adopt.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    if (!(err instanceof WavFormatError)) throw err
    await quarantine(ctx, file, err.message, now, counts, log)
    return false
  }
  const minMs = ctx.deps.config.recording.minMessageSeconds * 1000
  if (info.durationMs < minMs) {
    await quarantine(
      ctx,
      file,
      `shorter than ${ctx.deps.config.recording.minMessageSeconds} s`,
      now,
      counts,
      log,
    )
    return false
  }
  const fields = { mailbox: box.id, domain: box.domain, messageUuid: uuid }
  if ((await ctx.store.messages.get(uuid)) !== undefined) {
    counts.raced++
    log.warn(fields, 'orphan recording has a row elsewhere: left alone')
    return false
  }
  if (!isVoicemailFormat(info)) {
    log.warn(
      { ...fields, sampleRate: info.sampleRate, channels: info.channels },
      'adopting a non-8 kHz mono WAV',
    )
  }
  const row = {
    uuid,
    mailboxRowId: box.rowId,
    callerIdName: caller.callerIdName,
    callerIdNumber: caller.callerIdNumber,
    receivedAt,
    durationMs: info.durationMs,
    sizeBytes: info.sizeBytes,
    file: ctx.files.toStored(file.path),
  }
  try {
    // Row and mails in one transaction, as for a deposit: adopted means mailed, exactly once.
    await storeNewMessage(box, row, { store: ctx.store, mail: ctx.deps.mail, events: ctx.deps.events })
  } catch (err) {
    if (err instanceof DeletedFileError) {
      // Deleted between our listing and now: finish that deletion instead.
      await removeDeletedFile(ctx, file, counts, log)
      return false
    }
    if (!(err instanceof StoreConflictError)) throw err
    counts.raced++ // committed by the daemon between our listing and now
    return false
  }
  counts.adopted++
  log.info({ ...fields, durationMs: info.durationMs }, 'orphan recording adopted')
  return true
}

/** A file of a deleted message (tombstoned) that is still on disk: remove it, never adopt it. */
export async function removeDeletedFile(
  ctx: JobContext,
  file: FoundFile,
  counts: OrphanCounts,
  log: Logger,
): Promise<void> {
  const stored = ctx.files.toStored(file.path)
  try {
    await ctx.files.remove(file.path)
    await ctx.store.tombstones.markUnlinked([stored], ctx.deps.clock.now())
    counts.deletedRemoved++
    log.info({ file: stored }, 'file of a deleted message removed')
  } catch (err) {
    log.warn({ err, file: stored }, 'file of a deleted message not removed')
  }
}

export async function quarantine(
  ctx: JobContext,
  file: FoundFile,
  why: string,
  now: number,
  counts: OrphanCounts,
  log: Logger,
): Promise<void> {
  const sub = file.type === 'greeting' ? [file.domain, file.box, 'greetings'] : [file.domain, file.box]
  let target = join(dirname(ctx.files.root), 'quarantine', ...sub, file.name)
  if ((await sizeOf(target)) !== undefined) target = `${target}.${now}`
  await ctx.files.move(file.path, target)
  counts.quarantined++
  log.warn({ file: ctx.files.toStored(file.path), reason: why, to: target }, 'file quarantined')
}

/** The size of a regular file, or undefined when there is none at `path`. */
export async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path)
    return info.isFile() ? info.size : undefined
  } catch {
    return undefined
  }
}
