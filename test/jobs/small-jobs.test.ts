import t from 'tap'
import { mwiResyncJob } from '../../lib/jobs/mwi-resync.js'
import { outboxJob } from '../../lib/jobs/outbox.js'
import { createJobs } from '../../lib/jobs/registry.js'
import { JOB_NAMES, isJobName } from '../../lib/jobs/types.js'
import { jobFixture } from './fixture.js'

void t.test('mwi-resync announces every box', async (t) => {
  const f = await jobFixture(t)
  t.same(await mwiResyncJob(f.ctx)(f.clock.now()), { boxes: 2, events: 3 })
  t.equal(f.mwi.announced, 1)
})

void t.test('outbox runs the worker with the clock time and marks empty passes idle', async (t) => {
  const f = await jobFixture(t)
  const calls: number[] = []
  let sent = 0
  f.ctx.mailWorker = {
    runDue: (now: number) => {
      calls.push(now)
      return Promise.resolve({ skipped: false, sent, retried: 0, failed: 0 })
    },
  }
  const job = outboxJob(f.ctx)
  t.same(await job(123), { skipped: false, sent: 0, retried: 0, failed: 0, idle: true })
  sent = 2
  t.same(await job(456), { skipped: false, sent: 2, retried: 0, failed: 0 })
  t.same(calls, [123, 456])
})

void t.test('outbox without a worker says so', async (t) => {
  const f = await jobFixture(t)
  t.same(await outboxJob(f.ctx)(1), { skipped: true, reason: 'no mail worker' })
})

void t.test('the registry builds every job of SPEC §6', async (t) => {
  const f = await jobFixture(t)
  const jobs = createJobs(f.ctx)
  t.same(Object.keys(jobs).sort(), [...JOB_NAMES].sort())
  t.ok(isJobName('db-maintenance'))
  t.notOk(isJobName('dbMaintenance'))
})
