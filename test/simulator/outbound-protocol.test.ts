import t from 'tap'
import { FreeswitchSimulator } from '../support/freeswitch/index.js'
import { FakeDaemon, get, handshake } from '../support/freeswitch/fake-daemon.js'
import { startCall } from '../support/freeswitch/test-harness.js'

void t.test('the first command gets no reply unless it is connect', async (t) => {
  const { c, call } = await startCall(t)
  c.send('myevents')
  c.send('connect')
  const first = await c.next()
  t.equal(get(first.headers, 'Event-Name'), 'CHANNEL_DATA', 'the only reply is the connect reply')
  t.match(call.transcript.violations, [/first command was not connect/])
  c.send('myevents')
  t.equal(get((await c.reply()).headers, 'Reply-Text'), '-ERR aready enabled.', 'myevents already on')
})

void t.test('silence before connect: FS gives up after the timeout', async (t) => {
  const { c, call } = await startCall(t, {}, { connectTimeoutMs: 30 })
  await c.endedP
  t.equal(c.frames.length, 0, 'nothing sent')
  t.match(call.transcript.violations, [/connect timeout/])
})

void t.test('replies of the outbound dialect', async (t) => {
  const { c } = await startCall(t, { variables: { vm_mailbox: '100' } })
  const cases: Array<[string, string]> = [
    ['connect', ''],
    ['linger 30', '+OK will linger 30 seconds'],
    ['nolinger', '+OK will not linger'],
    ['event plain', '-ERR no keywords supplied'],
    ['event json DTMF', '+OK event listener enabled json'],
    ['EVENT plain CHANNEL_ANSWER', '+OK event listener enabled plain'],
    ['nixevent CHANNEL_ANSWER', '+OK events nixed'],
    ['getvar vm_mailbox', '100'],
    ['getvar nothing_here', '-ERR command not found'],
    ['filter Unique-ID x', '+OK filter added. [Unique-ID]=[x]'],
    ['filter delete Unique-ID x', '+OK filter deleted. [Unique-ID]=[x]'],
    ['resume', '+OK'],
    ['frobnicate', '-ERR command not found'],
  ]
  for (const [cmd, want] of cases) {
    c.send(cmd)
    const r = await c.reply()
    if (want !== '') t.equal(get(r.headers, 'Reply-Text'), want, cmd)
  }
  c.send('api uuid_getvar nope x')
  t.equal((await c.reply()).body.toString(), '-ERR No such channel!\n')
})

void t.test('without full: only the small outbound whitelist', async (t) => {
  const { c } = await startCall(t, {}, { control: 'single-channel' })
  c.send('connect')
  t.equal(get((await c.reply()).headers, 'Control'), 'single-channel')
  c.send('linger')
  t.equal(get((await c.reply()).headers, 'Reply-Text'), '-ERR command not found')
  c.send('myevents')
  t.equal(get((await c.reply()).headers, 'Reply-Text'), '+OK Events Enabled')
})

void t.test(
  'json events carry raw UTF-8; myevents filters to the call; event alone gets every call',
  async (t) => {
    const daemon = new FakeDaemon()
    await daemon.listen()
    const sim = new FreeswitchSimulator({ seed: 9, call: { promptExists: () => true } })
    t.teardown(async () => {
      await sim.close()
      await daemon.close()
    })
    const target = { host: '127.0.0.1', port: daemon.port }
    const a = sim.call(target, { callerIdName: 'Jürgen 日本' })
    const ca = await daemon.accept()
    const b = sim.call(target, { callerIdName: 'Bob' })
    const cb = await daemon.accept()
    await Promise.all([a.connected, b.connected])
    // a: myevents json; b: `event json ALL` without myevents.
    ca.send('connect')
    await ca.reply()
    ca.send('myevents json')
    await ca.reply()
    cb.send('connect')
    await cb.reply()
    cb.send('event json ALL')
    await cb.reply()
    // The daemon side of `a` drives it; `b` sees a's events too.
    await ca.run('answer', '', 'x1')
    const answer = await ca.event('CHANNEL_ANSWER')
    t.equal(get(answer.headers, 'Content-Type'), 'text/event-json')
    t.equal(get(answer.event, 'Caller-Caller-ID-Name'), 'Jürgen 日本')
    t.ok(answer.body.includes(Buffer.from('Jürgen 日本')), 'raw UTF-8 in JSON')
    const seenByB = await cb.event('CHANNEL_ANSWER')
    t.equal(get(seenByB.event, 'Unique-ID'), a.uuid, "b gets a's events")
    b.hangup()
    await cb.event('CHANNEL_HANGUP')
    await new Promise((r) => setTimeout(r, 20))
    t.notOk(
      ca.frames.some((f) => get(f.event, 'Unique-ID') === b.uuid),
      "a (myevents) never sees b's events",
    )
    ca.send('exit')
    await ca.endedP
  },
)

void t.test('raw % in caller id: FS passes %FF through; rawPercent sends any malformed %', async (t) => {
  const a = await startCall(t, { callerIdName: '100%FF' })
  a.c.send('connect')
  t.equal(get((await a.c.reply()).headers, 'Caller-Caller-ID-Name'), '100%FF')
  const b = await startCall(t, { callerIdName: '50%zz' }, { rawPercent: true })
  b.c.send('connect')
  t.equal(get((await b.c.reply()).headers, 'Caller-Caller-ID-Name'), '50%zz')
})

void t.test('uuid_break stops a playback; missing absolute file → FILE NOT FOUND', async (t) => {
  const { c, call } = await startCall(t, {}, { promptExists: (p) => !p.includes('missing') })
  await handshake(c)
  const nf = await c.run('playback', '/prompts/missing.wav', 'p0')
  t.equal(get(nf.event, 'Application-Response'), 'FILE NOT FOUND')
  await c.execute('playback', 'silence_stream://-1', 'p1')
  await c.event('PLAYBACK_START')
  c.send(`api uuid_break ${call.uuid}`)
  t.equal((await c.reply()).body.toString(), '+OK\n')
  const done = await c.completion('p1')
  t.equal(get(done.event, 'Application-Response'), 'FILE PLAYED')
  const stop = await c.event('PLAYBACK_STOP')
  t.equal(get(stop.event, 'Playback-Status'), 'break')
})

void t.test('sendmsg with the arg as a text/plain body; ${var} expansion', async (t) => {
  const { c } = await startCall(t, { variables: { who: 'Jürgen' } })
  await handshake(c)
  c.send(
    'sendmsg',
    [
      ['call-command', 'execute'],
      ['execute-app-name', 'set'],
      ['Event-UUID', 'b1'],
      ['content-type', 'text/plain'],
    ],
    'greeting=hi ${who}\nline two',
  )
  await c.reply()
  const done = await c.completion('b1')
  t.equal(get(done.event, 'variable_greeting'), 'hi Jürgen\nline two')
  t.equal(get(done.event, 'Application-Data'), 'greeting=hi Jürgen\nline two')
  t.match(done.body.toString(), /\nvariable_greeting: hi%20J%C3%BCrgen%0Aline%20two\n/)
})
