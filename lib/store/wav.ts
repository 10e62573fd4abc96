import { VoicemailError } from '../errors.js'
import { BYTES_PER_SAMPLE, SAMPLE_RATE } from '../quota/audio-format.js'

/** A WAV file that cannot be played as a voicemail: not RIFF/WAVE, not PCM, truncated, or empty. */
export class WavFormatError extends VoicemailError {}

export interface WavInfo {
  format: number
  channels: number
  sampleRate: number
  bitsPerSample: number
  /** Byte offset of the audio data. */
  dataOffset: number
  /** Audio bytes actually present in the file (never more than the file holds). */
  dataBytes: number
  /** Audio bytes the header claims; differs from dataBytes when a writer died before closing the file. */
  declaredDataBytes: number
  durationMs: number
}

/**
 * Reads a RIFF/WAVE header the way FreeSWITCH (libsndfile) writes it: `RIFF`, `WAVE`, a `fmt ` chunk, maybe other
 * chunks (`LIST`, `fact`), then `data`. Only the first bytes are needed (`head`); `fileSize` is the whole file's
 * size, used to tell how much audio is really there.
 */
export function readWavHeader(head: Buffer, fileSize: number): WavInfo {
  if (fileSize === 0) throw new WavFormatError('empty file (0 bytes)')
  if (
    head.length < 12 ||
    head.toString('ascii', 0, 4) !== 'RIFF' ||
    head.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new WavFormatError('not a RIFF/WAVE file')
  }
  let offset = 12
  let fmt: Pick<WavInfo, 'format' | 'channels' | 'sampleRate' | 'bitsPerSample'> | undefined
  while (offset + 8 <= head.length) {
    const id = head.toString('ascii', offset, offset + 4)
    const size = head.readUInt32LE(offset + 4)
    const body = offset + 8
    if (id === 'fmt ') {
      if (body + 16 > head.length) throw new WavFormatError('truncated fmt chunk')
      fmt = {
        format: head.readUInt16LE(body),
        channels: head.readUInt16LE(body + 2),
        sampleRate: head.readUInt32LE(body + 4),
        bitsPerSample: head.readUInt16LE(body + 14),
      }
    } else if (id === 'data') {
      if (fmt === undefined) throw new WavFormatError('data chunk before fmt chunk')
      if (fmt.format !== 1) throw new WavFormatError(`not PCM (format ${fmt.format})`)
      if (fmt.channels < 1 || fmt.sampleRate < 1 || fmt.bitsPerSample < 8) {
        throw new WavFormatError('invalid fmt chunk')
      }
      const present = Math.max(0, fileSize - body)
      const dataBytes = Math.min(present, size === 0 || size === 0xffffffff ? present : size)
      const bytesPerSecond = fmt.sampleRate * fmt.channels * (fmt.bitsPerSample / 8)
      return {
        ...fmt,
        dataOffset: body,
        dataBytes,
        declaredDataBytes: size,
        durationMs: Math.floor((dataBytes * 1000) / bytesPerSecond),
      }
    }
    offset = body + size + (size % 2)
  }
  throw new WavFormatError('no data chunk in the first bytes of the file')
}

/** The format every recording must have so that quota arithmetic holds (SPEC §1: 16,000 bytes per second). */
export function isVoicemailFormat(info: WavInfo): boolean {
  return (
    info.format === 1 &&
    info.channels === 1 &&
    info.sampleRate === SAMPLE_RATE &&
    info.bitsPerSample === BYTES_PER_SAMPLE * 8
  )
}
