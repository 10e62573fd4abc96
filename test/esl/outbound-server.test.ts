import t from 'tap'
import { createServer } from 'node:net'
import type { Call } from '../../lib/esl/call.js'
import { EslListenError, EslTimeoutError, HangupError } from '../../lib/esl/errors.js'
import { OutboundServer } from '../../lib/esl/outbound-server.js'
import { silentLogger } from '../../lib/log.js'
import { channelData, FakeCall, reply } from './fake-fs.js'
import { startServer } from './harness.js'

/** Handle the end of a call as FreeSWITCH would: the daemon's hangup (if any), then `exit`. */
async function finish(fs: FakeCall): Promise<string[]> {
  const seen: string[] = []
  for (;;) {
    const c = await fs.reader.next()
    seen.push(c.headers.get('call-command') ?? c.line)
    if (c.line === 'sendmsg' && c.headers.get('call-command') === 'hangup') {
      fs.write(reply('+OK'))
      fs.event('CHANNEL_HANGUP', { 'Hangup-Cause': c.headers.get('hangup-cause') ?? '' })
      continue
    }
    if (c.line === 'exit') {
      fs.write(reply('+OK bye'))
      fs.socket.end()
      return seen
    }
  }
}

void t.test('handshake and CallInfo decode', async (t) => {
  let info: Call['info'] | undefined
  const { port, nextEnd } = await startServer(t, (call) => {
    info = call.info
    return Promise.resolve()
  })
  const fs = new FakeCall(port, {
    callerIdName: 'Jürgen 日本',
    callerIdNumber: '1001',
    destination: '4000',
    variables: { vm_action: 'deposit', vm_mailbox: '100', sip_from_display: 'a b:c@d' },
  })
  const commands = await fs.handshake()
  t.same(
    commands.map((c) => c.line),
    [
      'connect',
      'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE',
      'myevents',
      'linger',
      'nixevent CHANNEL_ANSWER CHANNEL_APPLICATION CHANNEL_BRIDGE CHANNEL_CREATE CHANNEL_DATA CHANNEL_DESTROY CHANNEL_ORIGINATE CHANNEL_UUID CHANNEL_OUTGOING CHANNEL_PARK CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_STATE CHANNEL_UNBRIDGE CHANNEL_UNPARK DETECTED_SPEECH NOTALK TALK BACKGROUND_JOB',
      'event json CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE DTMF RECORD_STOP',
    ],
    'connect, modesl subscription, myevents, linger, events not read off, our events (json)',
  )
  t.same(await finish(fs), ['hangup', 'exit'], 'a call still up at the end is hung up, then exit is sent')
  await fs.closed
  const end = await nextEnd()
  t.equal(end.outcome, 'completed')
  t.equal(info?.uuid, fs.uuid)
  t.equal(info?.callerIdName, 'Jürgen 日本', 'UTF-8 caller name decoded')
  t.equal(info?.callerIdNumber, '1001')
  t.equal(info?.destinationNumber, '4000')
  t.equal(info?.variables.get('vm_action'), 'deposit')
  t.equal(info?.variables.get('sip_from_display'), 'a b:c@d', 'encoded variable decoded')
})

void t.test('an empty caller id (FreeSWITCH sends _undef_) decodes as empty, not as text', async (t) => {
  let info: Call['info'] | undefined
  const { port, nextEnd } = await startServer(t, (call) => {
    info = call.info
    return Promise.resolve()
  })
  const fs = new FakeCall(port, { callerIdName: '', variables: { vm_action: 'deposit', vm_greeting: '' } })
  await fs.handshake()
  await finish(fs)
  await fs.closed
  await nextEnd()
  t.equal(info?.callerIdName, '', 'name is empty')
  t.equal(info?.variables.has('vm_greeting'), false, 'an _undef_ variable is absent')
})

void t.test(
  'raw %FF in CHANNEL_DATA does not crash; the value is kept literally; next call works',
  async (t) => {
    const names: string[] = []
    const { port, nextEnd } = await startServer(t, (call) => {
      names.push(call.info.callerIdName)
      return Promise.resolve()
    })
    const bad = new FakeCall(port, { rawLines: ['Caller-Caller-ID-Name: 100%FF%zz%C3%BC', 'X-Bad: %E0%A4'] })
    await bad.handshake()
    await finish(bad)
    t.equal((await nextEnd()).outcome, 'completed')
    const good = new FakeCall(port, { callerIdName: 'Bob', uuid: 'second-uuid' })
    await good.handshake()
    await finish(good)
    t.equal((await nextEnd()).uuid, 'second-uuid')
    t.same(names, ['100%FF%zz\u00fc', 'Bob'], 'malformed escapes kept, valid ones decoded')
  },
)

