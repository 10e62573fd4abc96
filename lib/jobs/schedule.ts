import { performance } from 'node:perf_hooks'
import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron'
import type { Clock } from '../clock.js'
import type { JobSchedules } from '../config/types.js'
import type { Logger } from '../log.js'
import { JobFailedError, ScheduleError, UnknownJobError } from './errors.js'
import { JOB_NAMES, scheduleKey, type Job, type JobName, type JobSummary } from './types.js'

/** What the scheduler needs besides the jobs. */
export interface SchedulerOptions {
  clock: Clock
  log: Logger
  /** IANA zone the cron expressions are read in; default the host's local time. */
  timezone?: string
}

/** A job may ask to be run again soon (reconcile skipped files still being written): milliseconds from now. */
export const RERUN_FIELD = 'rerunInMs'
/** A run that found nothing to do (`idle: true`) is logged at debug level instead of info. */
export const IDLE_FIELD = 'idle'

/**
 * Runs the jobs on their cron schedules (node-cron) and on demand. One run of a job at a time: a scheduled tick
 * that finds the same job still running is skipped (logged at debug), and `run()` while it runs joins the running
 * one instead of starting a second. Every run is caught and logged; each ends with one 'job finished' line
 * `{ job, ms, ...summary }` or one 'job failed' line.
 */
export class JobScheduler {
  private readonly tasks = new Map<JobName, ScheduledTask>()
  private readonly running = new Map<JobName, Promise<JobSummary>>()
  private readonly reruns = new Map<JobName, NodeJS.Timeout>()
  private stopped = false

  constructor(
    private readonly jobs: Readonly<Record<JobName, Job>>,
    private readonly options: SchedulerOptions,
  ) {}

  /**
   * (Re)schedule every job from `schedules` (`config.jobs`); called again on reload, it replaces the previous
   * schedules. Throws ScheduleError naming every invalid expression, before anything is changed.
   */
  start(schedules: JobSchedules): void {
    const bad = JOB_NAMES.filter((name) => !cron.validate(schedules[scheduleKey[name]]))
    if (bad.length > 0) {
      const list = bad.map((name) => `${name}: ${JSON.stringify(schedules[scheduleKey[name]])}`).join(', ')
      throw new ScheduleError(`invalid cron expression for ${list}`)
    }
    this.stopped = false
    this.destroyTasks()
    for (const name of JOB_NAMES) {
      const expression = schedules[scheduleKey[name]]
      const task = cron.schedule(expression, () => this.tick(name), {
        name: `voicemaild-${name}`,
        // Our own `running` map is the real guard (it also covers run()); node-cron's is belt and braces.
        noOverlap: true,
        ...(this.options.timezone === undefined ? {} : { timezone: this.options.timezone }),
        logger: this.cronLogger(name),
      })
      this.tasks.set(name, task)
    }
    this.options.log.info({ schedules }, 'jobs scheduled')
  }

  /**
   * Run `name` now. Resolves to its summary; rejects with JobFailedError (already logged) when the run failed, or
   * UnknownJobError. If the job is already running (a tick, or another `run`), resolves with that run's result.
   */
  run(name: string): Promise<JobSummary> {
    if (!(JOB_NAMES as readonly string[]).includes(name)) return Promise.reject(new UnknownJobError(name))
    const job = name as JobName
    return this.running.get(job) ?? this.begin(job)
  }

  /** Whether a run of `name` is in progress. */
  isRunning(name: JobName): boolean {
    return this.running.has(name)
  }

  /** Stop scheduling and wait for the runs in progress to end. Never rejects. */
  async stop(): Promise<void> {
    this.stopped = true
    this.destroyTasks()
    for (const timer of this.reruns.values()) clearTimeout(timer)
    this.reruns.clear()
    await Promise.allSettled([...this.running.values()])
  }

  private tick(name: JobName): void {
    if (this.running.has(name)) {
      this.options.log.debug({ job: name }, 'job skipped: previous run still going')
      return
    }
    // Failures are logged by begin(); a tick has nobody else to tell.
    this.begin(name).catch(() => undefined)
  }

  private begin(name: JobName): Promise<JobSummary> {
    const { clock, log } = this.options
    const started = performance.now()
    const run = (async () => {
      try {
        const summary = await this.jobs[name](clock.now())
        const ms = Math.round(performance.now() - started)
        if (summary[IDLE_FIELD] === true) log.debug({ job: name, ms, ...summary }, 'job finished')
        else log.info({ job: name, ms, ...summary }, 'job finished')
        this.scheduleRerun(name, summary)
        return summary
      } catch (err) {
        const ms = Math.round(performance.now() - started)
        log.error({ job: name, ms, err }, 'job failed')
        throw new JobFailedError(name, { cause: err })
      } finally {
        this.running.delete(name)
      }
    })()
    this.running.set(name, run)
    return run
  }

  private scheduleRerun(name: JobName, summary: JobSummary): void {
    const delay = summary[RERUN_FIELD]
    if (this.stopped || typeof delay !== 'number' || !(delay > 0) || this.reruns.has(name)) return
    const timer = setTimeout(() => {
      this.reruns.delete(name)
      if (!this.stopped) this.tick(name)
    }, delay)
    timer.unref()
    this.reruns.set(name, timer)
  }

  private destroyTasks(): void {
    for (const task of this.tasks.values()) void task.destroy()
    this.tasks.clear()
  }

  /** node-cron's own warnings (missed executions after a suspend, …) into our log, constant messages. */
  private cronLogger(job: JobName): CronLogger {
    const log = this.options.log
    return {
      info: (detail) => log.debug({ job, detail }, 'scheduler note'),
      warn: (detail) => log.warn({ job, detail }, 'scheduler warning'),
      error: (detail, err) => log.error({ job, detail: String(detail), err }, 'scheduler error'),
      debug: (detail) => log.debug({ job, detail: String(detail) }, 'scheduler note'),
    }
  }
}
