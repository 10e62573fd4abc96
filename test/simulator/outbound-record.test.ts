import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { get, handshake } from '../support/freeswitch/fake-daemon.js'
import { eventNames, startCall } from '../support/freeswitch/test-harness.js'
import { parseWav } from '../support/freeswitch/wav.js'

void t.test('record ended by silence: trailing silence stays in the file and in record_ms', async (t) => {
  const dir = t.testdir()
  const { c } = await startCall(t, { records: [{ speakMs: 2000 }] })
  await handshake(c)
  const path = join(dir, 'a.wav')
  const done = await c.run('record', `${path} 30 200 3`, 'r1')
  t.equal(get(done.event, 'variable_record_ms'), '5000')
  t.equal(get(done.event, 'variable_silence_hits_exhausted'), 'true')
  t.equal(get(done.event, 'variable_playback_terminator_used'), undefined)
  const wav = readFileSync(path)
  t.equal(parseWav(wav)?.durationMs, 5000)
  t.equal(get(done.event, 'variable_record_file_size'), String(wav.length))
  // Speech then digital silence.
  t.not(wav.readInt16LE(44 + 2 * 101), 0, 'speech at the start')
  t.equal(wav.readInt16LE(44 + 2 * 30000), 0, 'silence at the end')
  const seq = eventNames(c)
  t.same(seq.slice(seq.indexOf('RECORD_START')), ['RECORD_START', 'RECORD_STOP', 'CHANNEL_EXECUTE_COMPLETE'])
})

void t.test('record time limit overruns by up to a second', async (t) => {
  const dir = t.testdir()
  const { c } = await startCall(t, { records: [{ speakMs: 60_000 }] })
  await handshake(c)
  const done = await c.run('record', `${join(dir, 'b.wav')} 3 200 3`, 'r1')
  const ms = Number(get(done.event, 'variable_record_ms'))
  t.ok(ms > 3000 && ms <= 4000, `record_ms ${ms} in (3000, 4000]`)
  t.equal(get(done.event, 'variable_silence_hits_exhausted'), 'false')
  t.equal(get(done.event, 'variable_record_samples'), String(ms * 8))
})

void t.test('hangup mid-record with linger: HANGUP, RECORD_STOP, EXECUTE_COMPLETE, file kept', async (t) => {
  const dir = t.testdir()
  const { c, call } = await startCall(t, { records: [{ speakMs: 1500, then: 'hangup' }] })
  await handshake(c)
  const path = join(dir, 'c.wav')
  const done = await c.run('record', `${path} 30 200 3`, 'r1')
  t.equal(get(done.event, 'variable_record_ms'), '1500')
  t.equal(get(done.event, 'Answer-State'), 'hangup')
  const seq = eventNames(c)
  const h = seq.indexOf('CHANNEL_HANGUP')
  t.same(seq.slice(h, h + 3), ['CHANNEL_HANGUP', 'RECORD_STOP', 'CHANNEL_EXECUTE_COMPLETE'])
  await c.event('CHANNEL_HANGUP_COMPLETE')
  t.ok(
    c.frames.some((f) => get(f.headers, 'Content-Disposition') === 'linger'),
    'linger notice',
  )
  t.ok(existsSync(path))
  c.send('exit')
  await c.endedP
  const tr = await call.finished
  t.ok(tr.exitReceived)
  t.equal(tr.closedBy, 'freeswitch')
  t.same(tr.recordedFiles, [path])
})

void t.test('unwritable record path: hangup DESTINATION_OUT_OF_ORDER, no RECORD_START', async (t) => {
  const { c } = await startCall(t)
  await handshake(c)
  await c.execute('record', '/nonexistent-dir/x.wav 30 200 3', 'r1')
  const h = await c.event('CHANNEL_HANGUP')
  t.equal(get(h.event, 'Hangup-Cause'), 'DESTINATION_OUT_OF_ORDER')
  await c.event('CHANNEL_HANGUP_COMPLETE')
  t.notOk(eventNames(c).includes('RECORD_START'))
})
