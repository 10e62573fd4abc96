/**
 * Manual load check of the simulator (not a test): N concurrent scripted calls against the raw fake daemon, each
 * answer → playback (# at 1 s) → play_and_get_digits (4821#) → record (# after 4 s) → exit.
 *   node --import=./node_modules/@tapjs/typescript/dist/esm/import.mjs test/support/freeswitch/load-check.ts 1000
 * Prints {calls, ok, wallMs, rssMB}; `ok` counts calls whose PIN and record_ms came out as scripted.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FreeswitchSimulator } from './index.js'
import { FakeDaemon, handshake, get, type DaemonConn } from './fake-daemon.js'

const N = Number(process.argv[2] ?? 1000)
const dir = mkdtempSync(join(tmpdir(), 'simbench-'))
const daemon = new FakeDaemon()
await daemon.listen()
const sim = new FreeswitchSimulator({ seed: 1, call: { promptExists: () => true, keepFrames: false } })
let ok = 0
async function drive(c: DaemonConn, i: number): Promise<void> {
  await handshake(c)
  await c.run('answer', '', 'a')
  await c.run('set', 'playback_terminators=#', 's')
  await c.run('playback', 'voicemail/vm-greeting.wav', 'p')
  const pin = await c.run(
    'play_and_get_digits',
    '4 4 3 5000 # silence_stream://1000 silence_stream://250 pin \\d+',
    'g',
  )
  const rec = await c.run('record', `${join(dir, `m${i}.wav`)} 30 200 3`, 'r')
  if (get(pin.event, 'variable_pin') === '4821' && Number(get(rec.event, 'variable_record_ms')) > 0) ok++
  c.send('exit')
  await c.endedP
}
const t0 = performance.now()
const calls = []
const drivers: Promise<void>[] = []
for (let i = 0; i < N; i++) {
  calls.push(
    sim.call(
      { host: '127.0.0.1', port: daemon.port },
      {
        entries: ['4821#'],
        records: [{ speakMs: 4000, then: { press: '#' } }],
        actions: [{ when: { onPlayback: 'greeting', afterMs: 1000 }, press: '#' }],
      },
    ),
  )
  drivers.push(daemon.accept().then((c) => drive(c, i)))
}
await Promise.all(drivers)
await Promise.all(calls.map((c) => c.finished))
const ms = performance.now() - t0
console.log(
  JSON.stringify({
    calls: N,
    ok,
    wallMs: Math.round(ms),
    rssMB: Math.round(process.memoryUsage().rss / 1e6),
  }),
)
await sim.close()
await daemon.close()