void t.test('a 2 MB header block closes only that connection; other calls go on', async (t) => {
  const { port, nextEnd, ended } = await startServer(t, async (call) => {
    await call.answer()
  })
  const big = new FakeCall(port)
  await big.reader.next()
  const good = new FakeCall(port, { uuid: 'good-uuid' })
  const line = `X-Junk: ${'a'.repeat(1000)}\n`
  big.write('Event-Name: CHANNEL_DATA\n')
  for (let i = 0; i < 2048 && !big.socket.destroyed; i++) big.write(line)
  await good.handshake()
  const answer = await good.nextExecute()
  good.complete(answer.appUuid, 'answer')
  await finish(good)
  await big.closed
  t.pass('the oversized connection was closed by the daemon')
  t.equal((await nextEnd()).uuid, 'good-uuid')
  t.equal(ended.length, 1, 'only the good call ran a flow')
})

void t.test('a malformed frame closes only that call', async (t) => {
  const { port, nextEnd } = await startServer(t, async (call) => {
    await call.answer()
  })
  const a = new FakeCall(port, { uuid: 'uuid-a' })
  const b = new FakeCall(port, { uuid: 'uuid-b' })
  await a.handshake()
  await b.handshake()
  await a.nextExecute()
  const answerB = await b.nextExecute()
  a.write('Content-Length: 12x\nContent-Type: text/event-json\n\n{}')
  await a.closed
  t.pass('call a was closed')
  b.complete(answerB.appUuid, 'answer')
  t.same(await finish(b), ['hangup', 'exit'], 'call b carried on to its normal end')
  const ends = [await nextEnd(), await nextEnd()]
  const byUuid = Object.fromEntries(ends.map((e) => [e.uuid, e.outcome]))
  t.same(byUuid, { 'uuid-a': 'hangup', 'uuid-b': 'completed' }, 'a ended as gone, b completed')
})

void t.test('invalid JSON in an event closes that call', async (t) => {
  const { port, nextEnd } = await startServer(t, async (call) => {
    await call.answer()
  })
  const a = new FakeCall(port)
  await a.handshake()
  await a.nextExecute()
  const body = '{"Event-Name": "DTMF", broken'
  a.write(`Content-Length: ${body.length}\nContent-Type: text/event-json\n\n${body}`)
  await a.closed
  t.equal((await nextEnd()).outcome, 'hangup')
})

void t.test(
  'caller hangup during playback rejects with HangupError; exit sent, socket released',
  async (t) => {
    let error: unknown
    const { port, nextEnd, server } = await startServer(t, async (call) => {
      await call.play('/prompts/greeting.wav').catch((err: unknown) => {
        error = err
        throw err
      })
    })
    const fs = new FakeCall(port)
    await fs.handshake()
    await fs.nextExecute() // set playback_terminators
    const play = await fs.nextExecute()
    t.equal(play.app, 'playback')
    fs.event('PLAYBACK_START', {})
    fs.hangup()
    fs.complete(play.appUuid, 'playback', 'PLAYBACK ERROR')
    t.same(await finish(fs), ['exit'], 'no hangup for a gone call, only exit')
    await fs.closed
    t.equal((await nextEnd()).outcome, 'hangup')
    t.type(error, HangupError)
    t.equal(server.liveCalls, 0)
  },
)

void t.test('an execute FreeSWITCH never completes times out with EslTimeoutError', async (t) => {
  let error: unknown
  const { port, nextEnd } = await startServer(
    t,
    async (call) => {
      await call.answer().catch((err: unknown) => {
        error = err
        throw err
      })
    },
    { call: { commandTimeoutMs: 200 } },
  )
  const fs = new FakeCall(port)
  await fs.handshake()
  await fs.nextExecute()
  await finish(fs)
  const end = await nextEnd()
  t.equal(end.outcome, 'error')
  t.type(error, EslTimeoutError)
})

