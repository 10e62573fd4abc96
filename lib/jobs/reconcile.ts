import { stat } from 'node:fs/promises'
import type { Config } from '../config/types.js'
import type { Logger } from '../log.js'
import { StoreConflictError } from '../store/errors.js'
import type { Mailbox } from '../store/types.js'
import { afterBoxesChanged } from './box-effects.js'
import { adopt, quarantine, removeDeletedFile, sizeOf } from './reconcile-orphans.js'
import { scanRecordings } from './reconcile-scan.js'
import { finishDeletions } from './reconcile-tombstones.js'
import { RERUN_FIELD } from './schedule.js'
import type { Job, JobContext, JobSummary } from './types.js'

/**
 * How long a file must have been left alone before reconcile touches it. A recording is written for up to
 * `maxMessageSeconds`, then the caller may listen to it and decide (save / re-record) before the daemon commits it;
 * ten more minutes covers that review with room to spare. Greetings likewise with `maxGreetingSeconds`.
 */
export const SETTLE_EXTRA_MS = 10 * 60 * 1000

/** Minimum age (ms) of an orphan message file before reconcile adopts or quarantines it. */
export function messageSettleMs(config: Pick<Config, 'recording'>): number {
  return config.recording.maxMessageSeconds * 1000 + SETTLE_EXTRA_MS
}

/** Minimum age (ms) of an orphan greeting file before reconcile quarantines it. */
export function greetingSettleMs(config: Pick<Config, 'recording'>): number {
  return config.recording.maxGreetingSeconds * 1000 + SETTLE_EXTRA_MS
}

interface Counts {
  adopted: number
  quarantined: number
  deferred: number
  raced: number
  missing: number
  found: number
  resized: number
  corrupt: number
  greetingsDropped: number
  greetingsResized: number
  otherFiles: number
  strayEntries: number
  badPaths: number
  deletedRemoved: number
  /** Recordings a call of this process is making (never touched). */
  recordingNow: number
  /** Young interrupted recordings left to the RecordingWatch. */
  watched: number
}

/**
 * The reconcile job (SPEC §6, §8 "nothing lost"):
 * - rows whose file is gone are marked missing (and unmarked when it is back); sizes (hence quota) are corrected
 *   from the files; a greeting row whose file is gone is dropped (the box falls back to its next greeting);
 * - a `<uuid>.wav` without a row, left alone longer than the settle time, is adopted as a new message when it is a
 *   playable WAV at least `minMessageSeconds` long (a recording the daemon was killed in the middle of: the
 *   caller's message must not be lost; caller name and number are unknown and stored empty, received time is the
 *   file's modification time; the owner is mailed and the lamp lit as for any new message);
 * - otherwise (0 bytes, not a WAV, too short, box gone) it is moved to `<stateDir>/quarantine/` for the operator;
 * - a greeting file without a row is quarantined, never adopted: a greeting goes live only when its owner saved it;
 * - a file whose message or box was deleted (it has a tombstone, SPEC §8 "one message lifecycle") is never
 *   adopted: its interrupted unlink is finished, first for every pending tombstone, then for any such file the scan
 *   still finds (an unlink a power cut undid).
 * Files younger than the settle time are left for a later run (`rerunInMs` asks the scheduler for one), except,
 * in the daemon, those with a recording note (`store.recordingJournal`): the RecordingWatch adopts them as soon as
 * FreeSWITCH has finished them. A recording a live call of this process is making is never touched. An adopted
 * file with a note gets the caller's name and number from it.
 */
