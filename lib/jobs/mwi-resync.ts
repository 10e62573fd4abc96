import type { Job, JobContext } from './types.js'

/**
 * The mwi-resync job (SPEC §6): announce every enabled box's lamps again, so phones that rebooted or missed an
 * update get their lamp back. Never fails as a whole (MwiService logs and counts per-event failures).
 */
export function mwiResyncJob(ctx: JobContext): Job {
  return async () => {
    const { boxes, events } = await ctx.mwi.announceAll('RESYNC')
    return { boxes, events }
  }
}
