import type { UpdateReason } from '../contracts/lamps.js'
import { createJobs } from '../jobs/registry.js'
import { isJobName, JOB_NAMES, type JobContext, type JobMwi } from '../jobs/types.js'
import { MailNotifier } from '../mail/notifier.js'
import { OutboxWorker } from '../mail/outbox-worker.js'
import { createTransport } from '../mail/transport.js'
import type { Mailbox } from '../store/types.js'
import { str } from './args.js'
import type { Command } from './command.js'
import { CtlError, EXIT, UsageError } from './errors.js'
import { connectFreeswitch, type CtlLink } from './freeswitch.js'
import { connectTimeoutMs, ctlMwi, requireFreeswitch } from './mwi.js'
import { fields } from './output.js'

/** Lamps when FreeSWITCH is not reachable: nothing is sent; the daemon's next mwi-resync corrects them. */
class DeferredMwi implements JobMwi {
  refreshed = 0
  refresh(_box: Mailbox, _reason: UpdateReason): Promise<void> {
    this.refreshed++
    return Promise.resolve()
  }
  announceAll(): Promise<{ boxes: number; events: number }> {
    return Promise.resolve({ boxes: 0, events: 0 })
  }
}

/** The `job` command group. */
export const jobCommands: Command[] = [
  {
    name: 'job run',
    summary: `Run one scheduled job now, in this process, and print its summary. NAME: ${JOB_NAMES.join(', ')}.`,
    args: ['NAME'],
    options: {
      timeout: {
        type: 'string',
        value: 'SECONDS',
        help: 'how long to wait for FreeSWITCH (lamps; default 5)',
      },
    },
    notes:
      'Safe beside the running daemon: both use the same database (short transactions, busy timeout), the mail\n' +
      'outbox is claimed row by row, and a file adopted twice is refused by its unique id.\n' +
      'example: voicemailctl job run reconcile',
    async run(ctx, { values, positionals }) {
      const name = positionals[0]
      if (name === undefined || !isJobName(name)) {
        throw new UsageError(`unknown job ${JSON.stringify(name ?? '')}; jobs: ${JOB_NAMES.join(', ')}`)
      }
      const timeout = connectTimeoutMs(str(values, 'timeout'))
      const store = await ctx.store()
      let link: CtlLink | undefined
      let mwi: JobMwi
      if (name === 'mwi-resync') {
        link = await requireFreeswitch(ctx, timeout)
        mwi = await ctlMwi(ctx, link)
      } else if (name === 'cleanup' || name === 'reconcile') {
        link = await connectFreeswitch(ctx, timeout)
        if (link === undefined)
          ctx.out.note("FreeSWITCH not reachable: lamps follow at the daemon's next mwi-resync")
        mwi = link === undefined ? new DeferredMwi() : await ctlMwi(ctx, link)
      } else {
        mwi = new DeferredMwi()
      }
      const transport = name === 'outbox' ? createTransport(ctx.config) : undefined
      const base = { config: ctx.config, clock: ctx.clock, log: ctx.log }
      const mailWorker =
        transport === undefined
          ? undefined
          : new OutboxWorker({ ...base, store, files: ctx.files, transport })
      const jobContext: JobContext = {
        // Mail for adopted recordings is queued; the daemon's outbox job sends it within 30 s.
        deps: { ...base, mail: new MailNotifier({ ...base, store }) },
        store,
        files: ctx.files,
        mwi,
        ...(mailWorker === undefined ? {} : { mailWorker }),
      }
      try {
        const summary = await createJobs(jobContext)[name](ctx.clock.now())
        ctx.out.result({ job: name, summary }, () =>
          Object.keys(summary).length === 0
            ? `${name}: done`
            : `${name}: done\n${fields(Object.entries(summary))}`,
        )
      } catch (err) {
        if (err instanceof CtlError) throw err
        throw new CtlError(
          `job ${name} failed: ${err instanceof Error ? err.message : String(err)}`,
          EXIT.failed,
          'job-failed',
          [],
          { cause: err },
        )
      } finally {
        await mailWorker?.stop()
        transport?.close()
        await link?.close()
      }
    },
  },
]
