import t from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { BYTES_PER_SECOND, WAV_HEADER_BYTES } from '../../lib/quota/audio-format.js'
import { roomLeft } from '../../lib/quota/box-quota.js'
import { RecordingsInFlight, type InFlightClaim } from '../../lib/store/recordings-in-flight.js'
import { makeBox, openTestStore } from './fixture.js'

const MiB = 1024 * 1024
const seconds = (s: number): number => WAV_HEADER_BYTES + s * BYTES_PER_SECOND
// As quota/rules.ts derives them for minMessageSeconds 3: a 3 s message, and 3.5 s per caller in flight.
const sizes = { minMessageBytes: seconds(3), floorBytes: seconds(3.5) }

function setup(usedBytes = 0): {
  clock: ManualClock
  inFlight: RecordingsInFlight
  used: { bytes: number }
  admit: (quota: number) => Promise<InFlightClaim | undefined>
} {
  const clock = new ManualClock()
  // A watch interval no test waits for: the tests call check() themselves at chosen clock times.
  const inFlight = new RecordingsInFlight(clock, {
    watchIntervalMs: 3_600_000,
    watchMaxIntervalMs: 3_600_000,
  })
  const used = { bytes: usedBytes }
  const admit = (quota: number): Promise<InFlightClaim | undefined> =>
    inFlight.admit('box', quota, () => Promise.resolve(used.bytes), sizes)
  return { clock, inFlight, used, admit }
}

void t.test('60 callers into an empty 10 MiB box are all let in', async (t) => {
  const { inFlight, admit } = setup()
  const claims = await Promise.all(Array.from({ length: 60 }, () => admit(10 * MiB)))
  t.equal(claims.filter((c) => c !== undefined).length, 60, 'nobody hears "full" while there is room')
  t.equal(inFlight.bytes('box'), 60 * sizes.floorBytes, 'each counts for a minimum message plus the margin')
  for (const c of claims) c?.release()
  t.equal(inFlight.bytes('box'), 0)
})

void t.test('a caller hears "full" only when less than a minimum message is left', async (t) => {
  const quota = 100 * BYTES_PER_SECOND
  const { admit, used } = setup(quota - seconds(3) + 1)
  t.equal(await admit(quota), undefined, 'one byte short of a minimum message: full')
  used.bytes = quota - seconds(3)
  const claim = await admit(quota)
  t.ok(claim !== undefined, 'exactly a minimum message: let in')
  t.equal(await admit(quota), undefined, 'that room is now set aside for the caller let in')
})

void t.test('each take is capped at the room left for it', async (t) => {
  const quota = seconds(20)
  const { admit, inFlight, clock, used } = setup()
  const usedBytes = (): Promise<number> => Promise.resolve(used.bytes)
  const a = await admit(quota)
  const b = await admit(quota)
  if (a === undefined || b === undefined) throw new Error('both should be let in')
  t.equal(
    await inFlight.roomFor(a, quota, usedBytes),
    quota - sizes.floorBytes,
    'room minus the other caller',
  )
  a.startRecording(() => undefined)
  clock.advance(10_000)
  t.equal(
    await inFlight.roomFor(b, quota, usedBytes),
    quota - seconds(10),
    'a recording in progress counts what it has recorded so far',
  )
  a.finishTake(seconds(12))
  t.equal(await inFlight.roomFor(b, quota, usedBytes), quota - seconds(12), 'a finished take counts its size')
  a.discardTake()
  t.equal(
    await inFlight.roomFor(b, quota, usedBytes),
    quota - sizes.floorBytes,
    'a discarded take: the floor',
  )
})

void t.test('the watch ends recordings once the box reaches its quota, never under the floor', async (t) => {
  const quota = seconds(10)
  const { admit, inFlight, clock } = setup()
  const stops: string[] = []
  const a = await admit(quota)
  const b = await admit(quota)
  if (a === undefined || b === undefined) throw new Error('both should be let in')
  a.startRecording(() => stops.push('a'))
  clock.advance(2_000)
  b.startRecording(() => stops.push('b'))
  clock.advance(1_000)
  t.equal(await inFlight.check('box'), 0, '3 s + the floor 3.5 s < 10 s: nothing to end')
  clock.advance(2_900)
  // a: 5.9 s, b: 3.9 s: 9.8 s.
  t.equal(await inFlight.check('box'), 0, 'still under the quota')
  clock.advance(200)
  // a: 6.1 s, b: 4.1 s: over the quota; both past their floor.
  t.equal(await inFlight.check('box'), 2, 'both ended at the quota')
  t.same(stops, ['a', 'b'])
  t.ok(a.stoppedForQuota && b.stoppedForQuota, 'the flow will tell them why')
  t.equal(await inFlight.check('box'), 0, 'a recording is ended once')
})

