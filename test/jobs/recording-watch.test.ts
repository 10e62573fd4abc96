import { randomUUID } from 'node:crypto'
import { access } from 'node:fs/promises'
import t, { type Test } from 'tap'
import type { ChannelProbe, NodeChannels } from '../../lib/esl/channel-probe.js'
import { reconcileJob, messageSettleMs } from '../../lib/jobs/reconcile.js'
import { QUIET_MS } from '../../lib/jobs/recording-verdict.js'
import { RecordingWatch } from '../../lib/jobs/recording-watch.js'
import { silentLogger } from '../../lib/log.js'
import type { Mailbox } from '../../lib/store/types.js'
import { buildWav } from '../support/freeswitch/wav.js'
import { box, jobFixture, writeAged, type JobFixture } from './fixture.js'

/**
 * The recording watch (SPEC §8 "nothing lost", issue 11 item 3): recordings a killed daemon left behind, each
 * with the note written before its `record`, are adopted as soon as FreeSWITCH has finished them, and not before.
 * FreeSWITCH is a scripted ChannelProbe here (the probe itself is tested against the simulator in
 * test/esl/channel-probe.test.ts); the store, the files and the adoption are real.
 */
const CORE = 'f2164025-556a-4897-b3af-413f3dc10336'
const NODE = '127.0.0.1:8021'

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  )

/** What FreeSWITCH says, settable per test: per call uuid, the app data its channel runs, or null (gone). */
class ScriptedProbe implements ChannelProbe {
  answers = new Map<string, string | null>()
  reachable = true
  coreUuid = CORE
  asked: string[][] = []
  look(callUuids: readonly string[]): Promise<NodeChannels[]> {
    this.asked.push([...callUuids])
    if (!this.reachable) return Promise.resolve([])
    const channels = new Map(callUuids.map((u) => [u, this.answers.get(u) ?? undefined] as const))
    return Promise.resolve([{ node: NODE, coreUuid: this.coreUuid, channels }])
  }
}

interface Interrupted {
  uuid: string
  path: string
  callUuid: string
  mtimeMs: number
}

/** A recording a killed daemon left: its note and its file (written `ageMs` ago). */
async function interrupted(
  f: JobFixture,
  b: Mailbox,
  options: { ageMs?: number; speechMs?: number; live?: boolean; file?: boolean } = {},
): Promise<Interrupted> {
  const uuid = randomUUID()
  const callUuid = randomUUID()
  const path = f.files.messagePath(b.domain, b.id, uuid)
  const mtimeMs = f.clock.now() - (options.ageMs ?? 1000)
  if (options.file !== false) await writeAged(path, buildWav(options.speechMs ?? 5000, 0), mtimeMs)
  await f.store.recordingJournal.begin({
    file: f.files.toStored(path),
    mailboxRowId: b.rowId,
    callUuid,
    coreUuid: CORE,
    callerIdName: 'Bob Caller',
    callerIdNumber: '5550100',
    startedAt: mtimeMs - 5000,
  })
  if (options.live !== true) f.store.recordingJournal.releaseCall(callUuid)
  return { uuid, path, callUuid, mtimeMs }
}

async function setup(
  t: Test,
): Promise<{ f: JobFixture; b: Mailbox; probe: ScriptedProbe; watch: RecordingWatch }> {
  const f = await jobFixture(t)
  const b = await box(f.store)
  const probe = new ScriptedProbe()
  const watch = new RecordingWatch(f.ctx, probe, silentLogger())
  return { f, b, probe, watch }
}

