import { IDLE_FIELD } from './schedule.js'
import type { Job, JobContext } from './types.js'

/**
 * The outbox job (SPEC §6, every 30 s by default): send the mail that is due. The worker itself guards against
 * overlapping passes and leaves other processes' claims alone; without a worker (a tool that sends no mail) it is
 * a no-op that says so. A pass that had nothing to do is marked idle, so its line is logged at debug level rather
 * than filling the journal every 30 seconds.
 */
export function outboxJob(ctx: JobContext): Job {
  return async (now) => {
    if (ctx.mailWorker === undefined) return { skipped: true, reason: 'no mail worker' }
    const result: Record<string, unknown> = { ...(await ctx.mailWorker.runDue(now)) }
    const activity = ['sent', 'retried', 'failed'].reduce((n, k) => n + (Number(result[k]) || 0), 0)
    if (activity === 0) result[IDLE_FIELD] = true
    return result
  }
}