void t.test('a peer that is not FreeSWITCH (no channel data) is dropped', async (t) => {
  const { server, port, ended } = await startServer(t, () => Promise.resolve())
  const notStarted = new Promise((resolve) => server.once('call-not-started', resolve))
  const fs = new FakeCall(port)
  await fs.reader.next()
  fs.write(reply('+OK'))
  const next = await fs.reader.next()
  fs.write(reply('+OK'))
  await fs.closed
  t.equal(next.line, 'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE')
  t.equal(ended.length, 0, 'no flow ran')
  t.equal(await notStarted, 'failed', 'reported as a call that never started')
})

void t.test('EADDRINUSE is a clear startup error', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const address = blocker.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const server = new OutboundServer({
    host: '127.0.0.1',
    port,
    log: silentLogger(),
    handler: () => Promise.resolve(),
  })
  await t.rejects(server.start(), EslListenError)
  await t.rejects(
    new OutboundServer({
      host: '127.0.0.1',
      port,
      log: silentLogger(),
      handler: () => Promise.resolve(),
    }).start(),
    { message: /EADDRINUSE/ },
  )
})

void t.test('allow-list refuses other peers before a byte is written', async (t) => {
  const refused = await startServer(t, () => Promise.resolve(), { allowFrom: ['192.0.2.10', '10.0.0.0/8'] })
  const rejected = new Promise<string>((resolve) => refused.server.once('rejected', resolve))
  const fs = new FakeCall(refused.port)
  await fs.closed
  t.equal(await rejected, '127.0.0.1')
  t.equal(fs.reader.all.length, 0, 'nothing was sent, not even connect')

  const allowed = await startServer(t, () => Promise.resolve(), { allowFrom: ['127.0.0.0/8'] })
  const ok = new FakeCall(allowed.port)
  await ok.handshake()
  await finish(ok)
  t.equal((await allowed.nextEnd()).outcome, 'completed', 'a peer inside the CIDR block is served')
})

void t.test('stop() waits for live calls up to drainMs, then hangs up the rest', async (t) => {
  const { port, server, nextEnd } = await startServer(t, async (call) => {
    await call.ended
    throw new HangupError(call.info.uuid)
  })
  const fs = new FakeCall(port)
  await fs.handshake()
  const stopped = server.stop(50)
  const hangup = await fs.reader.next()
  t.equal(server.liveCalls, 1, 'the call was live when the drain ran out')
  t.equal(hangup.headers.get('call-command'), 'hangup')
  t.equal(hangup.headers.get('hangup-cause'), 'SYSTEM_SHUTDOWN')
  fs.write(reply('+OK'))
  fs.hangup('SYSTEM_SHUTDOWN')
  const exit = await fs.expectExit()
  t.equal(exit.line, 'exit')
  await stopped
  t.equal((await nextEnd()).outcome, 'hangup')
  t.equal(server.liveCalls, 0)
})

void t.test('stop() lets a call that finishes within the drain end normally', async (t) => {
  const { port, server, nextEnd } = await startServer(t, async (call) => {
    await call.sleep(10)
  })
  const fs = new FakeCall(port)
  await fs.handshake()
  const sleep = await fs.nextExecute()
  const stopped = server.stop(5000)
  fs.complete(sleep.appUuid, 'sleep')
  await finish(fs)
  await stopped
  t.equal((await nextEnd()).outcome, 'completed')
})

void t.test('channel data can be written split at every byte', async (t) => {
  const { port, nextEnd } = await startServer(t, (call) => {
    t.equal(call.info.callerIdName, 'Jürgen')
    return Promise.resolve()
  })
  const fs = new FakeCall(port, { callerIdName: 'Jürgen' })
  await fs.reader.next()
  const bytes = Buffer.from(channelData({ callerIdName: 'Jürgen', uuid: fs.uuid }))
  for (const b of bytes) fs.socket.write(Buffer.from([b]))
  // modesl's subscription, myevents, linger, nixevent, event json.
  for (let i = 0; i < 5; i++) {
    const c = await fs.reader.next()
    fs.write(reply(c.line === 'myevents' ? '+OK Events Enabled' : '+OK'))
  }
  await finish(fs)
  t.equal((await nextEnd()).outcome, 'completed')
})
