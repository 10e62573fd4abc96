import t, { type Test } from 'tap'
import type { Call, PlayResult, RecordResult } from '../../lib/esl/call.js'
import { EslCommandError } from '../../lib/esl/errors.js'
import { FakeCall, reply } from './fake-fs.js'
import { startServer } from './harness.js'

/** Run `flow` on one call against a FakeCall driven by `script`; returns what the flow returned. */
async function withCall<T>(
  t: Test,
  flow: (call: Call) => Promise<T>,
  script: (fs: FakeCall) => Promise<void>,
): Promise<{ result: T | undefined; fs: FakeCall; outcome: string }> {
  let result: T | undefined
  const { port, nextEnd } = await startServer(t, async (call) => {
    result = await flow(call)
  })
  const fs = new FakeCall(port)
  await fs.handshake()
  await script(fs)
  // The end of the call: the daemon hangs up if still up, then exit.
  for (;;) {
    const c = await fs.reader.next()
    if (c.headers.get('call-command') === 'hangup') {
      fs.write(reply('+OK'))
      fs.hangup()
    } else if (c.line === 'exit') {
      fs.write(reply('+OK bye'))
      fs.socket.end()
      break
    }
  }
  const end = await nextEnd()
  return { result, fs, outcome: end.outcome }
}

void t.test('answer, play with * as terminator, collect, record: round trips', async (t) => {
  const seen: Array<{ app: string; arg: string }> = []
  const { result, outcome } = await withCall(
    t,
    async (call) => {
      await call.answer()
      const greeting = await call.play('/vm/100/greeting.wav', { terminators: '*#' })
      const pin = await call.collect({
        prompt: ['/p/enter-pin.wav', '/p/then-hash.wav'],
        min: 4,
        max: 8,
        timeoutMs: 5000,
      })
      const message = await call.record('/var/lib/voicemaild/rec/1.wav', {
        maxSeconds: 300,
        silenceThreshold: 200,
        silenceSeconds: 3,
      })
      return { greeting, pin, message, pinVar: call.variable('read_result') }
    },
    async (fs) => {
      const answer = await fs.nextExecute()
      seen.push(answer)
      fs.complete(answer.appUuid, 'answer')
      const set = await fs.nextExecute()
      const play = await fs.nextExecute()
      seen.push(set, play)
      fs.complete(set.appUuid, 'set')
      fs.event('DTMF', { 'DTMF-Digit': '*' })
      fs.event('PLAYBACK_STOP', { 'Playback-Status': 'break' })
      fs.complete(play.appUuid, 'playback', 'FILE PLAYED', {
        playback_terminator_used: '*',
        playback_last_offset_pos: '9600',
      })
      const pagd = await fs.nextExecute()
      seen.push(pagd)
      const variable = pagd.arg.split(' ')[7] ?? ''
      fs.complete(pagd.appUuid, 'play_and_get_digits', '_none_', {
        read_result: 'success',
        [variable]: '4821',
      })
      const set2 = await fs.nextExecute()
      const record = await fs.nextExecute()
      seen.push(set2, record)
      fs.complete(set2.appUuid, 'set')
      fs.event('RECORD_START', {})
      fs.event('DTMF', { 'DTMF-Digit': '#' })
      const vars = { record_ms: '1440', playback_terminator_used: '#', silence_hits_exhausted: 'false' }
      fs.event('RECORD_STOP', Object.fromEntries(Object.entries(vars).map(([k, v]) => [`variable_${k}`, v])))
      fs.complete(record.appUuid, 'record', '_none_', vars)
    },
  )
  t.equal(outcome, 'completed')
  t.same(
    seen.map((s) => `${s.app} ${s.arg}`.trim()),
    [
      'answer',
      'set playback_terminators=*#',
      'playback /vm/100/greeting.wav',
      'play_and_get_digits 4 8 1 5000 # file_string:///p/enter-pin.wav!/p/then-hash.wav silence_stream://250 vmd_digits_1 ^[0-9*#]+$ 5000',
      'set playback_terminators=#',
      'record /var/lib/voicemaild/rec/1.wav 300 200 3',
    ],
    'the apps and args FreeSWITCH received',
  )
  t.same(result?.greeting, { played: true, terminator: '*', offsetSamples: 9600 } satisfies PlayResult)
  t.equal(result?.pin, '4821')
  t.same(result?.message, {
    durationMs: 1440,
    terminator: '#',
    silenceEnded: false,
    hungUp: false,
  } satisfies RecordResult)
})

