import wavefile from 'wavefile'
import { VoicemailError } from '../errors.js'

/** Audio that cannot be turned into a voicemail recording (not WAV, a codec the library does not decode, empty). */
export class AudioConvertError extends VoicemailError {}

/**
 * What the importer needs from audio conversion: one call. `lib/audio/convert.ts` (the greeting upload's converter,
 * built on the same `wavefile` library) provides the same call; the two are to be joined into one.
 */
export interface AudioConverter {
  /**
   * Any WAV the library reads (any rate, width, channel count; PCM, float, µ-law, A-law, IMA ADPCM) → 8 kHz mono
   * 16-bit PCM WAV. Rejects with AudioConvertError for anything else.
   */
  convert(input: Buffer): Promise<Buffer>
}

interface FmtChunk {
  audioFormat: number
  numChannels: number
  sampleRate: number
}

/** WAV format tags wavefile decodes into samples it can resample (RIFF `fmt ` audioFormat). */
const PCM = 1
const FLOAT = 3
const ALAW = 6
const MULAW = 7
const IMA_ADPCM = 17
const EXTENSIBLE = 0xfffe

/**
 * The converter over `wavefile` (no hand-written DSP: the library decodes, changes bit depth and resamples with its
 * anti-aliasing filter; the only arithmetic here is the channel average for a mono downmix).
 */
export const wavefileConverter: AudioConverter = {
  convert(input: Buffer): Promise<Buffer> {
    return Promise.resolve().then(() => convertSync(input))
  },
}

function convertSync(input: Buffer): Buffer {
  const wav = new wavefile.WaveFile()
  try {
    wav.fromBuffer(input)
  } catch (err) {
    throw new AudioConvertError(`not a WAV file the converter reads: ${reason(err)}`, { cause: err })
  }
  const fmt = wav.fmt as FmtChunk
  try {
    if (fmt.audioFormat === MULAW) wav.fromMuLaw()
    else if (fmt.audioFormat === ALAW) wav.fromALaw()
    else if (fmt.audioFormat === IMA_ADPCM) wav.fromIMAADPCM()
    else if (![PCM, FLOAT, EXTENSIBLE].includes(fmt.audioFormat)) {
      throw new AudioConvertError(`unsupported WAV encoding (format tag ${fmt.audioFormat})`)
    }
    if (fmt.numChannels > 1) {
      const channels = wav.getSamples(false, Float64Array) as unknown as Float64Array[]
      const length = channels[0]?.length ?? 0
      const mono = new Float64Array(length)
      for (const channel of channels) {
        for (let i = 0; i < length; i++) mono[i] = (mono[i] ?? 0) + (channel[i] ?? 0) / channels.length
      }
      wav.fromScratch(1, fmt.sampleRate, wav.bitDepth, mono)
    }
    if (wav.bitDepth !== '16') wav.toBitDepth('16')
    if ((wav.fmt as FmtChunk).sampleRate !== 8000) wav.toSampleRate(8000)
  } catch (err) {
    if (err instanceof AudioConvertError) throw err
    throw new AudioConvertError(`cannot convert: ${reason(err)}`, { cause: err })
  }
  return Buffer.from(wav.toBuffer())
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