void t.test('FreeSWITCH still records it: the watch waits; the channel gone: adopted at once', async (t) => {
  const { f, b, probe, watch } = await setup(t)
  const r = await interrupted(f, b, { ageMs: 60 * 60 * 1000 })
  probe.answers.set(r.callUuid, `${r.path} 300 200 3`)

  t.match(await watch.sweep(f.clock.now()), { waiting: 1, adopted: 0 }, 'recording: waiting')
  t.equal(await f.store.messages.get(r.uuid), undefined, 'not adopted while recording, however old the file')
  t.same(probe.asked, [[r.callUuid]], 'FreeSWITCH was asked about the call')

  probe.answers.set(r.callUuid, null)
  f.clock.advance(5000)
  t.match(await watch.sweep(f.clock.now()), { waiting: 0, adopted: 1 }, 'channel gone: adopted')
  t.match(
    await f.store.messages.get(r.uuid),
    {
      folder: 'new',
      callerIdName: 'Bob Caller',
      callerIdNumber: '5550100',
      durationMs: 5000,
      receivedAt: Math.floor(r.mtimeMs),
      file: f.files.toStored(r.path),
    },
    'a new message with the caller from the note, received when FreeSWITCH finished the file',
  )
  t.same(f.mail.newMessages, [r.uuid], 'its mail queued (with the row)')
  t.same(f.mwi.refreshed, [{ box: '100@example.com', reason: 'NEW' }], 'its lamp lit')
  t.same(await f.store.recordingJournal.all(), [], 'the note is gone with the commit')
  t.match(await watch.sweep(f.clock.now()), { adopted: 0, waiting: 0 }, 'nothing more to do')
  t.same(f.mail.newMessages, [r.uuid], 'exactly one mail')
})

void t.test('the channel is up but past its record: adopted', async (t) => {
  const { f, b, probe, watch } = await setup(t)
  const r = await interrupted(f, b, { ageMs: 100 })
  probe.answers.set(r.callUuid, '')
  t.match(await watch.sweep(f.clock.now()), { adopted: 1 }, 'adopted at once, however recently written')
})

void t.test('FreeSWITCH unreachable: adopted once the file has not grown for QUIET_MS', async (t) => {
  const { f, b, probe, watch } = await setup(t)
  probe.reachable = false
  const r = await interrupted(f, b, { ageMs: 4000 })
  t.match(await watch.sweep(f.clock.now()), { waiting: 1, adopted: 0 }, 'written 4 s ago: waiting')
  f.clock.advance(QUIET_MS - 4000 - 1)
  t.match(await watch.sweep(f.clock.now()), { waiting: 1 }, 'still within QUIET_MS: waiting')
  f.clock.advance(1)
  t.match(await watch.sweep(f.clock.now()), { adopted: 1 }, 'quiet for QUIET_MS: adopted')
  t.ok(await f.store.messages.get(r.uuid), 'the message is stored')
})

void t.test('FreeSWITCH restarted since (another Core-UUID): the file decides', async (t) => {
  const { f, b, probe, watch } = await setup(t)
  probe.coreUuid = randomUUID()
  const r = await interrupted(f, b, { ageMs: 1000 })
  probe.answers.set(r.callUuid, null)
  t.match(
    await watch.sweep(f.clock.now()),
    { waiting: 1 },
    'its "no such channel" is not the call node speaking',
  )
  f.clock.advance(QUIET_MS)
  t.match(await watch.sweep(f.clock.now()), { adopted: 1 }, 'adopted once the file is quiet')
})

void t.test('a recording a live call of this process makes is never touched', async (t) => {
  const { f, b, probe, watch } = await setup(t)
  const r = await interrupted(f, b, { ageMs: 60 * 60 * 1000, live: true })
  probe.answers.set(r.callUuid, null)
  t.match(await watch.sweep(f.clock.now()), { adopted: 0, waiting: 0, dropped: 0 }, 'nothing done')
  t.same(probe.asked, [], 'not even asked about')
  t.equal(await f.store.messages.get(r.uuid), undefined, 'not adopted')
  const summary = await reconcileJob({ ...f.ctx, watchesRecordings: true })(f.clock.now())
  t.match(summary, { adopted: 0, recordingNow: 1 }, 'nor by reconcile, however old')
  f.store.recordingJournal.releaseCall(r.callUuid)
  t.match(
    await watch.sweep(f.clock.now()),
    { adopted: 1 },
    'once its flow ended (commit failed), it is adopted',
  )
})

void t.test('notes that need nothing more are dropped', async (t) => {
  const { f, b, probe, watch } = await setup(t)
  const noFile = await interrupted(f, b, { file: false })
  const stored = await interrupted(f, b)
  await f.store.messages.insert({
    uuid: stored.uuid,
    mailboxRowId: b.rowId,
    callerIdName: '',
    callerIdNumber: '',
    durationMs: 5000,
    sizeBytes: 80044,
    file: f.files.toStored(stored.path),
  })
  // storeNewMessage drops the note in its transaction; a bare insert (an older daemon) leaves it.
  const deleted = await interrupted(f, b)
  await f.store.tombstones.add([{ file: f.files.toStored(deleted.path) }], 'purged', f.clock.now())
  for (const r of [noFile, stored, deleted]) probe.answers.set(r.callUuid, null)

  t.match(await watch.sweep(f.clock.now()), { adopted: 0, dropped: 3, deletedRemoved: 1 })
  t.same(await f.store.recordingJournal.all(), [], 'every note dropped')
  t.notOk(await exists(deleted.path), 'the deleted message file is removed, never adopted')
  t.ok(await exists(stored.path), 'the stored message keeps its file')
  t.same(f.mail.newMessages, [], 'nobody mailed')
})

