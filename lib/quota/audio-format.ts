/**
 * The one audio format voicemaild records and stores (SPEC §1): 8 kHz, 16-bit, mono PCM WAV, so 16,000 bytes a
 * second after a 44-byte header. The daemon sets `record_sample_rate=8000` on the channel before recording and
 * converts every uploaded or imported greeting to it, so these figures hold for every file a box counts.
 */

/** Samples per second. */
export const SAMPLE_RATE = 8000
/** Bytes per sample (16-bit, mono). */
export const BYTES_PER_SAMPLE = 2
/** Audio bytes per second: 8,000 samples of 2 bytes. */
export const BYTES_PER_SECOND = SAMPLE_RATE * BYTES_PER_SAMPLE
/** The canonical WAV header FreeSWITCH (libsndfile) writes before the samples, and the one we write. */
export const WAV_HEADER_BYTES = 44

/** Size of a recording of `ms` milliseconds, header included (a part of a byte counts as a byte). */
export function wavBytesForMs(ms: number): number {
  return WAV_HEADER_BYTES + Math.ceil((ms * BYTES_PER_SECOND) / 1000)
}

/** Whole seconds of audio a file of `bytes` can hold (header counted), never below 0. */
export function wholeSecondsIn(bytes: number): number {
  return Math.max(0, Math.floor((bytes - WAV_HEADER_BYTES) / BYTES_PER_SECOND))
}