export function reconcileJob(ctx: JobContext): Job {
  return async (now) => {
    const { config, log } = ctx.deps
    const counts: Counts = {
      adopted: 0,
      quarantined: 0,
      deferred: 0,
      raced: 0,
      missing: 0,
      found: 0,
      resized: 0,
      corrupt: 0,
      greetingsDropped: 0,
      greetingsResized: 0,
      otherFiles: 0,
      strayEntries: 0,
      badPaths: 0,
      deletedRemoved: 0,
      recordingNow: 0,
      watched: 0,
    }
    const deletions = await finishDeletions(ctx, now, log)
    const rows = ctx.store.fileRows
    const changed = new Set<number>()
    const adoptedIn = new Set<number>()

    const messageRows = await rows.messages()
    for (const row of messageRows) {
      const path = resolveStored(ctx, row.file, counts, log)
      if (path === undefined) continue
      const size = await sizeOf(path)
      if (size === undefined) {
        counts.missing++
        if (!row.missing && (await setMissing(ctx, row.rowId, true))) {
          changed.add(row.mailboxRowId)
          log.warn({ file: row.file }, 'message file missing')
        }
        continue
      }
      if (row.missing && (await setMissing(ctx, row.rowId, false))) {
        counts.found++
        changed.add(row.mailboxRowId)
      }
      if (size !== row.sizeBytes) {
        let durationMs: number | undefined
        try {
          durationMs = (await ctx.files.inspect(path)).durationMs
        } catch (err) {
          counts.corrupt++
          log.warn({ file: row.file, reason: reason(err) }, 'message file unreadable')
        }
        await rows.setMessageSize(row.rowId, size, durationMs)
        counts.resized++
        changed.add(row.mailboxRowId)
      }
    }

    const greetingRows = await rows.greetings()
    for (const row of greetingRows) {
      const path = resolveStored(ctx, row.file, counts, log)
      if (path === undefined) continue
      const size = await sizeOf(path)
      if (size === undefined) {
        await ctx.store.greetings.remove(row.mailboxRowId, row.kind)
        counts.greetingsDropped++
        changed.add(row.mailboxRowId)
        log.warn({ file: row.file, kind: row.kind }, 'greeting file missing: greeting dropped')
      } else if (size !== row.sizeBytes) {
        await rows.setGreetingSize(row.mailboxRowId, row.kind, row.file, size)
        counts.greetingsResized++
        changed.add(row.mailboxRowId)
      }
    }

    const known = new Set([...messageRows.map((r) => r.file), ...greetingRows.map((r) => r.file)])
    const scan = await scanRecordings(ctx.files.root)
    // Read after the scan, so a deletion committed while we walked the tree is in it (adopt re-checks anyway).
    const deleted = await ctx.store.tombstones.allFiles()
    const notes = new Map((await ctx.store.recordingJournal.all()).map((n) => [n.file, n]))
    counts.strayEntries = scan.strayEntries.length
    if (scan.strayEntries.length > 0)
      log.warn({ entries: scan.strayEntries }, 'unexpected folders in recordings')
    const boxes = new Map<string, Mailbox | undefined>()
    let nextDue: number | undefined

    for (const file of scan.files) {
      if (file.type === 'other') {
        counts.otherFiles++
        continue
      }
      const stored = ctx.files.toStored(file.path)
      if (known.has(stored)) continue
      if (deleted.has(stored)) {
        await removeDeletedFile(ctx, file, counts, log)
        continue
      }
      const note = file.type === 'message' ? notes.get(stored) : undefined
      if (note !== undefined && ctx.store.recordingJournal.isLive(note)) {
        counts.recordingNow++
        continue
      }
      const info = await stat(file.path).catch(() => undefined)
      if (info === undefined) continue // removed meanwhile
      const settle = file.type === 'message' ? messageSettleMs(config) : greetingSettleMs(config)
      const age = now - info.mtimeMs
      if (age < settle && note !== undefined && ctx.watchesRecordings === true) {
        counts.watched++
        continue
      }
      if (age < settle) {
        counts.deferred++
        const due = settle - age
        nextDue = nextDue === undefined ? due : Math.min(nextDue, due)
        continue
      }
      if (file.type === 'greeting') {
        await quarantine(
          ctx,
          file,
          'greeting file without a row (never saved by its owner)',
          now,
          counts,
          log,
        )
        continue
      }
      const key = `${file.box}@${file.domain}`
      if (!boxes.has(key)) boxes.set(key, await ctx.store.mailboxes.find(file.domain, file.box))
      const box = boxes.get(key)
      if (box === undefined) {
        await quarantine(ctx, file, 'no such mailbox', now, counts, log)
        continue
      }
      if (await adopt(ctx, box, file, Math.floor(info.mtimeMs), counts, log, now, note))
        adoptedIn.add(box.rowId)
      else if (note !== undefined) await ctx.store.recordingJournal.finish(stored)
    }

    for (const rowId of adoptedIn) changed.delete(rowId)
    const followUpErrors =
      (await afterBoxesChanged(ctx, adoptedIn, 'NEW', log)) +
      (await afterBoxesChanged(ctx, changed, 'UNKNOWN', log))

    const summary: JobSummary = { ...counts, ...deletions, followUpErrors }
    // Ask for a run once the youngest deferred file has settled (+1 s), instead of waiting for tomorrow 03:45.
    if (nextDue !== undefined) summary[RERUN_FIELD] = Math.ceil(nextDue) + 1000
    return summary
  }
}

/**
 * Resolves false when the row is gone: purged meanwhile (an owner hanging up, cleanup in this or another process
 * removes the row first and the file after, so a vanished file often means a vanished row).
 */
async function setMissing(ctx: JobContext, rowId: number, missing: boolean): Promise<boolean> {
  try {
    await ctx.store.messages.setMissing(rowId, missing)
    return true
  } catch (err) {
    if (err instanceof StoreConflictError) return false
    throw err
  }
}

function resolveStored(ctx: JobContext, stored: string, counts: Counts, log: Logger): string | undefined {
  try {
    return ctx.files.fromStored(stored)
  } catch (err) {
    counts.badPaths++
    log.error({ file: stored, reason: reason(err) }, 'stored path refused')
    return undefined
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
