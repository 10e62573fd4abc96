/**
 * The ESL layer against the shared FreeSWITCH simulator (test/support/freeswitch/): the same protocol as the raw
 * peers in the other files, but with FreeSWITCH's execute model, DTMF queue, record app, linger and random TCP
 * chunking.
 */
import t, { type Test } from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Call, PlayResult, RecordResult } from '../../lib/esl/call.js'
import { HangupError } from '../../lib/esl/errors.js'
import { InboundLink } from '../../lib/esl/inbound.js'
import type { FsEvent } from '../../lib/esl/link.js'
import { silentLogger } from '../../lib/log.js'
import type { CallEnd, CallHandler } from '../../lib/esl/outbound-server.js'
import { FreeswitchSimulator, type CallerScript, type CallOptions } from '../support/freeswitch/index.js'
import { startServer } from './harness.js'

async function run(
  t: Test,
  handler: CallHandler,
  script: CallerScript,
  options: CallOptions = {},
): Promise<{ end: CallEnd; transcript: Awaited<ReturnType<FreeswitchSimulator['call']>['finished']> }> {
  // Compressed time (the default 0.01) turns a few ms of daemon latency under a loaded CI machine into seconds of
  // simulated time: a digit scripted "1.2 s into the greeting" could then land after it. 0.2 keeps this robust.
  const sim = new FreeswitchSimulator({ seed: 11, timeScale: 0.2 })
  t.teardown(() => sim.close())
  const { port, nextEnd } = await startServer(t, handler)
  const call = sim.call({ host: '127.0.0.1', port }, script, options)
  const [transcript, end] = await Promise.all([call.finished, nextEnd()])
  return { end, transcript }
}

/**
 * Prompt files in a fresh temp dir (not `t.testdir()`: its path is fixed per test name, so two runs of this file
 * at once, e.g. by two engineers in the same checkout, would delete each other's files).
 */
