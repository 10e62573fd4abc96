import type { UpdateReason } from '../contracts/lamps.js'
import { createJobs } from '../jobs/registry.js'
import { isJobName, JOB_NAMES, type JobContext, type JobMwi } from '../jobs/types.js'
import { MailNotifier } from '../mail/notifier.js'
import { OutboxWorker } from '../mail/outbox-worker.js'
import { createTransport } from '../mail/transport.js'
import type { Mailbox } from '../store/types.js'
import { str } from './args.js'
import type { Command } from './command.js'
import { askDaemon } from './daemon.js'
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

/** How long `job run` waits for the daemon's run to end (a reconcile of a large store takes minutes). */
const JOB_ANSWER_MS = 60 * 60 * 1000

function summaryText(head: string, summary: Record<string, unknown>): string {
  return Object.keys(summary).length === 0 ? head : `${head}\n${fields(Object.entries(summary))}`
}

/** The `job` command group. */
export const jobCommands: Command[] = [
  {
    name: 'job run',
    summary: `Run one scheduled job now (in the running daemon, else in this process) and print its summary. NAME: ${JOB_NAMES.join(', ')}.`,
    args: ['NAME'],
    options: {
      timeout: {
        type: 'string',
        value: 'SECONDS',
        help: 'how long to wait for FreeSWITCH when the daemon is not running (lamps; default 5)',
      },
    },
    notes:
      'While voicemaild runs, it runs the job (a run already in progress is joined, not repeated) and logs it;\n' +
      'without it, voicemailctl runs the job on the database alone (lamps over its own FreeSWITCH connection).\n' +
      'example: voicemailctl job run reconcile',
    async run(ctx, { values, positionals }) {
      const name = positionals[0]
      if (name === undefined || !isJobName(name)) {
        throw new UsageError(`unknown job ${JSON.stringify(name ?? '')}; jobs: ${JOB_NAMES.join(', ')}`)
      }
      const timeout = connectTimeoutMs(str(values, 'timeout'))
      // No answer timeout worth having: a reconcile of a large store takes as long as it takes.
      const served = await askDaemon(
        ctx,
        { op: 'job.run', name },
        'voicemailctl runs the job on the database alone',
        JOB_ANSWER_MS,
      )
      if (served !== undefined) {
        const summary = (served.summary ?? {}) as Record<string, unknown>
        ctx.out.result({ job: name, summary, servedBy: 'voicemaild' }, () =>
          summaryText(`${name}: done by voicemaild`, summary),
        )
        return
      }
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
        ctx.out.result({ job: name, summary, servedBy: 'voicemailctl' }, () =>
          summaryText(`${name}: done`, summary),
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
