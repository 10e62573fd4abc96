/**
 * The daemon's socket closes while the call is up (its process died). Real FreeSWITCH (the conformance test,
 * test/integration/conformance.test.ts) does not hang up: the running app goes on to its own end, then the `socket`
 * app returns and the dialplan's next action (`hangup` in the shipped snippets) runs.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { connectInbound, get, handshake, type DaemonConn } from '../support/freeswitch/fake-daemon.js'
import { startCall } from '../support/freeswitch/test-harness.js'
import { parseWav } from '../support/freeswitch/wav.js'
import type { FreeswitchSimulator } from '../support/freeswitch/index.js'

/** An inbound connection that sees every event of the node (what an operator's fs_cli would show). */
async function watch(sim: FreeswitchSimulator): Promise<DaemonConn> {
  const fs = await sim.listen()
  const w = await connectInbound(fs.host, fs.port)
  await w.next((f) => f.contentType === 'auth/request')
  w.send('auth ClueCon')
  await w.reply()
  w.send('event plain ALL')
  await w.reply()
  return w
}

function appEvents(w: DaemonConn, uuid: string): string[] {
  return w.frames
    .filter((f) => f.eventName !== undefined && get(f.event, 'Unique-ID') === uuid)
    .map(
      (f) =>
        `${f.eventName ?? ''}${get(f.event, 'Application') !== undefined ? ` ${get(f.event, 'Application') ?? ''}` : ''}`,
    )
}

void t.test('closed during a record: it records until the caller hangs up', async (t) => {
  const dir = t.testdir()
  const { sim, c, call } = await startCall(t, { records: [{ speakMs: 120_000 }] })
  const w = await watch(sim)
  await handshake(c)
  const path = join(dir, 'm.wav')
  await c.execute('record', `${path} 300 200 3`, 'r1')
  await c.event('RECORD_START')
  c.socket.destroy()
  await c.endedP
  // 50 real ms = 5 simulated seconds at the default time scale.
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.notOk(call.session.hungUp, 'the channel is still up')
  call.hangup()
  const tr = await call.finished
  t.equal(tr.closedBy, 'daemon')
  const stop = await w.event('RECORD_STOP', (f) => get(f.event, 'Unique-ID') === call.uuid)
  const ms = Number(get(stop.event, 'variable_record_ms'))
  t.ok(ms >= 5000, `record_ms ${ms}: the recording went on after the socket closed`)
  t.equal(parseWav(readFileSync(path))?.durationMs, ms, 'and so did the file')
  await w.event('CHANNEL_HANGUP_COMPLETE', (f) => get(f.event, 'Unique-ID') === call.uuid)
  const seq = appEvents(w, call.uuid)
  t.same(seq.slice(seq.indexOf('CHANNEL_HANGUP')), [
    'CHANNEL_HANGUP',
    'RECORD_STOP',
    'CHANNEL_EXECUTE_COMPLETE record',
    'CHANNEL_UNPARK',
    'CHANNEL_EXECUTE_COMPLETE socket',
    'CHANNEL_STATE',
    'CHANNEL_STATE',
    'CHANNEL_HANGUP_COMPLETE',
  ])
})

void t.test('closed during a prompt: it plays to the end, then the dialplan hangs up', async (t) => {
  const { sim, c, call } = await startCall(t, {}, { promptMs: () => 4000 })
  const w = await watch(sim)
  await handshake(c)
  await c.execute('playback', 'voicemail/vm-hello.wav', 'p1')
  await c.event('PLAYBACK_START')
  c.socket.destroy()
  const tr = await call.finished
  t.equal(tr.closedBy, 'daemon')
  const done = await w.event('CHANNEL_EXECUTE_COMPLETE', (f) => get(f.event, 'Application-UUID') === 'p1')
  t.equal(get(done.event, 'Application-Response'), 'FILE PLAYED', 'the prompt played to its end')
  t.equal(get(done.event, 'variable_playback_ms'), '4000')
  const hangup = await w.event('CHANNEL_HANGUP', (f) => get(f.event, 'Unique-ID') === call.uuid)
  t.equal(get(hangup.event, 'Hangup-Cause'), 'NORMAL_CLEARING')
  await w.event('CHANNEL_HANGUP_COMPLETE', (f) => get(f.event, 'Unique-ID') === call.uuid)
  const seq = appEvents(w, call.uuid)
  t.same(seq.slice(seq.indexOf('PLAYBACK_STOP')), [
    'PLAYBACK_STOP',
    'CHANNEL_EXECUTE_COMPLETE playback',
    'CHANNEL_UNPARK',
    'CHANNEL_EXECUTE_COMPLETE socket',
    'CHANNEL_EXECUTE hangup',
    'CHANNEL_HANGUP',
    'CHANNEL_EXECUTE_COMPLETE hangup',
    'CHANNEL_STATE',
    'CHANNEL_STATE',
    'CHANNEL_HANGUP_COMPLETE',
  ])
})

void t.test('closed while parked: the dialplan hangs up at once', async (t) => {
  const { c, call } = await startCall(t)
  await handshake(c)
  c.socket.end()
  const tr = await call.finished
  t.equal(tr.closedBy, 'daemon')
  t.ok(call.session.hungUp)
  t.equal(call.channel.hangupCause, 'NORMAL_CLEARING')
})
