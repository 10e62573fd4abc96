import t from 'tap'
import { readWavHeader, WavFormatError } from '../../lib/store/wav.js'
import { buildWav } from '../support/freeswitch/wav.js'
import { fuzz } from './fuzz-support.js'

/**
 * SPEC §8 "corrupt or 0-byte WAVs": the header reader gets random, truncated and mutated buffers with any claimed
 * file size. It returns a description or throws WavFormatError, nothing else, and what it returns is sane.
 */
void t.test('the WAV header reader only ever returns sane info or throws WavFormatError', (t) => {
  const f = fuzz(t, 'wav header')
  const valid = buildWav(1500, 500)
  let returned = 0
  let refused = 0
  for (let i = 0; i < 5000; i++) {
    let head: Buffer
    const kind = f.int(0, 3)
    if (kind === 0) head = f.bytes(f.int(0, 120))
    else if (kind === 1) head = valid.subarray(0, f.int(0, 80))
    else {
      head = Buffer.from(valid.subarray(0, Math.min(valid.length, 4096)))
      for (let m = f.int(1, kind === 2 ? 3 : 12); m > 0; m--) head[f.int(0, 60)] = f.int(0, 255)
    }
    const size = f.pick([0, head.length, valid.length, f.int(0, 2 ** 31), 44, 43, 45])
    try {
      const info = readWavHeader(head, size)
      returned++
      if (!(Number.isFinite(info.durationMs) && info.durationMs >= 0)) {
        t.fail(`case ${i}: duration ${info.durationMs} for ${head.toString('hex').slice(0, 96)} size ${size}`)
        break
      }
    } catch (err) {
      refused++
      if (!(err instanceof WavFormatError)) {
        t.fail(`case ${i}: threw ${String(err)} for ${head.toString('hex').slice(0, 96)} size ${size}`)
        break
      }
    }
  }
  t.ok(refused > 0, `refused ${refused} broken headers`)
  t.ok(returned > 0, `read ${returned} usable ones`)
  t.end()
})