void t.test('a finished recording too short to keep is quarantined, its note dropped', async (t) => {
  const { f, b, probe, watch } = await setup(t)
  const r = await interrupted(f, b, { speechMs: 1000 })
  probe.answers.set(r.callUuid, null)
  t.match(await watch.sweep(f.clock.now()), { adopted: 0, quarantined: 1 }, 'quarantined')
  t.notOk(await exists(r.path), 'moved to quarantine')
  t.same(await f.store.recordingJournal.all(), [], 'its note dropped')
})

void t.test(
  'an adoption that fails is retried later, with a growing delay, and then done once',
  async (t) => {
    const { f, b, probe, watch } = await setup(t)
    const r = await interrupted(f, b)
    probe.answers.set(r.callUuid, null)
    await f.store.db.exec(
      `CREATE TRIGGER messages_fail BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'injected'); END`,
    )
    t.match(await watch.sweep(f.clock.now()), { failed: 1, adopted: 0 }, 'the database refuses')
    t.equal((await f.store.recordingJournal.all()).length, 1, 'the note stays')
    t.match(await watch.sweep(f.clock.now()), { failed: 0, adopted: 0 }, 'not retried at once')
    f.clock.advance(5000)
    t.match(await watch.sweep(f.clock.now()), { failed: 1 }, 'retried after 5 s')
    f.clock.advance(5000)
    t.match(await watch.sweep(f.clock.now()), { failed: 0 }, 'the next retry waits 10 s')
    await f.store.db.exec('DROP TRIGGER messages_fail')
    f.clock.advance(5000)
    t.match(await watch.sweep(f.clock.now()), { adopted: 1 }, 'adopted once the database works')
    t.same(f.mail.newMessages, [r.uuid], 'one mail')
  },
)

void t.test(
  'reconcile leaves young noted files to the watch; without one it uses the note after settling',
  async (t) => {
    const { f, b } = await setup(t)
    const young = await interrupted(f, b, { ageMs: 1000 })
    const old = await interrupted(f, b, { ageMs: messageSettleMs(f.config) + 1000 })

    const daemon = await reconcileJob({ ...f.ctx, watchesRecordings: true })(f.clock.now())
    t.match(daemon, { watched: 1, adopted: 1, deferred: 0 }, 'in the daemon: the young one is the watch’s')
    t.equal(daemon.rerunInMs, undefined, 'no rerun asked for it')
    t.match(
      await f.store.messages.get(old.uuid),
      { callerIdNumber: '5550100' },
      'the settled one adopted, with its caller',
    )

    const ctl = await reconcileJob(f.ctx)(f.clock.now())
    t.match(ctl, { watched: 0, deferred: 1 }, 'voicemailctl (no watch): the young one waits to settle')
    t.equal(await f.store.messages.get(young.uuid), undefined, 'not adopted')
    t.same(
      (await f.store.recordingJournal.all()).map((n) => n.callUuid),
      [young.callUuid],
      'only the young one is still noted',
    )
  },
)

void t.test(
  'start, poke, stop: looks run one at a time and stop waits for the one in progress',
  async (t) => {
    const { f, b, probe } = await setup(t)
    const watch = new RecordingWatch(f.ctx, probe, silentLogger(), 50)
    const r = await interrupted(f, b)
    probe.answers.set(r.callUuid, null)
    watch.start()
    watch.start()
    watch.poke()
    watch.poke() // joins: one more look after the running one
    for (let i = 0; i < 200 && (await f.store.messages.get(r.uuid)) === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    t.ok(await f.store.messages.get(r.uuid), 'adopted by a look the timer or a poke started')
    await watch.stop()
    await watch.stop()
    t.same(f.mail.newMessages, [r.uuid], 'once')
  },
)
