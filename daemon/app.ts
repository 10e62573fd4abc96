import { access, constants, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { systemClock, type Clock } from '../lib/clock.js'
import type { Config } from '../lib/config/types.js'
import { controlSocketPath } from '../lib/control/protocol.js'
import { ControlServer } from '../lib/control/server.js'
import { freeswitchChannelProbe } from '../lib/esl/channel-probe.js'
import { freeswitchDirectory } from '../lib/esl/directory.js'
import { InboundLink } from '../lib/esl/inbound.js'
import { OutboundServer } from '../lib/esl/outbound-server.js'
import type { FlowDeps } from '../lib/flows/deps.js'
import { Prompts } from '../lib/flows/prompts.js'
import { routeCall } from '../lib/flows/router.js'
import { JobScheduler } from '../lib/jobs/schedule.js'
import { RecordingWatch } from '../lib/jobs/recording-watch.js'
import { createJobs } from '../lib/jobs/registry.js'
import type { Logger } from '../lib/log.js'
import { MailNotifier } from '../lib/mail/notifier.js'
import { OutboxWorker } from '../lib/mail/outbox-worker.js'
import { createTransport } from '../lib/mail/transport.js'
import { MwiService } from '../lib/mwi/mwi-service.js'
import { AudioFiles } from '../lib/store/audio-files.js'
import { applyDeclarations } from '../lib/store/declarations.js'
import { openStore, type Store } from '../lib/store/index.js'
import { OutboxRepo } from '../lib/store/outbox.js'
import { BoxEventHub } from '../lib/web/box-events.js'
import { VoicemailMetrics } from '../lib/web/metrics.js'
import { SessionStore } from '../lib/web/session-store.js'
import { WebServer } from '../lib/web/server.js'
import { controlHandlers } from './control.js'
import { StartupError } from './errors.js'

export interface AppOptions {
  clock?: Clock
  /** Run the cron schedules (off in tests that drive jobs by hand). Default true. */
  schedules?: boolean
  /** The audio file layer over the state directory (default); tests pass one that fails, to stand for a crash. */
  files?: (stateDir: string) => AudioFiles
  /**
   * Look at a box with recordings in progress every this many ms, fixed (tests whose clock runs faster than the
   * wall clock). Default: between 200 ms and 10 s, by how close the box is to its quota.
   */
  quotaWatchMs?: number
}

export interface App {
  /** Where the outbound-socket listener ended up (port 0 in tests). */
  readonly address: { host: string; port: number }
  readonly store: Store
  readonly deps: FlowDeps
  readonly jobs: JobScheduler
  readonly link: InboundLink
  readonly mailWorker: OutboxWorker
  readonly server: OutboundServer
  /** The voicemail page's listener (absent with `http.enabled: false`) and where it ended up. */
  readonly web?: { readonly server: WebServer; readonly address: { host: string; port: number } }
  readonly metrics: VoicemailMetrics
  /** voicemailctl's way in (`<stateDir>/control.sock`): lamps, jobs and mail go through this daemon while it runs. */
  readonly control: ControlServer
  /**
   * Apply a new configuration (SIGHUP): declarations, domains, prompts, schedules, mail (SMTP, From, templates).
   * The listen address needs a restart.
   */
  reload(config: Config): Promise<void>
  /** Stop taking calls, give live ones `drainSeconds`, then stop everything in reverse start order. */
  stop(): Promise<void>
}

/**
 * Wiring only: build each component from the config, start them in dependency order, and return handles to stop
 * them. Throws StartupError (with a message for the operator) when the daemon cannot run: unwritable state
 * directory, database that cannot open, port in use.
 */
export async function startApp(initial: Config, log: Logger, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock
  let config = initial
  await ensureWritableDir(config.stateDir)

  const recordings = {
    ...(options.quotaWatchMs !== undefined
      ? { watchIntervalMs: options.quotaWatchMs, watchMaxIntervalMs: options.quotaWatchMs }
      : {}),
    onWatchError: (err: unknown) => log.warn({ err }, 'quota watch: usage query failed'),
  }
  const store = await openStore(join(config.stateDir, 'voicemail.db'), clock, {
    recordings,
    lampReader: true,
  }).catch((err: unknown) => {
    throw new StartupError(`cannot open the database in ${config.stateDir}`, { cause: err })
  })
  const declared = await applyDeclarations(store, config)
  log.info({ created: declared.created, updated: declared.updated }, 'declared domains and mailboxes applied')

  const files = options.files?.(config.stateDir) ?? new AudioFiles(config.stateDir)
  const link = new InboundLink(config.freeswitch, log.child({ component: 'inbound' }))
  const transport = createTransport(config)
  const outbox = new OutboxRepo(store.db)
  const metrics = new VoicemailMetrics({ outbox, link })
  const mwi = new MwiService({
    store: store.lampReads,
    link,
    log: log.child({ component: 'mwi' }),
    onRefreshed: (ms) => metrics.lampRefreshed(ms),
  })
  // Every lamp refresh (a change by phone, page, mail worker or forward) also tells the open voicemail pages.
  const boxEvents = new BoxEventHub()
  const lamps = boxEvents.observe(mwi)
  const mailWorker = new OutboxWorker({
    store,
    files,
    transport,
    config,
    clock,
    mwi: lamps,
    outbox,
    log: log.child({ component: 'mail' }),
    onAttempt: (outcome, queuedForMs) => metrics.mailAttempt(outcome, queuedForMs),
  })
  // A broken operator template must stop the start, not silently hold every mail in the queue.
  await mailWorker.verifyTemplates().catch(async (err: unknown) => {
    await store.close().catch(() => undefined)
    throw new StartupError('mail templates have problems', { cause: err })
  })
  const mail = new MailNotifier({
    store,
    config,
    clock,
    log: log.child({ component: 'mail' }),
    worker: mailWorker,
  })

  const deps: FlowDeps = {
    config,
    store,
    files,
    mail,
    mwi: lamps,
    directory: freeswitchDirectory(link),
    prompts: new Prompts(config.prompts),
    clock,
    log,
    events: metrics,
  }

  // voicemailctl's way in, opened before the ports: what is left of the start after "listening for FreeSWITCH"
  // stays as short as it was (main.ts handles SIGTERM only once the start is over). Another daemon answering on it
  // stops this one: two daemons on one state directory would each run the jobs and send the mail. The scheduler is
  // handed over once it exists.
  let scheduler: JobScheduler | undefined = undefined
  const control = new ControlServer(
    controlSocketPath(config.stateDir),
    controlHandlers({ lamps, mwi, link, mailWorker, jobs: () => scheduler }),
    log.child({ component: 'control' }),
  )
  await control.start().catch(async (err: unknown) => {
    await store.close().catch(() => undefined)
    throw new StartupError(`cannot open the control socket ${control.path}`, { cause: err })
  })

  const server = new OutboundServer({
    host: config.listen.host,
    port: config.listen.port,
    allowFrom: config.listen.allowFrom,
    prompts: { language: config.prompts.language },
    log: log.child({ component: 'calls' }),
    handler: (call, callLog) =>
      metrics.observeCall(call.info.variables.get('vm_action'), () => routeCall(call, deps, callLog)),
  })
  const address = await server.start().catch(async (err: unknown) => {
    await control.stop()
    await store.close().catch(() => undefined)
    throw new StartupError(`cannot listen on ${config.listen.host}:${config.listen.port}`, { cause: err })
  })
  log.info(address, 'listening for FreeSWITCH')

  let web: App['web']
  if (config.http.enabled) {
    const http = config.http
    const webServer = new WebServer({
      deps,
      http,
      sessions: new SessionStore(clock, {
        idleMs: http.sessionIdleMinutes * 60_000,
        maxMs: http.sessionMaxHours * 3_600_000,
      }),
      hub: boxEvents,
      metrics,
      health: { link, store, outbox, stateDir: config.stateDir, now: () => clock.now() },
      clock,
      log: log.child({ component: 'web' }),
    })
    const webAddress = await webServer.start().catch(async (err: unknown) => {
      await server.stop(0).catch(() => undefined)
      await control.stop()
      await store.close().catch(() => undefined)
      throw new StartupError(`cannot listen on ${http.host}:${http.port} (http)`, { cause: err })
    })
    web = { server: webServer, address: webAddress }
  }

  const jobContext = { deps, store, files, mwi, mailWorker, link, watchesRecordings: true }
  // Recordings a daemon was killed in the middle of: adopted once FreeSWITCH has finished them (SPEC §8, within
  // 60 s of the restart). It looks as soon as a node connects, then every few seconds.
  const watch = new RecordingWatch(
    jobContext,
    freeswitchChannelProbe(link),
    log.child({ component: 'recording-watch' }),
  )
  link.onConnect(() => watch.poke())
  watch.start()
  link.start()
  const jobs = new JobScheduler(createJobs(jobContext), {
    clock,
    log: log.child({ component: 'jobs' }),
  })
  if (options.schedules !== false) jobs.start(config.jobs)
  // Orphan files of older crashes, interrupted deletions, sizes: checked now, not at 03:45.
  void jobs.run('reconcile').catch((err: unknown) => log.error({ err }, 'startup reconcile failed'))
  scheduler = jobs

  const app: App = {
    address,
    store,
    deps,
    jobs,
    link,
    mailWorker,
    server,
    ...(web === undefined ? {} : { web }),
    metrics,
    control,
    async reload(next: Config): Promise<void> {
      if (next.listen.host !== config.listen.host || next.listen.port !== config.listen.port) {
        log.warn({ listen: next.listen }, 'listen address changed: restart the daemon to apply it')
      }
      if (JSON.stringify(next.http) !== JSON.stringify(config.http)) {
        log.warn({}, 'http section changed: restart the daemon to apply it')
      }
      config = next
      deps.config = next
      deps.prompts = new Prompts(next.prompts)
      // SMTP settings, From address, retry policy and templates apply from the next mail on.
      await mailWorker
        .reconfigure(next, createTransport(next))
        .catch((err: unknown) => log.error({ err }, 'mail settings not reloaded: keeping the previous ones'))
      const applied = await applyDeclarations(store, next)
      if (options.schedules !== false) jobs.start(next.jobs)
      log.info({ created: applied.created, updated: applied.updated }, 'configuration reloaded')
    },
    async stop(): Promise<void> {
      const steps: Array<[string, () => Promise<void>]> = [
        // First: from now on voicemailctl works on the database alone instead of asking a daemon that is leaving.
        ['control', () => control.stop()],
        ['web', async () => web?.server.stop()],
        ['calls', () => server.stop(config.drainSeconds * 1000)],
        ['jobs', () => jobs.stop()],
        ['recording watch', () => watch.stop()],
        ['mail', () => mailWorker.stop()],
        ['inbound', () => link.close()],
        ['store', () => store.close()],
      ]
      for (const [name, step] of steps) {
        await step().catch((err: unknown) => log.error({ err, step: name }, 'stop step failed'))
      }
      log.info({}, 'stopped')
    },
  }
  return app
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true })
    await access(dir, constants.W_OK | constants.R_OK | constants.X_OK)
  } catch (err) {
    throw new StartupError(`state directory ${dir} is not writable`, { cause: err })
  }
}
