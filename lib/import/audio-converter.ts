import { convertToVoicemail } from '../audio/convert.js'

/**
 * What the importer needs from audio conversion: one call, so a test can hand it one that fails. The real one is
 * the greeting upload's converter (`lib/audio/convert.ts`: WAV of any rate, width, channel count or codec, and
 * MP3, to 8 kHz mono 16-bit PCM), with no length limits of its own: mod_voicemail already kept what it kept.
 */
export interface AudioConverter {
  /** Rejects with AudioConversionError for anything that is not audio the converter reads. */
  convert(input: Buffer): Promise<Buffer>
}

/** A day: longer than any message mod_voicemail records (its `max-record-len` tops out far below). */
const NO_LIMIT_SECONDS = 24 * 3600

export const voicemailConverter: AudioConverter = {
  async convert(input: Buffer): Promise<Buffer> {
    const converted = await convertToVoicemail(input, {
      maxSeconds: NO_LIMIT_SECONDS,
      minMs: 0,
      kind: 'recording',
    })
    return Buffer.from(converted.wav)
  },
}
