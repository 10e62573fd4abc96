import { cleanupJob } from './cleanup.js'
import { dbMaintenanceJob } from './db-maintenance.js'
import { mwiResyncJob } from './mwi-resync.js'
import { outboxJob } from './outbox.js'
import { reconcileJob } from './reconcile.js'
import type { Job, JobContext, JobName } from './types.js'

/** Every job of SPEC §6 by name, built over one context (the daemon's wiring, or voicemailctl's). */
export function createJobs(ctx: JobContext): Readonly<Record<JobName, Job>> {
  return {
    cleanup: cleanupJob(ctx),
    reconcile: reconcileJob(ctx),
    'mwi-resync': mwiResyncJob(ctx),
    outbox: outboxJob(ctx),
    'db-maintenance': dbMaintenanceJob(ctx),
  }
}
