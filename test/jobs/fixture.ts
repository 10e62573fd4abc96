import { randomUUID } from 'node:crypto'
import { mkdir, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Test } from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { defaults } from '../../lib/config/defaults.js'
import type { Config } from '../../lib/config/types.js'
import type { UpdateReason } from '../../lib/contracts/lamps.js'
import type { JobContext, JobMwi } from '../../lib/jobs/types.js'
import { silentLogger } from '../../lib/log.js'
import { AudioFiles } from '../../lib/store/audio-files.js'
import { openStore, type Store } from '../../lib/store/index.js'
import type { Mailbox, Message } from '../../lib/store/types.js'
import { buildWav } from '../support/freeswitch/wav.js'

/** Lamps as the jobs ask for them, recorded (the jobs only talk to this interface). */
export class RecordingMwi implements JobMwi {
  readonly refreshed: Array<{ box: string; reason: UpdateReason }> = []
  announced = 0
  refresh(box: Mailbox, reason: UpdateReason): Promise<void> {
    this.refreshed.push({ box: `${box.id}@${box.domain}`, reason })
    return Promise.resolve()
  }
  announceAll(): Promise<{ boxes: number; events: number }> {
    this.announced++
    return Promise.resolve({ boxes: 2, events: 3 })
  }
}

/** Mail requests, recorded. */
export class RecordingMail {
  readonly newMessages: string[] = []
  kicks = 0
  queueNewMessage(_box: Mailbox, message: Message): Promise<void> {
    this.newMessages.push(message.uuid)
    return Promise.resolve()
  }
  kick(): void {
    this.kicks++
  }
  mailboxFull(): Promise<void> {
    return Promise.resolve()
  }
  lockout(): Promise<void> {
    return Promise.resolve()
  }
  emailMessage(): Promise<void> {
    return Promise.resolve()
  }
}

export interface JobFixture {
  dir: string
  clock: ManualClock
  store: Store
  files: AudioFiles
  mwi: RecordingMwi
  mail: RecordingMail
  config: Config
  ctx: JobContext
}

/** Real SQLite and real files in the test's directory, a manual clock starting at real time (files get real mtimes). */
export async function jobFixture(t: Test, config: Partial<Config> = {}): Promise<JobFixture> {
  const dir = t.testdir()
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000)
  const store = await openStore(join(dir, 'voicemail.db'), clock)
  t.teardown(() => store.close())
  const files = new AudioFiles(dir)
  const mwi = new RecordingMwi()
  const mail = new RecordingMail()
  const full: Config = { ...defaults, stateDir: dir, ...config }
  const ctx: JobContext = { deps: { config: full, clock, log: silentLogger(), mail }, store, files, mwi }
  return { dir, clock, store, files, mwi, mail, config: full, ctx }
}

export async function box(store: Store, id = '100', domain = 'example.com'): Promise<Mailbox> {
  await store.domains.ensure(domain, { mode: 'dual', autoProvision: true, timezone: 'UTC' })
  return store.mailboxes.create({ domain, id, kind: 'personal' })
}

/** Write a WAV into the box's folder and store its row; resolves to the message. */
export async function message(
  f: JobFixture,
  target: Mailbox,
  options: { receivedAt?: number; speechMs?: number } = {},
): Promise<Message> {
  const uuid = randomUUID()
  const path = f.files.messagePath(target.domain, target.id, uuid)
  const wav = buildWav(options.speechMs ?? 4000, 0)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, wav)
  return f.store.messages.insert({
    uuid,
    mailboxRowId: target.rowId,
    callerIdName: 'Bob',
    callerIdNumber: '555',
    durationMs: options.speechMs ?? 4000,
    sizeBytes: wav.length,
    file: f.files.toStored(path),
    ...(options.receivedAt === undefined ? {} : { receivedAt: options.receivedAt }),
  })
}

/** Write a file and set its modification time. */
export async function writeAged(path: string, content: Buffer, mtimeMs: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, content)
  await utimes(path, mtimeMs / 1000, mtimeMs / 1000)
}

export const DAY = 24 * 60 * 60 * 1000
