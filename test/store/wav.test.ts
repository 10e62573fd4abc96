import t from 'tap'
import { readFile } from 'node:fs/promises'
import { isVoicemailFormat, readWavHeader, WavFormatError } from '../../lib/store/wav.js'
import { FIXTURE_WAV } from '../support/fixtures.js'

const fixture = FIXTURE_WAV

void t.test('reads the header FreeSWITCH wrote for a 3.5 s recording', async (t) => {
  const bytes = await readFile(fixture)
  const info = readWavHeader(bytes.subarray(0, 4096), bytes.length)
  t.equal(info.sampleRate, 8000, 'sample rate')
  t.equal(info.channels, 1, 'mono')
  t.equal(info.bitsPerSample, 16, '16-bit')
  t.equal(info.dataOffset, 44, '44-byte header')
  t.equal(info.dataBytes, bytes.length - 44, 'all audio present')
  t.equal(info.durationMs, 3500, 'duration matches record_ms of the capture')
  t.ok(isVoicemailFormat(info), 'voicemail format')
})

void t.test('a header whose sizes were never patched still gives the duration on disk', async (t) => {
  const bytes = Buffer.from(await readFile(fixture))
  bytes.writeUInt32LE(0, 40)
  const info = readWavHeader(bytes.subarray(0, 4096), bytes.length)
  t.equal(info.durationMs, 3500, 'duration from the file size')
  t.equal(info.declaredDataBytes, 0, 'declared size kept for reporting')
})

void t.test('refuses what is not a playable recording', async (t) => {
  t.throws(() => readWavHeader(Buffer.alloc(0), 0), WavFormatError, '0-byte file')
  t.throws(() => readWavHeader(Buffer.from('hello world, not a wav'), 22), WavFormatError, 'text file')
  const bytes = Buffer.from(await readFile(fixture))
  bytes.writeUInt16LE(3, 20)
  t.throws(() => readWavHeader(bytes.subarray(0, 4096), bytes.length), /not PCM/, 'float WAV')
})
