/**
 * Real RIFF/WAVE PCM files like the one FreeSWITCH wrote in the capture (`record-time-limit.wav`): 8 kHz, 16-bit,
 * mono, 44-byte header; `record_file_size` = 44 + 2 × samples.
 */
export const WAV_HEADER_BYTES = 44
export const SAMPLE_RATE = 8000

export function wavHeader(samples: number, sampleRate = SAMPLE_RATE): Buffer {
  const dataBytes = samples * 2
  const h = Buffer.alloc(WAV_HEADER_BYTES)
  h.write('RIFF', 0, 'ascii')
  h.writeUInt32LE(36 + dataBytes, 4)
  h.write('WAVE', 8, 'ascii')
  h.write('fmt ', 12, 'ascii')
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20) // PCM
  h.writeUInt16LE(1, 22) // mono
  h.writeUInt32LE(sampleRate, 24)
  h.writeUInt32LE(sampleRate * 2, 28)
  h.writeUInt16LE(2, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36, 'ascii')
  h.writeUInt32LE(dataBytes, 40)
  return h
}

/** One period of a 400 Hz tone at 8 kHz (20 samples), amplitude 8000: the caller's "voice". */
const TONE_PERIOD = (() => {
  const b = Buffer.alloc(40)
  for (let i = 0; i < 20; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * i) / 20)), i * 2)
  return b
})()

/**
 * A whole WAV: `speechMs` of a 400 Hz tone standing in for the caller's voice (energy well above any silence
 * threshold), then `silenceMs` of digital silence. Filled by pattern copy: the benchmark writes thousands.
 */
export function buildWav(speechMs: number, silenceMs: number): Buffer {
  const speech = Math.max(0, Math.round((speechMs * SAMPLE_RATE) / 1000))
  const silence = Math.max(0, Math.round((silenceMs * SAMPLE_RATE) / 1000))
  const out = Buffer.alloc(WAV_HEADER_BYTES + (speech + silence) * 2)
  wavHeader(speech + silence).copy(out, 0)
  if (speech > 0) out.fill(TONE_PERIOD, WAV_HEADER_BYTES, WAV_HEADER_BYTES + speech * 2)
  return out
}

/**
 * Samples `[from, to)` of the same audio as `buildWav(speechMs, …)` (tone for the first `speechSamples`, silence
 * after), as raw 16-bit PCM: what a recording has written so far. Tone phase restarts at `from`.
 */
export function pcmSamples(from: number, to: number, speechSamples: number): Buffer {
  const out = Buffer.alloc(Math.max(0, to - from) * 2)
  const toneEnd = Math.min(to, speechSamples)
  if (toneEnd > from) out.fill(TONE_PERIOD, 0, (toneEnd - from) * 2)
  return out
}

export interface WavInfo {
  sampleRate: number
  channels: number
  bitsPerSample: number
  samples: number
  durationMs: number
}

/** Parse a canonical 44-byte-header PCM WAV; undefined if it is not one. */
export function parseWav(buf: Buffer): WavInfo | undefined {
  if (
    buf.length < WAV_HEADER_BYTES ||
    buf.toString('ascii', 0, 4) !== 'RIFF' ||
    buf.toString('ascii', 8, 12) !== 'WAVE'
  )
    return undefined
  const channels = buf.readUInt16LE(22)
  const sampleRate = buf.readUInt32LE(24)
  const bitsPerSample = buf.readUInt16LE(34)
  const dataBytes = buf.readUInt32LE(40)
  const samples = dataBytes / (channels * (bitsPerSample / 8))
  return { sampleRate, channels, bitsPerSample, samples, durationMs: (samples * 1000) / sampleRate }
}
