import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { concatWavs, pcmHeader, WavConcatError } from '../../lib/audio/wav-concat.js'
import { readWavHeader } from '../../lib/store/wav.js'
import { buildWav, wavHeader } from '../support/freeswitch/wav.js'

void t.test('two 8 kHz mono recordings join into one exact WAV, first one first', async (t) => {
  const dir = t.testdir({})
  const intro = join(dir, 'intro.wav')
  const message = join(dir, 'message.wav')
  const out = join(dir, 'out.wav')
  await writeFile(intro, buildWav(1000, 500))
  await writeFile(message, buildWav(2000, 0))
  await concatWavs(intro, message, out)
  const bytes = await readFile(out)
  const info = readWavHeader(bytes.subarray(0, 4096), bytes.length)
  t.equal(info.durationMs, 3500, '1.5 s + 2 s')
  t.equal(info.declaredDataBytes, info.dataBytes, 'header sizes patched')
  t.same(bytes.subarray(44, 44 + 24000), (await readFile(intro)).subarray(44), 'intro audio first, unchanged')
  t.same(
    bytes.subarray(44 + 24000),
    (await readFile(message)).subarray(44),
    'then the message audio, unchanged',
  )
  t.same(pcmHeader(0).subarray(0, 36), wavHeader(0).subarray(0, 36), 'the same header FreeSWITCH writes')
})

void t.test('other formats are refused, not resampled', async (t) => {
  const dir = t.testdir({})
  const wide = join(dir, 'wide.wav')
  const narrow = join(dir, 'narrow.wav')
  await writeFile(wide, Buffer.concat([wavHeader(16000, 16000), Buffer.alloc(32000)]))
  await writeFile(narrow, buildWav(1000, 0))
  await t.rejects(concatWavs(wide, narrow, join(dir, 'out.wav')), WavConcatError, '16 kHz is refused')
})
