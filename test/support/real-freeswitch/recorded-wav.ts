/**
 * What FreeSWITCH recorded, read back from disk: the format, the length and how loud it is, so a test can tell the
 * caller's tone (the A leg of every test call plays one) from silence or an empty file.
 */
import { readFile } from 'node:fs/promises'
import { readWavHeader } from '../../../lib/store/wav.js'

export interface RecordedWav {
  sampleRate: number
  channels: number
  bitsPerSample: number
  durationMs: number
  /** Root mean square of the 16-bit samples (digital silence is 0; the test tone is in the thousands). */
  rms: number
  bytes: Buffer
}

export async function readRecordedWav(path: string): Promise<RecordedWav> {
  const bytes = await readFile(path)
  const info = readWavHeader(bytes.subarray(0, 4096), bytes.length)
  let sum = 0
  const samples = Math.floor(info.dataBytes / 2)
  for (let i = 0; i < samples; i++) {
    const s = bytes.readInt16LE(info.dataOffset + i * 2)
    sum += s * s
  }
  return {
    sampleRate: info.sampleRate,
    channels: info.channels,
    bitsPerSample: info.bitsPerSample,
    durationMs: info.durationMs,
    rms: samples === 0 ? 0 : Math.sqrt(sum / samples),
    bytes,
  }
}
