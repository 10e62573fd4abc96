import { Writable } from 'node:stream'
import t from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { defaults } from '../../lib/config/defaults.js'
import { JobFailedError, ScheduleError, UnknownJobError } from '../../lib/jobs/errors.js'
import { JobScheduler } from '../../lib/jobs/schedule.js'
import type { Job, JobName } from '../../lib/jobs/types.js'
import { createLogger } from '../../lib/log.js'

function capture(): { log: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as never)
      done()
    },
  })
  return { log: createLogger('debug', stream), lines }
}

function jobs(overrides: Partial<Record<JobName, Job>> = {}): Record<JobName, Job> {
  const idle: Job = () => Promise.resolve({ idle: true })
  return {
    cleanup: idle,
    reconcile: idle,
    'mwi-resync': idle,
    outbox: idle,
    'db-maintenance': idle,
    ...overrides,
  }
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r))

void t.test('run() passes the clock time, resolves the summary and logs one line', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 3, 15))
  const { log, lines } = capture()
  const seen: number[] = []
  const scheduler = new JobScheduler(
    jobs({
      cleanup: (now) => {
        seen.push(now)
        return Promise.resolve({ purged: 3 })
      },
    }),
    { clock, log },
  )
  t.same(await scheduler.run('cleanup'), { purged: 3 })
  t.same(seen, [clock.now()])
  await settle()
  const line = lines.find((l) => l.msg === 'job finished')
  t.match(line, { job: 'cleanup', purged: 3, level: 30 })
  t.type(line?.ms, 'number')
})

void t.test('an idle summary is logged at debug level', async (t) => {
  const { log, lines } = capture()
  const scheduler = new JobScheduler(jobs(), { clock: new ManualClock(), log })
  await scheduler.run('outbox')
  await settle()
  t.match(
    lines.find((l) => l.msg === 'job finished'),
    { job: 'outbox', level: 20 },
  )
})

void t.test('no overlap: a second run() while one runs joins it instead of starting another', async (t) => {
  let calls = 0
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const scheduler = new JobScheduler(
    jobs({
      reconcile: async () => {
        calls++
        await gate
        return { adopted: calls }
      },
    }),
    { clock: new ManualClock(), log: capture().log },
  )
  const first = scheduler.run('reconcile')
  const second = scheduler.run('reconcile')
  t.equal(scheduler.isRunning('reconcile'), true)
  release()
  t.same(await first, { adopted: 1 })
  t.same(await second, { adopted: 1 }, 'same result')
  t.equal(calls, 1, 'the job ran once')
  t.equal(scheduler.isRunning('reconcile'), false)
  await scheduler.run('reconcile')
  t.equal(calls, 2, 'a later run starts afresh')
})

void t.test('a failing run is logged and rejects with JobFailedError; the next run works', async (t) => {
  const { log, lines } = capture()
  let fail = true
  const scheduler = new JobScheduler(
    jobs({
      'db-maintenance': () => (fail ? Promise.reject(new Error('disk full')) : Promise.resolve({ ok: 1 })),
    }),
    { clock: new ManualClock(), log },
  )
  await t.rejects(scheduler.run('db-maintenance'), JobFailedError)
  await settle()
  t.match(
    lines.find((l) => l.msg === 'job failed'),
    { job: 'db-maintenance', err: { message: 'disk full' } },
  )
  fail = false
  t.same(await scheduler.run('db-maintenance'), { ok: 1 })
})

void t.test('unknown job names and invalid schedules are refused', async (t) => {
  const scheduler = new JobScheduler(jobs(), { clock: new ManualClock(), log: capture().log })
  await t.rejects(scheduler.run('vacuum'), UnknownJobError)
  t.throws(() => scheduler.start({ ...defaults.jobs, cleanup: 'every night' }), ScheduleError)
  t.throws(() => scheduler.start({ ...defaults.jobs, outbox: '99 * * * *' }), /outbox/)
  await scheduler.stop()
})

void t.test('start() schedules with node-cron, start() again reschedules, stop() ends it', async (t) => {
  const ran: JobName[] = []
  let tick!: () => void
  const ticked = new Promise<void>((r) => (tick = r))
  const scheduler = new JobScheduler(
    jobs({
      outbox: () => {
        ran.push('outbox')
        tick()
        return Promise.resolve({ sent: 1 })
      },
    }),
    { clock: new ManualClock(), log: capture().log },
  )
  const never = { ...defaults.jobs, outbox: '0 0 1 1 *' }
  scheduler.start(never)
  scheduler.start({ ...never, outbox: '* * * * * *' }) // reload: every second now
  await ticked
  await scheduler.stop()
  t.ok(ran.length >= 1, 'the cron tick ran the job')
  const count = ran.length
  await new Promise((r) => setTimeout(r, 1100))
  t.equal(ran.length, count, 'no ticks after stop()')
})

void t.test('stop() waits for a run in progress', async (t) => {
  let release!: () => void
  let finished = false
  const scheduler = new JobScheduler(
    jobs({
      cleanup: async () => {
        await new Promise<void>((r) => (release = r))
        finished = true
        return {}
      },
    }),
    { clock: new ManualClock(), log: capture().log },
  )
  const run = scheduler.run('cleanup')
  const stopped = scheduler.stop()
  await settle()
  release()
  await stopped
  t.equal(finished, true, 'stop resolved only after the run ended')
  await run
})
