import lsr from '@alexanderolsen/libsamplerate-js'
import { MPEGDecoder } from 'mpg123-decoder'
import wavefile from 'wavefile'
import { AudioConversionError } from './errors.js'

/**
 * Any common audio file (WAV of any rate, sample width or channel count; MP3) to the one format the daemon stores
 * and FreeSWITCH plays: 8 kHz, 16-bit, mono PCM WAV (SPEC §1). Decoding is wavefile's (WAV, A-law, µ-law, IMA
 * ADPCM) and mpg123's (MP3, WebAssembly); resampling is libsamplerate's windowed-sinc converter (WebAssembly).
 * The only arithmetic here is the channel average and the float-to-16-bit rounding around them.
 *
 * CPU-heavy (about 1 s for a minute of 44.1 kHz stereo on a busy core): the daemon runs it in a worker thread
 * (`convert-thread.ts`); voicemailctl calls it directly.
 */

export const TARGET_RATE = 8000

/** Shortest greeting kept (a recorded name alone is about a second long; the phone menus use the same floor). */
export const MIN_AUDIO_MS = 1000

export type SourceFormat = 'wav' | 'mp3'

/** What the file was, for the page and voicemailctl to say what was converted. */
export interface SourceInfo {
  format: SourceFormat
  /** `PCM 16-bit`, `float 32-bit`, `A-law`, `µ-law`, `IMA ADPCM`, `MPEG audio`. */
  encoding: string
  sampleRate: number
  channels: number
  durationMs: number
}

export interface ConvertedAudio {
  /** The 8 kHz mono 16-bit PCM WAV, canonical 44-byte header. */
  wav: Uint8Array
  durationMs: number
  source: SourceInfo
}

export interface ConvertOptions {
  /** Longer audio is refused (greetings: `recording.maxGreetingSeconds`). */
  maxSeconds: number
  /** Shorter audio is refused; default `MIN_AUDIO_MS` (a greeting). The mod_voicemail import keeps any length. */
  minMs?: number
  /** What the audio is, for the refusal sentences (default `greeting`). */
  kind?: string
}

/** The container `bytes` hold, by their first bytes (never by a file name or a client's Content-Type). */
export function sniffFormat(bytes: Uint8Array): SourceFormat | undefined {
  const ascii = (from: number, to: number): string => Buffer.from(bytes.subarray(from, to)).toString('latin1')
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav'
  if (bytes.length >= 3 && ascii(0, 3) === 'ID3') return 'mp3'
  // An MPEG audio frame header: 11 sync bits, then a layer that is not "reserved".
  const b0 = bytes[0] ?? 0
  const b1 = bytes[1] ?? 0
  if (b0 === 0xff && (b1 & 0xe0) === 0xe0 && (b1 & 0x06) !== 0) return 'mp3'
  return undefined
}

/**
 * Convert `bytes` to the voicemail format. Rejects with AudioConversionError: `not-audio` (neither WAV nor MP3),
 * `unsupported` (a WAV codec we cannot decode), `corrupt` (the decoder failed or found no audio), `too-long`,
 * `too-short`.
 */
export async function convertToVoicemail(
  bytes: Uint8Array,
  options: ConvertOptions,
): Promise<ConvertedAudio> {
  const format = sniffFormat(bytes)
  if (format === undefined) {
    throw new AudioConversionError('not-audio', 'The file is not a WAV or MP3 audio file.')
  }
  const decoded = format === 'wav' ? decodeWav(bytes) : await decodeMp3(bytes)
  const durationMs = Math.floor((decoded.frames * 1000) / decoded.source.sampleRate)
  const source: SourceInfo = { ...decoded.source, durationMs }
  const kind = options.kind ?? 'greeting'
  const minMs = options.minMs ?? MIN_AUDIO_MS
  if (durationMs > options.maxSeconds * 1000) {
    throw new AudioConversionError(
      'too-long',
      `The recording lasts ${seconds(durationMs)} s; a ${kind} may last at most ${options.maxSeconds} s.`,
    )
  }
  if (durationMs < minMs) {
    throw new AudioConversionError(
      'too-short',
      `The recording lasts ${seconds(durationMs)} s; a ${kind} must last at least ${minMs / 1000} s.`,
    )
  }
  const mono = mixDown(decoded.channels, decoded.frames)
  const resampled =
    decoded.source.sampleRate === TARGET_RATE ? mono : await resample(mono, decoded.source.sampleRate)
  const wav = new wavefile.WaveFile()
  wav.fromScratch(1, TARGET_RATE, '16', toInt16(resampled))
  return {
    wav: wav.toBuffer(),
    durationMs: Math.floor((resampled.length * 1000) / TARGET_RATE),
    source,
  }
}

/** "MP3 (MPEG audio), 44100 Hz, 2 channels, 12.5 s": one line for logs, the page and voicemailctl. */
export function describeSource(source: SourceInfo): string {
  const channels =
    source.channels === 1 ? 'mono' : source.channels === 2 ? 'stereo' : `${source.channels} channels`
  return `${source.format.toUpperCase()} (${source.encoding}), ${source.sampleRate} Hz, ${channels}, ${seconds(source.durationMs)} s`
}

interface Decoded {
  /** One array per channel, samples in -1..1. */
  channels: Float32Array[]
  frames: number
  source: Omit<SourceInfo, 'durationMs'>
}

/** WAVE format codes wavefile decodes, and how we name them. */
const WAV_CODECS: Readonly<Record<number, string>> = {
  1: 'PCM',
  3: 'float',
  6: 'A-law',
  7: 'µ-law',
  17: 'IMA ADPCM',
  65534: 'PCM',
}

