import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { ChannelProbe } from '../esl/channel-probe.js'
import type { Logger } from '../log.js'
import type { RecordingInProgress } from '../store/recordings-in-progress.js'
import { afterBoxesChanged } from './box-effects.js'
import { adopt, removeDeletedFile, type OrphanCounts } from './reconcile-orphans.js'
import { judgeRecording, type RecordingVerdict } from './recording-verdict.js'
import type { JobContext } from './types.js'

/**
 * How often the watch looks at interrupted recordings (not configurable: it is how long an adoption may wait
 * after FreeSWITCH finished a file, and one look costs a SELECT on an almost always empty table). It also looks
 * each time a FreeSWITCH node (re)connects, so a restarted daemon decides as soon as it can ask.
 */
export const WATCH_INTERVAL_MS = 5000

/** A failed adoption (database busy, disk error) is retried after this, doubling, up to MAX_RETRY_MS. */
const FIRST_RETRY_MS = WATCH_INTERVAL_MS
const MAX_RETRY_MS = 5 * 60 * 1000

/** What one look found. */
export interface WatchSummary extends OrphanCounts {
  /** Interrupted recordings FreeSWITCH is (or may still be) writing: looked at again later. */
  waiting: number
  /** Notes whose recording needs nothing more (file gone, already a message): dropped. */
  dropped: number
  /** Adoptions that failed this time (retried later). */
  failed: number
}

/**
 * Adopts the recordings a daemon was killed in the middle of, as soon as FreeSWITCH has finished them (SPEC §8
 * "nothing lost": within 60 s of the restart). Each recording's note (`store.recordingJournal`, written before
 * `record`) names its channel, the node that ran it and the caller; a note whose call is not live in this process
 * is an interrupted recording. The watch asks FreeSWITCH about the channel (`ChannelProbe`), decides with
 * `judgeRecording` and, once finished, adopts the file through reconcile's `adopt` (one transaction with its mail)
 * and lights the lamp. A recording still running waits, however long the caller talks.
 */
export class RecordingWatch {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> | undefined
  private again = false
  /** Files whose wait was logged already (once per file, not every look). */
  private readonly waitLogged = new Set<string>()
  private readonly retries = new Map<string, { failures: number; at: number }>()

  constructor(
    private readonly ctx: JobContext,
    private readonly probe: ChannelProbe,
    private readonly log: Logger,
    private readonly intervalMs = WATCH_INTERVAL_MS,
  ) {}

