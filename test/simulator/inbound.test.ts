import t, { type Test } from 'tap'
import { FreeswitchSimulator } from '../support/freeswitch/index.js'
import { connectInbound, get, type DaemonConn } from '../support/freeswitch/fake-daemon.js'

async function setup(t: Test, opts: { domains?: string[] } = {}) {
  const sim = new FreeswitchSimulator({ seed: 5, registrar: { domains: opts.domains ?? ['pbx.test'] } })
  const fs = await sim.listen({ users: ['1000@pbx.test'] })
  const conns: DaemonConn[] = []
  t.teardown(async () => {
    for (const c of conns) c.socket.destroy()
    await sim.close()
  })
  const open = async (auth = true): Promise<DaemonConn> => {
    const c = await connectInbound(fs.host, fs.port)
    conns.push(c)
    const first = await c.next()
    t.equal(get(first.headers, 'Content-Type'), 'auth/request', 'auth/request first')
    if (auth) {
      c.send('auth ClueCon')
      t.equal(get((await c.reply()).headers, 'Reply-Text'), '+OK accepted')
    }
    return c
  }
  return { sim, fs, open }
}

void t.test('auth: before auth every command is refused; a wrong password closes', async (t) => {
  const { open, fs } = await setup(t)
  const c = await open(false)
  c.send('api status')
  t.equal(get((await c.reply()).headers, 'Reply-Text'), '-ERR command not found')
  c.send('auth wrong')
  t.equal(get((await c.reply()).headers, 'Reply-Text'), '-ERR invalid')
  const notice = await c.next()
  t.equal(get(notice.headers, 'Content-Type'), 'text/disconnect-notice')
  t.equal(get(notice.headers, 'Controlled-Session-UUID'), undefined, 'inbound notice has no session uuid')
  await c.endedP
  t.equal(fs.authCount, 0)
})

void t.test('api: user_exists, status, unknown command', async (t) => {
  const { open } = await setup(t)
  const c = await open()
  c.send('api user_exists id 1000 pbx.test')
  t.equal((await c.reply()).body.toString(), 'true')
  c.send('api user_exists id 9999 pbx.test')
  t.equal((await c.reply()).body.toString(), 'false')
  c.send('api no_such_command')
  const r = await c.reply()
  t.equal(r.body.toString(), '-ERR no_such_command Command not found!\n')
  t.equal(r.headers[0]?.[0], 'Content-Type', 'api/response: Content-Type first')
  c.send('api status')
  t.match((await c.reply()).body.toString(), /^UP 0 years/)
  c.send('exit')
  t.equal(get((await c.reply()).headers, 'Reply-Text'), '+OK bye')
  await c.endedP
})

void t.test('bgapi: reply at once, BACKGROUND_JOB to every subscriber', async (t) => {
  const { open } = await setup(t)
  const a = await open()
  const b = await open()
  b.send('event json BACKGROUND_JOB')
  t.equal(get((await b.reply()).headers, 'Reply-Text'), '+OK event listener enabled json')
  a.send('bgapi status', [['Job-UUID', 'job-1']])
  const r = await a.reply()
  t.equal(get(r.headers, 'Reply-Text'), '+OK Job-UUID: job-1')
  t.equal(get(r.headers, 'Job-UUID'), 'job-1')
  const ev = await b.event('BACKGROUND_JOB')
  t.equal(get(ev.event, 'Job-UUID'), 'job-1')
  t.equal(get(ev.headers, 'Content-Type'), 'text/event-json')
  t.equal(a.frames.filter((f) => f.eventName !== undefined).length, 0, 'not sent to the unsubscribed sender')
})

void t.test('sendevent MESSAGE_WAITING: +OK <uuid>, url-encoded echo, registrar NOTIFY', async (t) => {
  const { open, sim, fs } = await setup(t)
  const c = await open()
  c.send('event plain MESSAGE_WAITING MESSAGE_QUERY')
  await c.reply()
  sim.registrar.register({ user: '1000', domain: 'pbx.test', callId: 'reg-1' })
  sim.registrar.register({ user: '1001', domain: 'pbx.test', callId: 'reg-2', mwiAccount: '1000@pbx.test' })
  sim.registrar.register({ user: '1000', domain: 'pbx.test', callId: 'reg-1' }) // refresh: no query
  sim.registrar.subscribe({ user: '1002', domain: 'pbx.test', target: '1000@pbx.test', callId: 'sub-1' })
  const q1 = await c.event('MESSAGE_QUERY')
  t.equal(get(q1.event, 'Message-Account'), 'sip:1000@pbx.test')
  t.equal(get(q1.event, 'VM-Sofia-Profile'), 'internal')
  t.equal(get(q1.event, 'VM-Call-ID'), 'reg-1')
  t.match(
    q1.body.toString(),
    /\nMessage-Account: sip%3A1000%40pbx.test\nVM-Sofia-Profile: internal\nVM-Call-ID: reg-1\n\n$/,
  )
  const q2 = await c.event('MESSAGE_QUERY')
  t.equal(
    get(q2.event, 'Message-Account'),
    'sip:1000@pbx.test',
    "1001's registration asks for its mwi-account",
  )
  const q3 = await c.event('MESSAGE_QUERY')
  t.equal(get(q3.event, 'VM-sub-call-id'), 'sub-1')
  c.send('sendevent MESSAGE_WAITING', [
    ['MWI-Messages-Waiting', 'yes'],
    ['MWI-Message-Account', 'sip:1000@pbx.test'],
    ['MWI-Voice-Message', '2/1 (1/0)'],
    ['Update-Reason', 'NEW'],
  ])
  const r = await c.reply()
  const uuid = (get(r.headers, 'Reply-Text') ?? '').slice(4)
  t.match(get(r.headers, 'Reply-Text'), /^\+OK [0-9a-f-]{36}$/)
  const echo = await c.event('MESSAGE_WAITING')
  const text = echo.body.toString()
  t.match(
    text,
    /^Command: sendevent%20MESSAGE_WAITING\nMWI-Messages-Waiting: yes\nMWI-Message-Account: sip%3A1000%40pbx.test\nMWI-Voice-Message: 2\/1%20\(1\/0\)\nUpdate-Reason: NEW\nEvent-UUID: /,
  )
  t.equal(get(echo.event, 'Event-UUID'), uuid)
  const phones = sim.registrar.notifies.map((n) => n.phone).sort()
  t.same(phones, ['reg:1000@pbx.test/reg-1', 'reg:1001@pbx.test/reg-2', 'sub:1002@pbx.test/sub-1'])
  t.equal(
    sim.registrar.notifies[0]?.body,
    'Messages-Waiting: yes\r\nMessage-Account: sip:1000@pbx.test\r\nVoice-Message: 2/1 (1/0)\r\n\r\n',
  )
  t.same(fs.violations, [])
  t.same(sim.registrar.violations, [])
  t.equal(fs.sentEvents.length, 1)
})

