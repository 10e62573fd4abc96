import t, { type Test } from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FreeswitchSimulator } from '../support/freeswitch/index.js'
import { parseWav } from '../support/freeswitch/wav.js'
import { FakeDaemon, get, handshake } from '../support/freeswitch/fake-daemon.js'

async function setup(t: Test, seed = 1) {
  const daemon = new FakeDaemon()
  await daemon.listen()
  const sim = new FreeswitchSimulator({ seed, timeScale: 0.01 })
  t.teardown(async () => {
    await sim.close()
    await daemon.close()
  })
  return { daemon, sim }
}

void t.test('connect reply carries CHANNEL_DATA, url-encoded, no Content-Length', async (t) => {
  const { daemon, sim } = await setup(t)
  const call = sim.call(
    { host: '127.0.0.1', port: daemon.port },
    {
      callerIdName: 'Jürgen "J" 日本',
      variables: { vm_action: 'deposit', vm_mailbox: '100' },
    },
  )
  const c = await daemon.accept()
  await call.connected
  c.send('connect')
  const data = await c.reply()
  t.equal(get(data.headers, 'Event-Name'), 'CHANNEL_DATA')
  t.equal(get(data.headers, 'Content-Length'), undefined)
  t.equal(get(data.headers, 'Reply-Text'), '%2BOK%0A')
  t.equal(get(data.headers, 'Socket-Mode'), 'async')
  t.equal(get(data.headers, 'Control'), 'full')
  t.equal(get(data.headers, 'Caller-Caller-ID-Name'), 'J%C3%BCrgen%20%22J%22%20%E6%97%A5%E6%9C%AC')
  t.equal(get(data.headers, 'variable_vm_action'), 'deposit')
  t.equal(get(data.headers, 'Unique-ID'), call.uuid)
  t.equal(get(data.headers, 'Answer-State'), 'ringing')
  const names = data.headers.map(([k]) => k)
  t.ok(names.indexOf('Content-Type') > names.indexOf('variable_vm_mailbox'), 'reply headers after variables')
  c.send('exit')
  const bye = await c.reply()
  t.equal(get(bye.headers, 'Reply-Text'), '+OK bye')
  const notice = await c.next()
  t.equal(get(notice.headers, 'Content-Disposition'), 'disconnect')
  t.equal(notice.body.length, 67)
  await c.endedP
  t.equal(call.transcript.closedBy, 'freeswitch')
  t.ok(call.transcript.exitReceived)
  c.socket.destroy()
  await call.finished
})

void t.test('* during the greeting: DTMF, PLAYBACK_STOP(break), EXECUTE_COMPLETE', async (t) => {
  const { daemon, sim } = await setup(t)
  const call = sim.call(
    { host: '127.0.0.1', port: daemon.port },
    {
      actions: [{ when: { onPlayback: 'greeting', afterMs: 1200 }, press: '*' }],
    },
    { promptExists: () => true, defaultPromptMs: 5000 },
  )
  const c = await daemon.accept()
  await handshake(c)
  await c.run('answer', '', 'a1')
  const done = await c.run('playback', '/var/vm/100/greeting.wav', 'a2')
  t.equal(get(done.event, 'Application-Response'), 'FILE PLAYED')
  t.equal(get(done.event, 'variable_playback_terminator_used'), '*')
  t.equal(get(done.event, 'variable_playback_ms'), '1200')
  const seq = c.frames.filter((f) => f.eventName !== undefined).map((f) => f.eventName)
  const i = seq.indexOf('DTMF')
  t.same(seq.slice(i - 1, i + 3), ['PLAYBACK_START', 'DTMF', 'PLAYBACK_STOP', 'CHANNEL_EXECUTE_COMPLETE'])
  const stop = c.frames.find((f) => f.eventName === 'PLAYBACK_STOP')
  t.equal(get(stop?.event ?? [], 'Playback-Status'), 'break')
  c.send('exit')
  await c.endedP
  const tr = await call.finished
  t.same(
    tr.executes.map((e) => e.app),
    ['answer', 'playback'],
  )
})

void t.test('record ended by # writes a real WAV and sets record_ms', async (t) => {
  const { daemon, sim } = await setup(t)
  const dir = t.testdir()
  const call = sim.call(
    { host: '127.0.0.1', port: daemon.port },
    { records: [{ speakMs: 1440, then: { press: '#' } }] },
  )
  const c = await daemon.accept()
  await handshake(c)
  await c.run('set', 'playback_terminators=#', 's1')
  const path = join(dir, 'msg.wav')
  const done = await c.run('record', `${path} 30 200 3`, 'r1')
  t.equal(get(done.event, 'variable_record_ms'), '1440')
  t.equal(get(done.event, 'variable_record_samples'), '11520')
  t.equal(get(done.event, 'variable_record_file_size'), '23084')
  t.equal(get(done.event, 'variable_playback_terminator_used'), '#')
  const wav = parseWav(await readFile(path))
  t.equal(wav?.sampleRate, 8000)
  t.equal(wav?.samples, 11520)
  c.send('exit')
  await c.endedP
  const tr = await call.finished
  t.same(tr.recordedFiles, [path])
})