function decodeWav(bytes: Uint8Array): Decoded {
  const wav = new wavefile.WaveFile()
  try {
    wav.fromBuffer(bytes)
  } catch (err) {
    throw new AudioConversionError('corrupt', 'The WAV file is damaged: its header cannot be read.', {
      cause: err,
    })
  }
  const fmt = wav.fmt as {
    audioFormat: number
    numChannels: number
    sampleRate: number
    bitsPerSample: number
    subformat: number[]
  }
  const codec = WAV_CODECS[fmt.audioFormat]
  if (codec === undefined || fmt.numChannels < 1 || fmt.sampleRate < 1) {
    throw new AudioConversionError(
      'unsupported',
      `The WAV file uses an encoding this server cannot read (format ${fmt.audioFormat}); save it as PCM WAV or MP3.`,
    )
  }
  // WAVE_FORMAT_EXTENSIBLE carries the real format in the first field of its sub-format GUID (1 PCM, 3 float).
  const float = fmt.audioFormat === 3 || (fmt.audioFormat === 65534 && fmt.subformat[0] === 3)
  const sampleRate = fmt.sampleRate
  const numChannels = fmt.numChannels
  const encoding = float
    ? `float ${fmt.bitsPerSample}-bit`
    : codec === 'PCM'
      ? `PCM ${fmt.bitsPerSample}-bit`
      : codec
  try {
    if (fmt.audioFormat === 6) wav.fromALaw()
    else if (fmt.audioFormat === 7) wav.fromMuLaw()
    else if (fmt.audioFormat === 17) wav.fromIMAADPCM()
    else if (float && wav.bitDepth === '32') {
      // wavefile reads an extensible header's bit depth as integer; its sample type must say float instead.
      wav.bitDepth = '32f'
      ;(wav as unknown as { dataType: { fp: boolean } }).dataType.fp = true
    }
    const raw = wav.getSamples(false, Float32Array) as unknown as Float32Array | Float32Array[]
    const channels = Array.isArray(raw) ? raw : [raw]
    const bits = Number.parseInt(wav.bitDepth, 10)
    const unsigned8 = wav.bitDepth === '8'
    // Integer samples come back as stored: scale them to -1..1 (8-bit WAV is unsigned, centred on 128).
    const scale = float ? 1 : 2 ** (bits - 1)
    for (const channel of channels) {
      for (let i = 0; i < channel.length; i++)
        channel[i] = ((channel[i] ?? 0) - (unsigned8 ? 128 : 0)) / scale
    }
    const frames = channels[0]?.length ?? 0
    if (frames === 0) throw new AudioConversionError('corrupt', 'The WAV file contains no audio.')
    return { channels, frames, source: { format: 'wav', encoding, sampleRate, channels: numChannels } }
  } catch (err) {
    if (err instanceof AudioConversionError) throw err
    throw new AudioConversionError('corrupt', 'The WAV file is damaged: its audio cannot be decoded.', {
      cause: err,
    })
  }
}

async function decodeMp3(bytes: Uint8Array): Promise<Decoded> {
  const decoder = new MPEGDecoder()
  await decoder.ready
  try {
    const out = decoder.decode(bytes)
    const frames = out.samplesDecoded
    if (frames === 0 || out.channelData.length === 0 || out.sampleRate === 0) {
      throw new AudioConversionError('corrupt', 'The MP3 file is damaged: no audio could be decoded from it.')
    }
    const channels = out.channelData.map((c) => c.subarray(0, frames))
    // mpg123 hands mono streams back as two equal channels; the frame header says what the file holds.
    const declared = mp3Channels(bytes) ?? channels.length
    return {
      channels,
      frames,
      source: {
        format: 'mp3',
        encoding: 'MPEG audio',
        sampleRate: out.sampleRate,
        channels: declared,
      },
    }
  } finally {
    decoder.free()
  }
}

/** Channel count from the first frame header (after an ID3v2 tag, if any); undefined when it is not there. */
function mp3Channels(bytes: Uint8Array): number | undefined {
  let at = 0
  if (bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
    // ID3v2 size: four 7-bit bytes, then the 10-byte tag header.
    at = 10 + (((bytes[6] ?? 0) << 21) | ((bytes[7] ?? 0) << 14) | ((bytes[8] ?? 0) << 7) | (bytes[9] ?? 0))
  }
  if (bytes[at] !== 0xff || ((bytes[at + 1] ?? 0) & 0xe0) !== 0xe0) return undefined
  return (bytes[at + 3] ?? 0) >> 6 === 3 ? 1 : 2
}

/** The average of the channels: a stereo greeting keeps both sides at equal weight. */
function mixDown(channels: readonly Float32Array[], frames: number): Float32Array {
  const first = channels[0] as Float32Array
  if (channels.length === 1) return first
  const mono = new Float32Array(frames)
  for (const channel of channels)
    for (let i = 0; i < frames; i++) mono[i] = (mono[i] ?? 0) + (channel[i] ?? 0)
  for (let i = 0; i < frames; i++) mono[i] = (mono[i] ?? 0) / channels.length
  return mono
}

async function resample(mono: Float32Array, fromRate: number): Promise<Float32Array> {
  // Medium quality passes 90 % of the band (3.6 kHz at 8 kHz): the whole telephone band, at half of best's cost.
  const src = await lsr.create(1, fromRate, TARGET_RATE, {
    converterType: lsr.ConverterType.SRC_SINC_MEDIUM_QUALITY,
  })
  try {
    return src.simple(mono)
  } finally {
    src.destroy()
  }
}

/** Round to 16 bits with the same scale the decoders used (2^15), so a 16-bit input comes out sample-exact. */
function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length)
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round((samples[i] ?? 0) * 32768)
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v
  }
  return out
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1)
}