void t.test('missing prompt is played:false; no terminator when none configured', async (t) => {
  const { result } = await withCall(
    t,
    async (call) => [
      await call.play('/nope.wav'),
      await call.play(['/a.wav', '/b.wav'], { startSample: 8000 }),
    ],
    async (fs) => {
      const set = await fs.nextExecute()
      const play = await fs.nextExecute()
      t.equal(set.arg, 'playback_terminators=none', 'no terminators -> none')
      fs.complete(set.appUuid, 'set')
      fs.complete(play.appUuid, 'playback', 'FILE NOT FOUND')
      const set2 = await fs.nextExecute()
      const play2 = await fs.nextExecute()
      t.equal(play2.arg, 'file_string:///a.wav@@8000!/b.wav', 'list with start sample')
      fs.complete(set2.appUuid, 'set')
      // A stale terminator outside the requested set is not reported.
      fs.complete(play2.appUuid, 'playback', 'FILE PLAYED', { playback_terminator_used: '#' })
    },
  )
  t.same(result, [
    { played: false, offsetSamples: 0 },
    { played: true, offsetSamples: 0 },
  ])
})

void t.test('collect: failure, missing variable, too short are all empty', async (t) => {
  const { result } = await withCall(
    t,
    async (call) => {
      const opts = { prompt: '/p.wav', min: 4, max: 4, timeoutMs: 3000 }
      return [
        await call.collect(opts),
        await call.collect(opts),
        await call.collect(opts),
        await call.collect(opts),
      ]
    },
    async (fs) => {
      const a = await fs.nextExecute()
      fs.complete(a.appUuid, 'play_and_get_digits', '_none_', { read_result: 'failure', vmd_digits_1: '12' })
      const b = await fs.nextExecute()
      // Only a value from an earlier collect's variable: must not be taken for this one.
      fs.complete(b.appUuid, 'play_and_get_digits', '_none_', {
        read_result: 'timeout',
        vmd_digits_1: '1234',
      })
      const c = await fs.nextExecute()
      fs.complete(c.appUuid, 'play_and_get_digits', '_none_', { read_result: 'timeout', vmd_digits_3: '12' })
      const d = await fs.nextExecute()
      fs.complete(d.appUuid, 'play_and_get_digits', '_none_', {
        read_result: 'timeout',
        vmd_digits_4: '9876',
      })
    },
  )
  t.same(result, ['', '', '', '9876'], 'timeout after enough digits is accepted (PAGD semantics)')
})

void t.test('record ended by hangup still yields record_ms', async (t) => {
  const { result, outcome } = await withCall(
    t,
    async (call) => {
      const rec = await call.record('/r/2.wav', { maxSeconds: 60, silenceThreshold: 200, silenceSeconds: 3 })
      return { rec, hungUp: call.hungUp }
    },
    async (fs) => {
      const set = await fs.nextExecute()
      const record = await fs.nextExecute()
      fs.complete(set.appUuid, 'set')
      fs.event('RECORD_START', {})
      fs.hangup()
      fs.event('RECORD_STOP', { variable_record_ms: '3500', variable_silence_hits_exhausted: 'false' })
      fs.complete(record.appUuid, 'record', '_none_', { record_ms: '3500' })
    },
  )
  t.equal(outcome, 'completed')
  t.same(result, { rec: { durationMs: 3500, silenceEnded: false, hungUp: true }, hungUp: true })
})

void t.test(
  'record: hangup and the socket closing before its completion keeps RECORD_STOP data',
  async (t) => {
    let rec: RecordResult | undefined
    const { port, nextEnd } = await startServer(t, async (call) => {
      rec = await call.record('/r/3.wav', { maxSeconds: 60, silenceThreshold: 200, silenceSeconds: 3 })
    })
    const fs = new FakeCall(port)
    await fs.handshake()
    const set = await fs.nextExecute()
    await fs.nextExecute()
    fs.complete(set.appUuid, 'set')
    fs.event('RECORD_STOP', { variable_record_ms: '2000', variable_silence_hits_exhausted: 'true' })
    fs.hangup()
    fs.socket.end()
    await nextEnd()
    t.same(rec, { durationMs: 2000, silenceEnded: true, hungUp: true })
  },
)

