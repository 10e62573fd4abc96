import type { Clock } from '../clock.js'
import type { Config, JobSchedules } from '../config/types.js'
import type { MailboxEvents } from '../contracts/events.js'
import type { UpdateReason } from '../contracts/lamps.js'
import type { MailRequests } from '../contracts/mail.js'
import type { Logger } from '../log.js'
import type { AudioFiles } from '../store/audio-files.js'
import type { Store } from '../store/index.js'
import type { Mailbox } from '../store/types.js'

/** What a job reports about one run: counts and facts, logged as the fields of its 'job finished' line. */
export type JobSummary = Record<string, unknown>

/**
 * A scheduled job: a plain async function of the time (epoch ms, from the injected clock) it runs at. It resolves
 * to its summary and rejects only when the whole run failed (per-item problems are counted in the summary).
 */
export type Job = (now: number) => Promise<JobSummary>

/** The job names of SPEC §6, as `voicemailctl job run NAME` and the logs spell them. */
export const JOB_NAMES = ['cleanup', 'reconcile', 'mwi-resync', 'outbox', 'db-maintenance'] as const
/** One of JOB_NAMES. */
export type JobName = (typeof JOB_NAMES)[number]

/** Which `config.jobs` key holds each job's cron expression. */
export const scheduleKey: Readonly<Record<JobName, keyof JobSchedules>> = {
  cleanup: 'cleanup',
  reconcile: 'reconcile',
  'mwi-resync': 'mwiResync',
  outbox: 'outbox',
  'db-maintenance': 'dbMaintenance',
}

/** Whether `name` is a job of SPEC §6 (`mwi-resync`, not the config key `mwiResync`). */
export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name)
}

/** The lamps, as the jobs use them (`MwiService` implements it; voicemailctl may pass one without a link). */
export interface JobMwi {
  refresh(box: Mailbox, reason: UpdateReason): Promise<void>
  announceAll(reason: 'RESYNC'): Promise<{ boxes: number; events: number }>
}

/** The mail worker, as the outbox job uses it (`OutboxWorker` implements it). */
export interface JobMailWorker {
  runDue(now: number): Promise<object>
}

/**
 * What the jobs are built from. `deps` is read at every run, not at creation, so a reload that replaces
 * `deps.config` (SIGHUP) changes retention and recording limits for the next run. `FlowDeps` fits as it is.
 */
export interface JobContext {
  deps: { config: Config; clock: Clock; log: Logger; mail?: MailRequests; events?: MailboxEvents }
  store: Store
  files: AudioFiles
  mwi: JobMwi
  mailWorker?: JobMailWorker
  /** Unused by the jobs themselves; accepted so the daemon can pass its whole wiring. */
  link?: unknown
  /**
   * A RecordingWatch runs beside the jobs (the daemon): reconcile leaves young interrupted recordings (files with a
   * recording note) to it instead of waiting for them to settle.
   */
  watchesRecordings?: boolean
}
