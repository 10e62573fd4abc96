import t from 'tap'
import { get, handshake } from '../support/freeswitch/fake-daemon.js'
import { eventNames, startCall } from '../support/freeswitch/test-harness.js'

void t.test('no linger: CHANNEL_HANGUP, the 67-byte notice, close; the completion is lost', async (t) => {
  const { c, call } = await startCall(t, {
    actions: [{ when: { onApp: 'playback', afterMs: 500 }, hangup: true }],
  })
  await handshake(c, { linger: false })
  await c.execute('playback', 'voicemail/vm-hello.wav', 'p1')
  await c.endedP
  const last = c.frames.at(-1)!
  t.equal(
    last.raw.toString(),
    `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${call.uuid}\nContent-Disposition: disconnect\n` +
      'Content-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n',
  )
  t.ok(eventNames(c).includes('CHANNEL_HANGUP'))
  t.notOk(eventNames(c).includes('CHANNEL_EXECUTE_COMPLETE'), 'events after the notice are dropped')
  const tr = await call.finished
  t.equal(tr.closedBy, 'freeswitch')
  t.notOk(tr.exitReceived)
})

void t.test(
  'linger: notice next to CHANNEL_HANGUP, PLAYBACK ERROR, events keep coming, exit ends it',
  async (t) => {
    const { c, call } = await startCall(t, {
      actions: [{ when: { onApp: 'playback', afterMs: 500 }, hangup: 'USER_BUSY' }],
    })
    await handshake(c)
    const done = await c.run('playback', 'voicemail/vm-hello.wav', 'p1')
    t.equal(get(done.event, 'Application-Response'), 'PLAYBACK ERROR')
    t.equal(get(done.event, 'Hangup-Cause'), 'USER_BUSY')
    await c.event('CHANNEL_HANGUP_COMPLETE')
    const labels = c.frames.map((f) => f.eventName ?? get(f.headers, 'Content-Disposition') ?? '')
    const n = labels.indexOf('linger')
    t.ok(
      labels[n - 1] === 'CHANNEL_HANGUP' || labels[n + 1] === 'CHANNEL_HANGUP',
      'notice adjacent to HANGUP',
    )
    const notice = c.frames[n]!
    t.equal(get(notice.headers, 'Linger-Time'), '-1')
    t.equal(get(notice.headers, 'Content-Length'), '0')
    // Apps sent after the hangup never complete.
    await c.execute('playback', 'voicemail/vm-goodbye.wav', 'p2')
    c.send('exit')
    const bye = await c.reply()
    t.equal(get(bye.headers, 'Reply-Text'), '+OK bye')
    await c.endedP
    t.notOk(
      c.frames.some((f) => get(f.event, 'Application-UUID') === 'p2'),
      'no events for an app after hangup',
    )
    t.equal(get(c.frames.at(-1)!.headers, 'Content-Disposition'), 'disconnect')
    t.equal((await call.finished).closedBy, 'freeswitch')
  },
)

void t.test('linger N: FS closes N seconds after the hangup', async (t) => {
  const { c, call } = await startCall(t)
  c.send('connect')
  await c.reply()
  c.send('linger 2')
  t.equal(get((await c.reply()).headers, 'Reply-Text'), '+OK will linger 2 seconds')
  call.hangup()
  await c.endedP
  const notices = c.frames.filter((f) => f.contentType === 'text/disconnect-notice')
  t.same(
    notices.map((f) => get(f.headers, 'Content-Disposition')),
    ['linger', 'disconnect'],
  )
  t.equal(get(notices[0]!.headers, 'Linger-Time'), '2')
})

void t.test('hangup before the daemon speaks: disconnect notice', async (t) => {
  const { c, call } = await startCall(t)
  call.hangup()
  await c.endedP
  t.equal(get(c.frames.at(-1)!.headers, 'Content-Disposition'), 'disconnect')
  await call.finished
})

void t.test('abrupt RST: no notice', async (t) => {
  const { c, call } = await startCall(t)
  await handshake(c)
  call.reset()
  await c.endedP
  t.notOk(c.frames.some((f) => f.contentType === 'text/disconnect-notice'))
  t.equal((await call.finished).closedBy, 'reset')
})

void t.test('daemon closes: the call ends', async (t) => {
  const { c, call } = await startCall(t)
  await handshake(c)
  c.socket.end()
  const tr = await call.finished
  t.equal(tr.closedBy, 'daemon')
  t.ok(call.session.hungUp)
})

void t.test('sendmsg hangup with a cause; unknown app hangs up DESTINATION_OUT_OF_ORDER', async (t) => {
  const a = await startCall(t)
  await handshake(a.c)
  a.c.send('sendmsg', [
    ['call-command', 'hangup'],
    ['hangup-cause', 'USER_BUSY'],
  ])
  t.equal(get((await a.c.reply()).headers, 'Reply-Text'), '+OK')
  t.equal(get((await a.c.event('CHANNEL_HANGUP')).event, 'Hangup-Cause'), 'USER_BUSY')

  const b = await startCall(t)
  await handshake(b.c)
  await b.c.execute('no_such_app', 'x', 'u1')
  t.equal(get((await b.c.event('CHANNEL_HANGUP')).event, 'Hangup-Cause'), 'DESTINATION_OUT_OF_ORDER')
  await b.c.event('CHANNEL_HANGUP_COMPLETE')
  t.notOk(
    b.c.frames.some((f) => get(f.event, 'Application-UUID') === 'u1'),
    'no EXECUTE / EXECUTE_COMPLETE',
  )
})
