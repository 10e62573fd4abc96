/**
 * A whole PBX on loopback for the real tier: a real FreeSWITCH (its own config copy and ports), the real daemon
 * as a child process (`daemon/main.ts`, the same entry systemd runs) wired to it, a local SMTP server that
 * parses what arrives, and an event-socket connection of the test's own that watches every channel. Everything
 * is stopped at the test's teardown.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { openStore, type Store } from '../../../lib/store/index.js'
import type { Mailbox, Message } from '../../../lib/store/types.js'
import { SmtpSink } from '../../mail/fixture.js'
import { freePort } from '../ports.js'
import { spawnEntry, type Spawned } from '../spawn-daemon.js'
import { ESL_PASSWORD } from './conf.js'
import type { EslClient } from './esl-client.js'
import { RealFreeswitch } from './process.js'
import { CalledPhone, DeskPhone } from './sip-phone.js'
import { writeStandInCustomPrompts } from './sounds.js'
import { placeCall, type CallOptions, type TestCall } from './test-call.js'

export const DOMAIN = 'pbx.test'
export const SIP_PASSWORD = 'test-sip-secret'

export interface PbxOptions {
  /** YAML lines appended to the daemon's config (domains:, mailboxes:, recording:, …). */
  config?: string
  /** Directory users besides vanilla's 1000-1019 and the shipped 100-102 (id → XML inside `<user>`). */
  users?: Readonly<Record<string, string>>
  /** Extra default-context dialplan files (name → XML inside `<include>`). */
  defaultDialplan?: Readonly<Record<string, string>>
  /** Start the daemon (default true). */
  daemon?: boolean
  /** Extra environment of the FreeSWITCH process (e.g. `fakeClockEnv(...)` from faketime.ts). */
  freeswitchEnv?: Readonly<Record<string, string>>
  /** Leave mod_voicemail loaded, against the operator guide (doctor's check; the bench's side-by-side run). */
  keepModVoicemail?: boolean
  /** A test's own changes to FreeSWITCH's configuration copy, after the harness's (conf.ts `customize`). */
  customizeConf?: (confDir: string) => Promise<void>
  /** Where the dialplan's `socket` dials (default: the daemon's own port); e.g. a recording proxy in front of it. */
  socketPort?: number
  /** Where the daemon's inbound link connects (default: FreeSWITCH's event socket); e.g. a recording proxy. */
  daemonEslPort?: number
}