void t.test('record after hangup resolves at once; other commands throw HangupError', async (t) => {
  const { result } = await withCall(
    t,
    async (call) => {
      await call.ended
      const rec = await call.record('/r/4.wav', { maxSeconds: 5, silenceThreshold: 200, silenceSeconds: 3 })
      const play = await call.play('/x.wav').then(
        () => 'played',
        (err: unknown) => (err as Error).name,
      )
      await call.hangup()
      return { rec, play }
    },
    (fs) => {
      fs.hangup()
      return Promise.resolve()
    },
  )
  t.same(result, { rec: { durationMs: 0, silenceEnded: false, hungUp: true }, play: 'HangupError' })
})

void t.test('say, setVariable, flushDtmf, sleep, transfer, variable()', async (t) => {
  const apps: string[] = []
  const { result } = await withCall(
    t,
    async (call) => {
      await call.setVariable('vm_done', 'yes')
      const said = await call.say({ type: 'number', method: 'pronounced', text: '42', terminators: '#' })
      await call.flushDtmf()
      await call.sleep(100)
      await call.transfer('1000', 'XML', 'default')
      return { said, v: call.variable('vm_done'), gone: call.variable('vm_action') }
    },
    async (fs) => {
      for (let i = 0; i < 7; i++) {
        const x = await fs.nextExecute()
        apps.push(`${x.app} ${x.arg}`.trim())
        fs.complete(x.appUuid, x.app, '_none_', x.app === 'unset' ? {} : { vm_done: 'yes' })
      }
    },
  )
  t.same(apps, [
    'set vm_done=yes',
    'set playback_terminators=#',
    'say en number pronounced 42',
    'flush_dtmf',
    'sleep 100',
    // What the call set is put back before the transfer: vm_done was not there before, so it is unset.
    'unset vm_done',
    'transfer 1000 XML default',
  ])
  t.same(result, { said: { played: true, offsetSamples: 0 }, v: 'yes', gone: undefined })
})

void t.test('unsafe arguments are refused before anything is written', async (t) => {
  const { result } = await withCall(
    t,
    async (call) => {
      const errors: string[] = []
      for (const attempt of [
        () => call.play('/a b.wav'),
        () => call.play('/${evil}.wav'),
        () => call.setVariable('x', 'a\nb'),
        () => call.say({ type: 'number', method: 'pronounced', text: '${x}' }),
        () => call.transfer('1000 XML'),
      ]) {
        await attempt().catch((err: unknown) =>
          errors.push(err instanceof EslCommandError ? 'refused' : 'other'),
        )
      }
      return errors
    },
    () => Promise.resolve(),
  )
  t.same(result, ['refused', 'refused', 'refused', 'refused', 'refused'])
})

void t.test('sendmsg refused with -ERR is an EslCommandError', async (t) => {
  const { result, outcome } = await withCall(
    t,
    async (call) =>
      call.answer().then(
        () => 'ok',
        (err: unknown) => (err as Error).name,
      ),
    async (fs) => {
      await fs.reader.next()
      fs.write(reply('-ERR invalid session id'))
    },
  )
  t.equal(result, 'EslCommandError')
  t.equal(outcome, 'completed')
})

void t.test('collect re-checks the pattern (a stray * in a PIN-only entry is refused)', async (t) => {
  const { result } = await withCall(
    t,
    async (call) => [
      await call.collect({ prompt: '/p.wav', min: 1, max: 4, timeoutMs: 3000, pattern: '^\\d+$' }),
      await call.collect({ prompt: '/p.wav', min: 1, max: 4, timeoutMs: 3000, pattern: '^[0-9*]+$' }),
    ],
    async (fs) => {
      const a = await fs.nextExecute()
      t.match(a.arg, / vmd_digits_1 \^\\d\+\$ /, 'pattern passed to FreeSWITCH')
      fs.complete(a.appUuid, 'play_and_get_digits', '_none_', { read_result: 'success', vmd_digits_1: '12*' })
      const b = await fs.nextExecute()
      fs.complete(b.appUuid, 'play_and_get_digits', '_none_', { read_result: 'success', vmd_digits_2: '12*' })
    },
  )
  t.same(result, ['', '12*'])
})

void t.test(
  'only the set before a media app is event-locked (a locked playback would hold back a hangup)',
  async (t) => {
    const locks: Array<[string, string | undefined]> = []
    await withCall(
      t,
      async (call) => {
        await call.play('/a.wav', { terminators: '#' })
      },
      async (fs) => {
        const set = await fs.nextExecute()
        const play = await fs.nextExecute()
        locks.push(
          [set.app, set.command.headers.get('event-lock')],
          [play.app, play.command.headers.get('event-lock')],
        )
        fs.complete(set.appUuid, 'set')
        fs.complete(play.appUuid, 'playback', 'FILE PLAYED')
      },
    )
    t.same(locks, [
      ['set', 'true'],
      ['playback', undefined],
    ])
  },
)

