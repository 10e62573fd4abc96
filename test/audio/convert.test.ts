import t, { type Test } from 'tap'
import { convertToVoicemail, describeSource, sniffFormat } from '../../lib/audio/convert.js'
import { convertOffThread } from '../../lib/audio/convert-thread.js'
import { AudioConversionError } from '../../lib/audio/errors.js'
import { readWavHeader, isVoicemailFormat } from '../../lib/store/wav.js'
import { dominantFrequency, peak, toneMp3, toneWav, type WavDepth } from '../support/audio.js'

const options = { maxSeconds: 90 }

function checkOutput(t: Test, wav: Uint8Array, seconds: number, what: string): void {
  const info = readWavHeader(Buffer.from(wav), wav.length)
  t.ok(isVoicemailFormat(info), `${what}: 8 kHz mono 16-bit PCM`)
  t.equal(info.dataOffset, 44, `${what}: canonical header`)
  t.ok(Math.abs(info.durationMs - seconds * 1000) <= 30, `${what}: duration kept (${info.durationMs} ms)`)
  const freq = dominantFrequency(wav)
  t.ok(Math.abs(freq - 440) < 8, `${what}: the 440 Hz tone is still 440 Hz (${freq.toFixed(1)})`)
  const level = peak(wav)
  t.ok(level > 12000 && level < 20000, `${what}: level kept (peak ${level} of 16383)`)
}

void t.test('WAV of every common rate, width and channel count becomes 8 kHz mono 16-bit', async (t) => {
  const cases: Array<{ rate: number; channels: number; depth: WavDepth; encoding: string }> = [
    { rate: 8000, channels: 1, depth: '16', encoding: 'PCM 16-bit' },
    { rate: 44100, channels: 2, depth: '16', encoding: 'PCM 16-bit' },
    { rate: 48000, channels: 1, depth: '24', encoding: 'PCM 24-bit' },
    { rate: 16000, channels: 1, depth: '8', encoding: 'PCM 8-bit' },
    { rate: 22050, channels: 2, depth: '32', encoding: 'PCM 32-bit' },
    { rate: 32000, channels: 1, depth: '32f', encoding: 'float 32-bit' },
    { rate: 8000, channels: 1, depth: '8a', encoding: 'A-law' },
    { rate: 8000, channels: 1, depth: '8m', encoding: 'µ-law' },
  ]
  for (const c of cases) {
    const input = toneWav({ rate: c.rate, seconds: 2, channels: c.channels, depth: c.depth })
    const out = await convertToVoicemail(input, options)
    const what = `${c.rate} Hz ${c.channels} ch ${c.depth}`
    // A stereo file mixes 440 Hz and 880 Hz; the check on frequency only makes sense in mono.
    if (c.channels === 1) checkOutput(t, out.wav, 2, what)
    else t.ok(isVoicemailFormat(readWavHeader(Buffer.from(out.wav), out.wav.length)), `${what}: converted`)
    t.match(
      out.source,
      { format: 'wav', encoding: c.encoding, sampleRate: c.rate, channels: c.channels },
      what,
    )
    t.ok(Math.abs(out.durationMs - 2000) <= 30, `${what}: reported duration`)
  }
})

void t.test('MP3, mono and stereo, at 44.1 and 22.05 kHz', async (t) => {
  for (const [rate, channels] of [
    [44100, 1],
    [22050, 2],
  ] as const) {
    const out = await convertToVoicemail(toneMp3({ rate, seconds: 3, channels }), options)
    // The encoder adds up to a frame of padding at each end.
    const info = readWavHeader(Buffer.from(out.wav), out.wav.length)
    t.ok(isVoicemailFormat(info), `${rate} Hz ${channels} ch: 8 kHz mono 16-bit`)
    t.ok(Math.abs(info.durationMs - 3000) < 150, `${rate}: duration about 3 s (${info.durationMs})`)
    t.ok(Math.abs(dominantFrequency(out.wav) - 440) < 10, `${rate}: 440 Hz kept`)
    t.match(out.source, { format: 'mp3', encoding: 'MPEG audio', sampleRate: rate, channels })
    t.match(
      describeSource(out.source),
      new RegExp(`^MP3 \\(MPEG audio\\), ${rate} Hz, (mono|stereo), 3\\.\\d s$`),
    )
  }
})