  /** Look every `intervalMs` from now on (the first look comes at the first interval or `poke`). */
  start(): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => this.poke(), this.intervalMs)
    this.timer.unref()
  }

  /** Look now (a node connected); a look in progress is followed by another one. */
  poke(): void {
    if (this.running !== undefined) {
      this.again = true
      return
    }
    this.running = this.sweep(this.ctx.deps.clock.now())
      .catch((err: unknown) => this.log.error({ err }, 'recording watch failed'))
      .finally(() => {
        this.running = undefined
        if (this.again && this.timer !== undefined) {
          this.again = false
          this.poke()
        }
      })
  }

  /** Stop looking and wait for a look in progress. Never rejects. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    this.again = false
    await this.running
  }

  /** One look at every interrupted recording at `now` (epoch ms, the injected clock). */
  async sweep(now: number): Promise<WatchSummary> {
    const { store } = this.ctx
    const summary: WatchSummary = {
      adopted: 0,
      quarantined: 0,
      raced: 0,
      deletedRemoved: 0,
      waiting: 0,
      dropped: 0,
      failed: 0,
    }
    const notes = (await store.recordingJournal.all()).filter(
      (n) => !store.recordingJournal.isLive(n) && (this.retries.get(n.file)?.at ?? 0) <= now,
    )
    if (notes.length === 0) return summary

    const candidates: Array<{ note: RecordingInProgress; path: string; lastWriteMs: number }> = []
    for (const note of notes) {
      const path = await this.settledPath(note, summary)
      if (path === undefined) continue
      const info = await stat(path).catch(() => undefined)
      if (info === undefined) {
        // FreeSWITCH creates the file as `record` starts, long before a restarted daemon looks: no file, no audio.
        await this.drop(note, summary, 'recording note without a file dropped')
        continue
      }
      candidates.push({ note, path, lastWriteMs: info.mtimeMs })
    }
    if (candidates.length === 0) return summary

    const nodes = await this.probe.look(candidates.map((c) => c.note.callUuid))
    const adoptedIn = new Set<number>()
    for (const { note, path, lastWriteMs } of candidates) {
      const verdict = judgeRecording({
        path,
        callUuid: note.callUuid,
        ...(note.coreUuid === undefined ? {} : { coreUuid: note.coreUuid }),
        nodes,
        lastWriteMs,
        now,
      })
      if (verdict.state !== 'finished') {
        summary.waiting++
        this.logWait(note, verdict)
        continue
      }
      if (await this.adoptFinished(note, path, lastWriteMs, verdict.because, summary, now)) {
        adoptedIn.add(note.mailboxRowId)
      }
    }
    await afterBoxesChanged(this.ctx, adoptedIn, 'NEW', this.log)
    return summary
  }

  /**
   * The note's file as a path, unless the note needs nothing more (its box or file is unusable, it is a message
   * already, or its message was deleted): then the note is dropped and undefined returned.
   */
  private async settledPath(note: RecordingInProgress, summary: WatchSummary): Promise<string | undefined> {
    const { store, files } = this.ctx
    let path: string
    try {
      path = files.fromStored(note.file)
    } catch {
      await this.drop(note, summary, 'recording note with an unusable path dropped')
      return undefined
    }
    const uuid = basename(path, '.wav')
    if ((await store.messages.get(uuid)) !== undefined) {
      await this.drop(note, summary, 'recording note of a stored message dropped')
      return undefined
    }
    if (await store.tombstones.has(note.file)) {
      const box = await store.mailboxes.findByRowId(note.mailboxRowId)
      const found = {
        domain: box?.domain ?? '',
        box: box?.id ?? '',
        type: 'message' as const,
        name: basename(path),
        path,
      }
      await removeDeletedFile(this.ctx, found, summary, this.log)
      await this.drop(note, summary, 'recording note of a deleted message dropped')
      return undefined
    }
    return path
  }

  private async adoptFinished(
    note: RecordingInProgress,
    path: string,
    lastWriteMs: number,
    because: string,
    summary: WatchSummary,
    now: number,
  ): Promise<boolean> {
    const box = await this.ctx.store.mailboxes.findByRowId(note.mailboxRowId)
    if (box === undefined) {
      await this.drop(note, summary, 'recording note of a removed mailbox dropped')
      return false
    }
    const file = { domain: box.domain, box: box.id, type: 'message' as const, name: basename(path), path }
    const log = this.log.child({ callUuid: note.callUuid, decidedBy: because })
    try {
      // Received when FreeSWITCH finished writing it (the caller hung up), as a deposit commits on hang-up.
      const adopted = await adopt(this.ctx, box, file, Math.floor(lastWriteMs), summary, log, now, note)
      // Adopted: the note went in the same transaction. Quarantined or raced: nothing more to do for it.
      if (!adopted) await this.ctx.store.recordingJournal.finish(note.file)
      this.retries.delete(note.file)
      this.waitLogged.delete(note.file)
      return adopted
    } catch (err) {
      summary.failed++
      const failures = (this.retries.get(note.file)?.failures ?? 0) + 1
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1))
      this.retries.set(note.file, { failures, at: now + delay })
      log.warn({ err, file: note.file, retryInMs: delay }, 'interrupted recording not adopted yet')
      return false
    }
  }

  private async drop(note: RecordingInProgress, summary: WatchSummary, message: string): Promise<void> {
    await this.ctx.store.recordingJournal.finish(note.file)
    this.waitLogged.delete(note.file)
    this.retries.delete(note.file)
    summary.dropped++
    this.log.info({ file: note.file, callUuid: note.callUuid }, message)
  }

  private logWait(note: RecordingInProgress, verdict: RecordingVerdict): void {
    if (this.waitLogged.has(note.file)) return
    this.waitLogged.add(note.file)
    const fields = { file: note.file, callUuid: note.callUuid }
    if (verdict.state === 'recording') {
      this.log.info({ ...fields, node: verdict.node }, 'interrupted recording still running: adoption waits')
    } else if (verdict.state === 'unsure') {
      this.log.info(
        { ...fields, quietMs: verdict.quietMs },
        'interrupted recording: no FreeSWITCH node can say, waiting for the file to stop growing',
      )
    }
  }
}