void t.test(
  'a secret collect keeps the entry in no variable and reads it from the DTMF events',
  async (t) => {
    let arg = ''
    const masks: string[] = []
    const { result } = await withCall(
      t,
      async (call) => [
        await call.collect({ prompt: '/p.wav', min: 1, max: 10, timeoutMs: 3000, secret: true, tries: 3 }),
        await call.collect({ prompt: '/p.wav', min: 1, max: 4, timeoutMs: 3000, secret: true }),
        await call.collect({ prompt: '/p.wav', min: 1, max: 4, timeoutMs: 3000, secret: true }),
      ],
      async (fs) => {
        const mask = await fs.nextExecute()
        masks.push(`${mask.app} ${mask.arg}`)
        fs.complete(mask.appUuid, 'set')
        const a = await fs.nextExecute()
        arg = a.arg
        // A digit the parked channel ate before the app started: its event comes before CHANNEL_EXECUTE.
        fs.event('DTMF', { 'DTMF-Digit': '9' })
        fs.event('CHANNEL_EXECUTE', { Application: 'play_and_get_digits', 'Application-UUID': a.appUuid })
        for (const d of '4821#') fs.event('DTMF', { 'DTMF-Digit': d })
        fs.complete(a.appUuid, 'play_and_get_digits', '_none_', { read_result: 'success' })
        const b = await fs.nextExecute()
        fs.event('CHANNEL_EXECUTE', { Application: 'play_and_get_digits', 'Application-UUID': b.appUuid })
        for (const d of '12') fs.event('DTMF', { 'DTMF-Digit': d })
        fs.complete(b.appUuid, 'play_and_get_digits', '_none_', { read_result: 'failure' })
        const c = await fs.nextExecute()
        fs.event('CHANNEL_EXECUTE', { Application: 'play_and_get_digits', 'Application-UUID': c.appUuid })
        fs.event('DTMF', { 'DTMF-Digit': '#' })
        fs.complete(c.appUuid, 'play_and_get_digits', '_none_', { read_result: 'success' })
      },
    )
    t.match(
      arg,
      /^1 10 1 3000 # \/p\.wav silence_stream:\/\/250 '' '' 3000$/,
      'one try, no variable, no regex',
    )
    t.same(result, ['4821', '', ''], 'the entry; a failure is empty; a lone terminator is empty')
    t.same(masks, ['set digits_dialed_filter=.+'], 'digits_dialed masked once, before the first secret entry')
  },
)

void t.test('record: the silence lasts silenceSeconds whatever the call’s rate', async (t) => {
  const args: string[] = []
  await withCall(
    t,
    async (call) => {
      for (let i = 0; i < 3; i++) {
        await call.setVariable('record_sample_rate', '8000')
        await call.record(`/r/${i}.wav`, { maxSeconds: 60, silenceThreshold: 200, silenceSeconds: 3 })
      }
    },
    async (fs) => {
      for (const rate of ['48000', '16000', '8000']) {
        const set = await fs.nextExecute()
        fs.complete(set.appUuid, 'set', '_none_', { read_rate: rate, record_sample_rate: '8000' })
        const terminators = await fs.nextExecute()
        const record = await fs.nextExecute()
        args.push(record.arg)
        fs.complete(terminators.appUuid, 'set', '_none_', { read_rate: rate, record_sample_rate: '8000' })
        fs.complete(record.appUuid, 'record', '_none_', { read_rate: rate, record_ms: '5000' })
      }
    },
  )
  t.same(
    args.map((a) => a.split(' ').slice(1)),
    [
      ['60', '200', '18'],
      ['60', '200', '6'],
      ['60', '200', '3'],
    ],
    'Opus (48 kHz) 18 hits, 16 kHz 6, 8 kHz 3: FreeSWITCH counts them in packets of the call’s codec',
  )
})

void t.test('breakMedia is uuid_break on the call’s own socket', async (t) => {
  let command = ''
  await withCall(
    t,
    async (call) => {
      await call.breakMedia()
    },
    async (fs) => {
      const c = await fs.reader.next()
      command = c.line
      const body = '+OK\n'
      fs.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`)
    },
  )
  t.equal(command, `api uuid_break ${'be563c09-1181-4c42-a7ab-353d9a43b5ea'}`)
})