function prompts(t: Test): { dir: string; greeting: string; beep: string; pin: string } {
  const dir = mkdtempSync(join(tmpdir(), 'voicemaild-esl-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const name of ['greeting.wav', 'beep.wav', 'pin.wav']) writeFileSync(join(dir, name), 'x')
  return { dir, greeting: join(dir, 'greeting.wav'), beep: join(dir, 'beep.wav'), pin: join(dir, 'pin.wav') }
}

void t.test(
  'a whole call: * during the greeting, a PIN, a recording ended by #, then one ended by hangup',
  async (t) => {
    const p = prompts(t)
    let greeting: PlayResult | undefined
    let missing: PlayResult | undefined
    let pin = ''
    const recordings: RecordResult[] = []
    const { end, transcript } = await run(
      t,
      async (call: Call) => {
        await call.answer()
        greeting = await call.play(p.greeting, { terminators: '*#' })
        missing = await call.play(join(p.dir, 'missing.wav'))
        pin = await call.collect({ prompt: p.pin, min: 4, max: 8, timeoutMs: 3000 })
        await call.flushDtmf()
        recordings.push(
          await call.record(join(p.dir, 'm1.wav'), {
            maxSeconds: 30,
            silenceThreshold: 200,
            silenceSeconds: 3,
          }),
        )
        await call.play(p.beep)
        recordings.push(
          await call.record(join(p.dir, 'm2.wav'), {
            maxSeconds: 30,
            silenceThreshold: 200,
            silenceSeconds: 3,
          }),
        )
      },
      {
        callerIdName: 'Jürgen 日本',
        actions: [{ when: { onPlayback: /greeting/, afterMs: 1200 }, press: '*' }],
        entries: ['4821#'],
        records: [
          { speakMs: 1500, then: { press: '#' } },
          { speakMs: 2500, then: 'hangup' },
        ],
      },
    )
    t.equal(end.outcome, 'completed')
    t.equal(greeting?.terminator, '*', '* during the greeting is reported')
    t.equal(greeting?.played, true)
    t.equal(missing?.played, false, 'a missing prompt is an outcome')
    t.equal(pin, '4821')
    t.equal(recordings[0]?.terminator, '#')
    t.equal(recordings[0]?.hungUp, false)
    t.ok((recordings[0]?.durationMs ?? 0) >= 1500, 'record_ms of the first recording')
    t.equal(recordings[1]?.hungUp, true, 'second recording ended by hangup')
    // The simulator runs compressed time; its record_ms can fall a little short of speakMs.
    t.ok((recordings[1]?.durationMs ?? 0) >= 2000, 'record_ms still known after the hangup (linger)', {
      got: recordings[1],
    })
    t.ok(transcript.exitReceived, 'exit sent')
    t.same(transcript.violations, [], 'no protocol violations')
    t.same(
      transcript.commands.slice(0, 4).map((c) => c.line),
      ['connect', 'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE', 'myevents', 'linger'],
    )
  },
)

void t.test('caller hangs up during a playback: HangupError, exit, socket released', async (t) => {
  const p = prompts(t)
  let error: unknown
  const { end, transcript } = await run(
    t,
    async (call) => {
      await call.answer()
      await call.play(p.greeting).catch((err: unknown) => {
        error = err
        throw err
      })
    },
    { actions: [{ when: { onPlayback: /greeting/, afterMs: 500 }, hangup: true }] },
  )
  t.type(error, HangupError)
  t.equal(end.outcome, 'hangup')
  t.ok(transcript.exitReceived)
  t.same(transcript.violations, [])
})

void t.test(
  'a raw %FF in the caller name (FreeSWITCH passes %XX through) does not crash the daemon',
  async (t) => {
    let name = ''
    const { end } = await run(
      t,
      (call) => {
        name = call.info.callerIdName
        return Promise.resolve()
      },
      { callerIdName: '100%FF' },
      { rawPercent: true },
    )
    t.equal(end.outcome, 'completed')
    t.equal(name, '100%FF')
  },
)

void t.test('without "full" linger and event are refused: the call still works', async (t) => {
  const p = prompts(t)
  let played: PlayResult | undefined
  const { end, transcript } = await run(
    t,
    async (call) => {
      await call.answer()
      played = await call.play(p.beep)
    },
    {},
    { control: 'single-channel' },
  )
  t.equal(end.outcome, 'completed')
  t.equal(played?.played, true, 'executes complete over myevents alone')
  const refused = transcript.frames.filter((f) => f.kind === 'reply' && f.label.startsWith('-ERR')).length
  t.ok(refused >= 2, 'FreeSWITCH refused linger and event')
})

void t.test('the flow ends while the call is up: hung up, then exit', async (t) => {
  const { end, transcript } = await run(t, (call) => call.answer(), {})
  t.equal(end.outcome, 'completed')
  const hangups = transcript.commands.filter(
    (c) => c.line === 'sendmsg' && c.headers.some(([k, v]) => k === 'call-command' && v === 'hangup'),
  )
  t.equal(hangups.length, 1, 'one hangup')
  t.ok(transcript.exitReceived, 'then exit')
})

void t.test(
  'inbound link against the simulator: auth, api, MESSAGE_QUERY, raw sendevent, reconnect',
  async (t) => {
    const sim = new FreeswitchSimulator({ seed: 5 })
    t.teardown(() => sim.close())
    const fs = await sim.listen({ users: ['1000@pbx.test'] })
    const link = new InboundLink(
      [{ host: '127.0.0.1', port: fs.port, password: 'ClueCon' }],
      silentLogger(),
      {
        initialBackoffMs: 20,
        maxBackoffMs: 100,
      },
    )
    t.teardown(() => link.close())
    const queries: FsEvent[] = []
    let connects = 0
    let onConnect = (): void => undefined
    let onQuery = (): void => undefined
    link.onEvent('MESSAGE_QUERY', (e) => {
      queries.push(e)
      onQuery()
    })
    link.onConnect(() => {
      connects += 1
      onConnect()
    })
    const connected = new Promise<void>((resolve) => (onConnect = resolve))
    link.start()
    await connected

    t.equal((await link.api('user_exists id 1000 pbx.test')).trim(), 'true')
    t.equal((await link.api('user_exists id 9999 pbx.test')).trim(), 'false')

    const queried = new Promise<void>((resolve) => (onQuery = resolve))
    sim.registrar.register({ user: '1000', domain: 'pbx.test', callId: 'reg-1@192.0.2.10' })
    await queried
    t.equal(queries[0]?.headers.get('Message-Account'), 'sip:1000@pbx.test')
    t.equal(queries[0]?.headers.get('VM-Call-ID'), 'reg-1@192.0.2.10')

    await link.sendEvent('MESSAGE_WAITING', [
      ['MWI-Messages-Waiting', 'yes'],
      ['MWI-Message-Account', 'sip:1000@pbx.test'],
      ['MWI-Voice-Message', '1/0 (0/0)'],
      ['Call-ID', 'reg-1@192.0.2.10'],
    ])
    t.equal(fs.sentEvents.at(-1)?.name, 'MESSAGE_WAITING')
    t.same(fs.violations, [], 'values went out raw, one per line')

    const reconnected = new Promise<void>((resolve) => (onConnect = resolve))
    await fs.restart({ graceful: true })
    await reconnected
    t.equal(connects, 2, 'onConnect fired again after the restart')
    t.equal(fs.authCount, 2)
    t.equal((await link.api('user_exists id 1000 pbx.test')).trim(), 'true', 'api works after reconnect')
  },
)