void t.test('Call-ID / Sub-Call-ID route to exactly one phone; unknown domain is dropped', async (t) => {
  const { open, sim } = await setup(t, { domains: [] })
  const c = await open()
  sim.registrar.register({ user: '1000', domain: 'pbx.test', callId: 'reg-1' })
  sim.registrar.subscribe({ user: '1000', domain: 'pbx.test', callId: 'sub-1' })
  const send = async (h: Array<[string, string]>) => {
    c.send('sendevent MESSAGE_WAITING', h)
    await c.reply()
    await new Promise((r) => setImmediate(r))
  }
  await send([
    ['MWI-Messages-Waiting', 'no'],
    ['MWI-Message-Account', 'sip:1000@pbx.test'],
    ['Sofia-Profile', 'internal'],
    ['Call-ID', 'reg-1'],
  ])
  t.same(
    sim.registrar.notifies.map((n) => n.phone),
    ['reg:1000@pbx.test/reg-1'],
  )
  await send([
    ['MWI-Messages-Waiting', 'no'],
    ['MWI-Message-Account', '1000@pbx.test'],
    ['sub-call-id', 'sub-1'],
  ])
  t.same(
    sim.registrar.notifies.map((n) => n.phone),
    ['reg:1000@pbx.test/reg-1', 'sub:1000@pbx.test/sub-1'],
  )
  await send([
    ['MWI-Messages-Waiting', 'yes'],
    ['MWI-Message-Account', 'sip:2000@other.test'],
    ['MWI-Voice-Message', '1/0'],
  ])
  t.equal(sim.registrar.dropped.at(-1)?.reason, 'Cannot find profile')
  t.equal(sim.registrar.notifies.length, 2)
})

void t.test('daemon bugs are recorded: url-encoded account, newline in a value, bad counts', async (t) => {
  const { open, sim, fs } = await setup(t)
  const c = await open()
  c.socket.write(
    'sendevent MESSAGE_WAITING\nMWI-Messages-Waiting: yes\nMWI-Message-Account: sip%3A1000%40pbx.test\nMWI-Voice-Message: 0/3\nUpdate-Reason: NEW\nsecond line\n\n',
  )
  await c.reply()
  await new Promise((r) => setImmediate(r))
  t.match(fs.violations, [/newline/, /url-encoded value/])
  t.match(sim.registrar.violations, [/inconsistent/])
  t.equal(sim.registrar.notifies.length, 0, 'the encoded account lights no phone')
})

void t.test('restart on the same port: connections drop, the daemon can reconnect', async (t) => {
  const { open, fs } = await setup(t)
  const c = await open()
  const port = fs.port
  await fs.restart({ graceful: true })
  const notice = await c.next((f) => f.contentType === 'text/disconnect-notice')
  t.equal(notice.body.toString(), 'The system is being shut down.\n')
  await c.endedP
  t.equal(fs.port, port, 'same port')
  await open()
  t.equal(fs.authCount, 2, 'authenticated again after the restart')
  await fs.stop()
  await t.rejects(connectInbound(fs.host, port), 'refused while stopped')
})

void t.test('api blocks event delivery: uuid_kill response comes before the hangup events', async (t) => {
  const { FakeDaemon, handshake } = await import('../support/freeswitch/fake-daemon.js')
  const { open, sim } = await setup(t)
  const daemon = new FakeDaemon()
  await daemon.listen()
  t.teardown(() => daemon.close())
  const call = sim.call({ host: '127.0.0.1', port: daemon.port })
  const oc = await daemon.accept()
  t.teardown(() => oc.socket.destroy())
  await handshake(oc)
  const c = await open()
  c.send('event plain CHANNEL_HANGUP')
  await c.reply()
  c.send(`api uuid_kill ${call.uuid}`)
  await c.event('CHANNEL_HANGUP')
  const kinds = c.frames.slice(-2).map((f) => f.contentType)
  t.same(kinds, ['api/response', 'text/event-plain'], 'response first, then the event')
  oc.send('exit')
  await call.finished
})