void t.test('sniffing looks at the bytes, not at names', (t) => {
  t.equal(sniffFormat(toneWav({ rate: 8000, seconds: 1 })), 'wav')
  t.equal(sniffFormat(toneMp3({ rate: 44100, seconds: 1 })), 'mp3', 'ID3-less MP3 by its frame sync')
  t.equal(sniffFormat(Buffer.from('ID3\u0004\u0000')), 'mp3')
  t.equal(sniffFormat(Buffer.from('%PDF-1.7 hello')), undefined)
  t.equal(sniffFormat(Buffer.alloc(0)), undefined)
  t.equal(
    describeSource({
      format: 'wav',
      encoding: 'PCM 16-bit',
      sampleRate: 8000,
      channels: 6,
      durationMs: 1500,
    }),
    'WAV (PCM 16-bit), 8000 Hz, 6 channels, 1.5 s',
  )
  t.end()
})

void t.test('refusals say why, with a stable code', async (t) => {
  const refused = async (
    bytes: Uint8Array,
    problem: string,
    message: RegExp,
    maxSeconds = 90,
  ): Promise<void> => {
    await t.rejects(convertToVoicemail(bytes, { maxSeconds }), {
      name: 'AudioConversionError',
      problem,
      message,
    })
  }
  await refused(Buffer.from('this is a text file, not audio'), 'not-audio', /not a WAV or MP3/)
  await refused(
    toneWav({ rate: 8000, seconds: 3 }),
    'too-long',
    /lasts 3\.0 s; a greeting may last at most 2 s/,
    2,
  )
  await refused(toneWav({ rate: 8000, seconds: 0.5 }), 'too-short', /at least 1 s/)
  const broken = Buffer.from(toneWav({ rate: 8000, seconds: 1 }).subarray(0, 30))
  await refused(broken, 'corrupt', /damaged/)
  const adpcmLike = Buffer.from(toneWav({ rate: 8000, seconds: 1 }))
  adpcmLike.writeUInt16LE(0x55, 20) // WAVE_FORMAT_MPEGLAYER3 inside RIFF: not something we decode
  await refused(adpcmLike, 'unsupported', /encoding this server cannot read \(format 85\)/)
  const noAudio = Buffer.from(toneWav({ rate: 8000, seconds: 1 }).subarray(0, 44))
  noAudio.writeUInt32LE(0, 40)
  await refused(noAudio, 'corrupt', /no audio|damaged/)
  const junkMp3 = Buffer.concat([
    Buffer.from('ID3\u0003\u0000\u0000\u0000\u0000\u0000\u0000'),
    Buffer.alloc(2000, 7),
  ])
  await refused(junkMp3, 'corrupt', /MP3 file is damaged/)
  t.ok(new AudioConversionError('timeout', 'x') instanceof Error)
})

void t.test('off the event loop: same result from a worker thread, refusals keep their code', async (t) => {
  const input = toneMp3({ rate: 44100, seconds: 2 })
  const direct = await convertToVoicemail(input, options)
  const threaded = await convertOffThread(input, options)
  t.same(Buffer.from(threaded.wav), Buffer.from(direct.wav), 'byte for byte the same WAV')
  t.same(threaded.source, direct.source)
  await t.rejects(convertOffThread(Buffer.from('nope'), options), {
    name: 'AudioConversionError',
    problem: 'not-audio',
  })
  await t.rejects(convertOffThread(input, options, { timeoutMs: 1 }), {
    name: 'AudioConversionError',
    problem: 'timeout',
  })
})