export interface Pbx {
  fs: RealFreeswitch
  /** The test's own event socket, subscribed to every channel event and the daemon's MESSAGE_WAITING. */
  esl: EslClient
  smtp: SmtpSink
  dir: string
  stateDir: string
  configPath: string
  daemonPort: number
  /** The voicemail page of the daemon (http://127.0.0.1:<httpPort>/). */
  httpPort: number
  /** The running daemon, if any. */
  daemon: Spawned | undefined
  startDaemon(): Promise<Spawned>
  /** SIGTERM and wait (a clean stop), or SIGKILL. */
  stopDaemon(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>
  /** A registered phone subscribed to its lamp (stopped at teardown). */
  phone(user: string): Promise<DeskPhone>
  /** A registered phone that is busy or rings unanswered when called. */
  calledPhone(user: string, answer: 'busy' | 'ring'): Promise<CalledPhone>
  /** A loopback call into the dialplan (caller leg plays a tone). */
  call(destination: string, options?: CallOptions): Promise<TestCall>
  /** A read connection to the daemon's database. */
  store(): Promise<Store>
  box(id: string): Promise<Mailbox | undefined>
  messages(id: string): Promise<Message[]>
  /** Daemon log lines (parsed JSON) so far, across restarts. */
  logs(): Array<Record<string, unknown>>
}

export async function startPbx(t: Test, options: PbxOptions = {}): Promise<Pbx> {
  const dir = await mkdtemp(join(tmpdir(), 'voicemaild-real-'))
  const stateDir = join(dir, 'state')
  const daemonPort = await freePort()
  // The voicemail page on a port of its own: test files run side by side, each with its daemon.
  const httpPort = await freePort()
  const fs = await RealFreeswitch.prepare(join(dir, 'fs'), {
    domain: DOMAIN,
    daemonPort: options.socketPort ?? daemonPort,
    sipPassword: SIP_PASSWORD,
    ...(options.users !== undefined ? { users: options.users } : {}),
    ...(options.defaultDialplan !== undefined ? { defaultDialplan: options.defaultDialplan } : {}),
    ...(options.freeswitchEnv !== undefined ? { env: options.freeswitchEnv } : {}),
    ...(options.keepModVoicemail !== undefined ? { keepModVoicemail: options.keepModVoicemail } : {}),
    ...(options.customizeConf !== undefined ? { customize: options.customizeConf } : {}),
  })
  const smtp = await SmtpSink.start(t)
  const customDir = await writeStandInCustomPrompts(join(dir, 'prompts'))
  const configPath = join(dir, 'voicemaild.yaml')
  await writeFile(
    configPath,
    [
      `stateDir: ${stateDir}`,
      `listen: { host: 127.0.0.1, port: ${daemonPort} }`,
      `http: { port: ${httpPort} }`,
      `freeswitch: [{ host: 127.0.0.1, port: ${options.daemonEslPort ?? fs.ports.esl}, password: ${ESL_PASSWORD} }]`,
      `smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false, from: "Voicemail <vm@${DOMAIN}>" }`,
      `defaultDomain: ${DOMAIN}`,
      `prompts: { customDir: ${customDir} }`,
      `drainSeconds: 5`,
      options.config ?? '',
      '',
    ].join('\n'),
  )

  const phones: Array<{ stop(): Promise<unknown> }> = []
  const stores: Store[] = []
  const daemons: Spawned[] = []
  let daemon: Spawned | undefined
  t.teardown(async () => {
    for (const p of phones) await p.stop()
    for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL')
    await Promise.all(daemons.map((d) => d.exited))
    for (const s of stores) await s.close().catch(() => undefined)
    await fs.stop(2000)
    if (process.env.VOICEMAILD_KEEP_REAL_DIR !== '1') await rm(dir, { recursive: true, force: true })
  })

  await fs.start()
  const esl = await fs.connect()
  await esl.subscribe(
    'CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE MESSAGE_WAITING MESSAGE_QUERY',
  )

  const pbx: Pbx = {
    fs,
    esl,
    smtp,
    dir,
    stateDir,
    configPath,
    daemonPort,
    httpPort,
    get daemon() {
      return daemon
    },
    async startDaemon() {
      const spawned = spawnEntry('daemon/main.ts', ['--config', configPath])
      daemons.push(spawned)
      daemon = spawned
      // Generous: the daemon compiles its TypeScript at start, which takes long on a loaded 2-core machine.
      await spawned.waitFor(/listening for FreeSWITCH/, 120_000)
      await spawned.waitFor(/FreeSWITCH event socket connected/, 15_000)
      return spawned
    },
    async stopDaemon(signal = 'SIGTERM') {
      const current = daemon
      if (current === undefined) return
      current.child.kill(signal)
      await current.exited
      daemon = undefined
    },
    async phone(user) {
      const phone = await DeskPhone.start(
        { user, domain: DOMAIN, password: SIP_PASSWORD, sipPort: fs.ports.sip },
        dir,
      )
      phones.push(phone)
      return phone
    },
    async calledPhone(user, answer) {
      const phone = await CalledPhone.start(
        { user, domain: DOMAIN, password: SIP_PASSWORD, sipPort: fs.ports.sip },
        answer,
        async () => (await esl.api(`sofia_contact internal/${user}@${DOMAIN}`)).includes('sip:'),
        dir,
      )
      phones.push(phone)
      return phone
    },
    call: (destination, callOptions) => placeCall(esl, destination, callOptions),
    async store() {
      const store = await openStore(join(stateDir, 'voicemail.db'), { now: () => Date.now() })
      stores.push(store)
      return store
    },
    async box(id) {
      const store = stores[0] ?? (await pbx.store())
      return store.mailboxes.find(DOMAIN, id)
    },
    async messages(id) {
      const store = stores[0] ?? (await pbx.store())
      const box = await store.mailboxes.find(DOMAIN, id)
      if (box === undefined) return []
      return [
        ...(await store.messages.listForOwner(box.rowId, 'new')),
        ...(await store.messages.listForOwner(box.rowId, 'saved')),
      ]
    },
    logs() {
      return daemons.flatMap((d) =>
        d
          .stdout()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      )
    },
  }
  if (options.daemon !== false) await pbx.startDaemon()
  return pbx
}
