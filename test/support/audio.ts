/**
 * Audio inputs for the conversion tests, made here from a formula so they are the same on every run: tones as WAV
 * in every width and codec wavefile writes, and as MP3 through lamejs (a pure-JS LAME port).
 */
import { Mp3Encoder } from '@breezystack/lamejs'
import wavefile from 'wavefile'

/** `seconds` of a sine at `freq` Hz, amplitude 0.5, sampled at `rate`. */
export function tone(rate: number, seconds: number, freq = 440): Float64Array {
  const n = Math.round(rate * seconds)
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * freq * i) / rate)
  return out
}

export type WavDepth = '8' | '16' | '24' | '32' | '32f' | '8a' | '8m'

/** A WAV of a tone: `channels` copies of it (the right one an octave up, to tell them apart), any width or codec. */
export function toneWav(options: {
  rate: number
  seconds: number
  channels?: number
  depth?: WavDepth
}): Buffer {
  const { rate, seconds, channels = 1, depth = '16' } = options
  const left = tone(rate, seconds)
  const right = tone(rate, seconds, 880)
  const codec = depth === '8a' || depth === '8m' ? '16' : depth
  const scale = codec === '32f' ? 1 : codec === '8' ? 127 : 2 ** (Number(codec) - 1) - 1
  const ints = (samples: Float64Array): number[] =>
    Array.from(samples, (v) => (codec === '32f' ? v : Math.round(v * scale) + (codec === '8' ? 128 : 0)))
  const data = Array.from({ length: channels }, (_, i) => ints(i === 1 ? right : left))
  const wav = new wavefile.WaveFile()
  wav.fromScratch(channels, rate, codec, channels === 1 ? (data[0] ?? []) : data)
  if (depth === '8a') wav.toALaw()
  if (depth === '8m') wav.toMuLaw()
  return Buffer.from(wav.toBuffer())
}

/** An MP3 (CBR `kbps`) of a 440 Hz tone. */
export function toneMp3(options: { rate: number; seconds: number; channels?: 1 | 2; kbps?: number }): Buffer {
  const { rate, seconds, channels = 1, kbps = 64 } = options
  const pcm = Int16Array.from(tone(rate, seconds), (v) => Math.round(v * 32767))
  const encoder = new Mp3Encoder(channels, rate, kbps)
  const chunks: Buffer[] = []
  for (let i = 0; i < pcm.length; i += 1152) {
    const block = pcm.subarray(i, i + 1152)
    chunks.push(
      Buffer.from(channels === 2 ? encoder.encodeBuffer(block, block) : encoder.encodeBuffer(block)),
    )
  }
  chunks.push(Buffer.from(encoder.flush()))
  return Buffer.concat(chunks)
}

/** Frequency of the tone in a 16-bit mono PCM WAV (canonical 44-byte header), by counting upward zero crossings. */
export function dominantFrequency(wav: Uint8Array): number {
  const view = Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength)
  const rate = view.readUInt32LE(24)
  const samples = (view.length - 44) / 2
  let crossings = 0
  let previous = view.readInt16LE(44)
  for (let i = 1; i < samples; i++) {
    const current = view.readInt16LE(44 + i * 2)
    if (previous < 0 && current >= 0) crossings++
    previous = current
  }
  return (crossings * rate) / samples
}

/** Peak absolute sample of a 16-bit mono PCM WAV (canonical header), 0–32768. */
export function peak(wav: Uint8Array): number {
  const view = Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength)
  let max = 0
  for (let i = 44; i + 1 < view.length; i += 2) max = Math.max(max, Math.abs(view.readInt16LE(i)))
  return max
}
