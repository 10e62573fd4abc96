/**
 * The whole daemon on loopback, for end-to-end tests: a temp state directory, the real `startApp` wiring (real
 * SQLite, real outbound listener on port 0, real inbound ESL link), the FreeSWITCH simulator on both sides, and
 * mail to the spool folder (tests that need SMTP pass their own `smtp` config).
 */
import type { Test } from 'tap'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock, type Clock } from '../../lib/clock.js'
import { parseConfig } from '../../lib/config/parse.js'
import type { Config } from '../../lib/config/types.js'
import { silentLogger, type Logger } from '../../lib/log.js'
import type { AudioFiles } from '../../lib/store/audio-files.js'
import type { Mailbox, Message } from '../../lib/store/types.js'
import { startApp, type App } from '../../daemon/app.js'
import { FreeswitchSimulator, type CallerScript, type CallOptions, type SimCall } from './freeswitch/index.js'
import type { InboundServer } from './freeswitch/inbound-server.js'

export interface HarnessOptions {
  /** Config document (as in the YAML file); `stateDir`, `listen` and `freeswitch` are filled in. */
  config?: Record<string, unknown>
  /** Users FreeSWITCH's directory knows (`user@domain`), for auto-provisioning. */
  users?: string[]
  clock?: Clock
  seed?: number
  /**
   * Real ms per simulated ms. 0.05 compresses a 30-second call into 1.5 s while keeping a few ms of daemon latency
   * (CI on 2 busy cores) from shifting scripted key presses by whole seconds of simulated time.
   */
  timeScale?: number
  /** Defaults for every simulated call. */
  call?: CallOptions
  /** Where the daemon logs (default: nowhere). */
  log?: Logger
  /** The daemon's audio file layer (see AppOptions.files): a failing one stands for a crash between two steps. */
  files?: (stateDir: string) => AudioFiles
  /** How often a box with recordings in progress is checked against its quota (real ms; the app's option). */
  quotaWatchMs?: number
}

export interface Harness {
  /** The running daemon (a new one after `restart`). */
  readonly app: App
  sim: FreeswitchSimulator
  /** The simulated FreeSWITCH's inbound ESL side (sendevent capture, registrar, user directory). */
  fs: InboundServer
  config: Config
  clock: Clock
  dir: string
  /** Place a call to the daemon; resolves with the finished call. */
  call(script: CallerScript, options?: CallOptions): SimCall
  box(id: string, domain?: string): Promise<Mailbox>
  messages(id: string, domain?: string): Promise<Message[]>
  /** Files in the mail spool. */
  spool(): Promise<string[]>
  /**
   * Stop the daemon and start a new one on the same state directory, config and clock, as after a crash and a
   * restart by systemd; `files` replaces (or, when undefined, drops) the injected file layer.
   */
  restart(options?: { files?: (stateDir: string) => AudioFiles }): Promise<App>
}

export async function startHarness(t: Test, options: HarnessOptions = {}): Promise<Harness> {
  // Not t.testdir(): its removal could run before the daemon has stopped writing (mail spool, WAL).
  const dir = await mkdtemp(join(tmpdir(), 'voicemaild-test-'))
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 10, 26, 11, 0, 0))
  const sim = new FreeswitchSimulator({
    seed: options.seed ?? 1,
    timeScale: options.timeScale ?? 0.05,
    // Relative prompt paths are files of FreeSWITCH's sound pack, which a real PBX has installed.
    call: { promptExists: (path) => !path.startsWith('/') || existsSync(path), ...options.call },
  })
  const inbound = await sim.listen({ password: 'ClueCon', users: options.users ?? [] })
  const parsed = parseConfig(
    {
      defaultDomain: 'pbx.test',
      ...options.config,
      stateDir: dir,
      freeswitch: [{ host: inbound.host, port: inbound.port, password: 'ClueCon' }],
    },
    {},
    { baseDir: dir },
  )
  // Port 0 is not a valid config value (operators need a fixed port), but tests need an ephemeral one.
  const config: Config = {
    ...parsed,
    listen: { ...parsed.listen, port: 0 },
    http: { ...parsed.http, port: 0 },
  }
  const start = async (files?: (stateDir: string) => AudioFiles): Promise<App> => {
    const started = await startApp(config, options.log ?? silentLogger(), {
      clock,
      schedules: false,
      ...(files === undefined ? {} : { files }),
      ...(options.quotaWatchMs !== undefined ? { quotaWatchMs: options.quotaWatchMs } : {}),
    })
    // Tests that need the directory (auto-provisioning) or lamps expect the inbound link to be up.
    for (let i = 0; i < 200 && !started.link.connected; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return started
  }
  let app = await start(options.files)
  t.teardown(async () => {
    await app.stop()
    await sim.close()
    await rm(dir, { recursive: true, force: true })
  })
  const domainOf = (domain?: string): string => domain ?? config.defaultDomain
  return {
    get app() {
      return app
    },
    sim,
    fs: inbound,
    config,
    clock,
    dir,
    call: (script, callOptions) =>
      sim.call({ host: '127.0.0.1', port: app.address.port }, script, callOptions),
    async box(id, domain) {
      const box = await app.store.mailboxes.find(domainOf(domain), id)
      if (box === undefined) throw new Error(`no mailbox ${id}`)
      return box
    },
    async messages(id, domain) {
      const box = await app.store.mailboxes.find(domainOf(domain), id)
      if (box === undefined) return []
      return [
        ...(await app.store.messages.listForOwner(box.rowId, 'new')),
        ...(await app.store.messages.listForOwner(box.rowId, 'saved')),
      ]
    },
    async spool() {
      return readdir(join(dir, 'mail-spool')).catch(() => [])
    },
    async restart(restartOptions = {}) {
      await app.stop()
      app = await start(restartOptions.files)
      return app
    },
  }
}
