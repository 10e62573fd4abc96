import { VoicemailError } from '../errors.js'

/** `run()` was asked for a job that does not exist. */
export class UnknownJobError extends VoicemailError {
  constructor(readonly job: string) {
    super(`unknown job ${JSON.stringify(job)}`)
  }
}

/** A cron expression in `config.jobs` that node-cron refuses. */
export class ScheduleError extends VoicemailError {}

/** A job run failed as a whole; `cause` is what it threw (already logged by the scheduler). */
export class JobFailedError extends VoicemailError {
  constructor(
    readonly job: string,
    options: { cause: unknown },
  ) {
    const why = options.cause instanceof Error ? options.cause.message : String(options.cause)
    super(`job ${job} failed: ${why}`, options)
  }
}
