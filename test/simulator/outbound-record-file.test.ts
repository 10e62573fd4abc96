/**
 * The file a `record` writes while it records, as the real FreeSWITCH writes it (the conformance test samples it):
 * the 44-byte header at once, the audio in 64 KiB blocks, the header's sizes only at the end. A daemon that
 * watches a recording grow (SPEC §8) sees what it would see on a real PBX.
 */
import t from 'tap'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { get, handshake } from '../support/freeswitch/fake-daemon.js'
import { startCall } from '../support/freeswitch/test-harness.js'
import { parseWav } from '../support/freeswitch/wav.js'

void t.test('a recording grows in 64 KiB blocks; its header is filled in at the end', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'm.wav')
  const { c, call } = await startCall(t, { records: [{ speakMs: 60_000 }] })
  await handshake(c)
  await c.execute('record', `${path} 300 200 3`, 'r1')
  await c.event('RECORD_START')
  t.ok(statSync(path).size >= 44, 'the header is there as soon as the recording starts')
  // 4.1 simulated seconds make a block; the default time scale runs 100 simulated ms per real ms.
  for (let i = 0; i < 400 && statSync(path).size < 44 + 2 * 65_536; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const size = statSync(path).size
  t.ok(size >= 44 + 2 * 65_536, 'blocks follow as the caller speaks')
  t.equal((size - 44) % 65_536, 0, 'whole blocks while recording')
  t.equal(readFileSync(path).readUInt32LE(40), 0, 'the header’s data size is not filled in yet')
  call.hangup()
  const done = await c.completion('r1')
  const ms = Number(get(done.event, 'variable_record_ms'))
  t.equal(statSync(path).size, 44 + ms * 16, 'the exact length at the end')
  t.equal(parseWav(readFileSync(path))?.durationMs, ms, 'with its header filled in')
})