void t.test('a recording under its floor goes on until it reaches it', async (t) => {
  const quota = seconds(7)
  const { admit, inFlight, clock } = setup()
  const stops: string[] = []
  const a = await admit(quota)
  a?.startRecording(() => stops.push('a'))
  clock.advance(1_000)
  const b = await admit(quota)
  if (a === undefined || b === undefined) throw new Error('both should be let in (7 s − 3.5 s ≥ 3 s)')
  b.startRecording(() => stops.push('b'))
  clock.advance(2_500)
  // a: 3.5 s, b: 2.5 s counted 3.5 s: 7 s reached.
  t.equal(await inFlight.check('box'), 1, 'only the caller past the floor is ended')
  t.same(stops, ['a'])
  a.finishTake(seconds(3.5))
  clock.advance(1_000)
  t.equal(await inFlight.check('box'), 1, 'the other one at its floor')
  t.same(stops, ['a', 'b'])
  b.finishTake(seconds(3.5))
  t.ok(inFlight.bytes('box') <= quota + BYTES_PER_SECOND, 'over the quota by less than a second')
})

void t.test('a claim released while a usage query runs is counted on the safe side', async (t) => {
  const clock = new ManualClock()
  const inFlight = new RecordingsInFlight(clock, {
    watchIntervalMs: 3_600_000,
    watchMaxIntervalMs: 3_600_000,
  })
  const quota = seconds(10)
  const first = await inFlight.admit('box', quota, () => Promise.resolve(0), sizes)
  if (first === undefined) throw new Error('let in')
  first.finishTake(seconds(6))
  const second = await inFlight.admit(
    'box',
    quota,
    () => {
      // The first message's row is written while this query runs: it sees the row *and* the claim goes away.
      first.release()
      return Promise.resolve(seconds(6))
    },
    sizes,
  )
  t.equal(second, undefined, 'never counted as free twice: 10 − 6 − 6 < 3')
  first.release()
  t.equal(inFlight.bytes('box'), 0, 'release is idempotent')
})

void t.test('the watch timer runs only while a box has recordings in progress', async (t) => {
  const clock = new ManualClock()
  const inFlight = new RecordingsInFlight(clock, { watchIntervalMs: 5, watchMaxIntervalMs: 5 })
  const quota = seconds(10)
  const a = await inFlight.admit('box', quota, () => Promise.resolve(0), sizes)
  if (a === undefined) throw new Error('let in')
  let stopped = false
  a.startRecording(() => (stopped = true))
  clock.advance(10_500)
  for (let i = 0; i < 100 && !stopped; i++) await new Promise((r) => setTimeout(r, 5))
  t.ok(stopped, 'the timer ended the recording at the quota')
  a.finishTake(seconds(10.5))
  a.release()
  t.equal(inFlight.bytes('box'), 0, 'box forgotten once its last caller left')
})

void t.test('a box far from its quota is looked at rarely, one at its quota often', async (t) => {
  const clock = new ManualClock()
  const inFlight = new RecordingsInFlight(clock, { watchIntervalMs: 5, watchMaxIntervalMs: 10_000 })
  const queries = { far: 0, near: 0 }
  const far = await inFlight.admit('far', 10 * MiB, () => Promise.resolve(queries.far++ * 0), sizes)
  // Room for exactly one caller's floor: full as soon as it records.
  const near = await inFlight.admit(
    'near',
    sizes.floorBytes,
    () => Promise.resolve(queries.near++ * 0),
    sizes,
  )
  if (far === undefined || near === undefined) throw new Error('both let in')
  queries.far = 0
  queries.near = 0
  far.startRecording(() => undefined)
  near.startRecording(() => undefined)
  // Wait for the box with no room to be looked at 5 times (200 ms wall clock would do on an idle machine).
  for (let i = 0; i < 1000 && queries.near < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.ok(queries.near >= 5, 'no room: looked at again and again')
  t.ok(queries.far <= 2, `10 MiB of room: meanwhile looked at ${queries.far} time(s) (next look in 10 s)`)
  far.release()
  near.release()
})

void t.test('a box’s room left counts the callers in flight', async (t) => {
  const { store } = await openTestStore(t)
  const box = await store.mailboxes.update((await makeBox(store)).rowId, { quotaBytes: seconds(20) })
  const deps = {
    store,
    config: { defaultQuotaBytes: 1, recording: { minMessageSeconds: 3, maxMessageSeconds: 60 } },
  }
  t.equal(await roomLeft(box, deps), seconds(20), 'an empty box')
  const claim = await store.recordings.admit(box.rowId, seconds(20), () => store.bytesUsed(box.rowId), sizes)
  t.equal(await roomLeft(box, deps), seconds(20) - sizes.floorBytes, 'less a caller in flight')
  claim?.release()
  t.equal(await roomLeft(box, deps), seconds(20), 'released')
})

void t.test('a failing usage query is reported and the watch tries again', async (t) => {
  const clock = new ManualClock()
  const errors: unknown[] = []
  const inFlight = new RecordingsInFlight(clock, {
    watchIntervalMs: 5,
    watchMaxIntervalMs: 5,
    onWatchError: (err) => errors.push(err),
  })
  let fail = false
  const claim = await inFlight.admit(
    'box',
    seconds(10),
    () => (fail ? Promise.reject(new Error('database is locked')) : Promise.resolve(0)),
    sizes,
  )
  if (claim === undefined) throw new Error('let in')
  fail = true
  claim.startRecording(() => undefined)
  for (let i = 0; i < 1000 && errors.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  t.ok(errors.length >= 2, 'reported, and tried again')
  claim.release()
})
