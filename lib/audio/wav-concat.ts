import { readFile, writeFile } from 'node:fs/promises'
import { VoicemailError } from '../errors.js'
import { BYTES_PER_SAMPLE, BYTES_PER_SECOND, SAMPLE_RATE, WAV_HEADER_BYTES } from '../quota/audio-format.js'
import { isVoicemailFormat, readWavHeader } from '../store/wav.js'

/** Two recordings that cannot be joined byte for byte (not both 8 kHz 16-bit mono PCM). */
export class WavConcatError extends VoicemailError {}

/**
 * Write `out` = the audio of `first` followed by the audio of `second`, under a fresh 44-byte PCM header. Both
 * must be 8 kHz 16-bit mono PCM (what the daemon records): joining their data chunks is then exact, no resampling.
 * Rejects with WavConcatError for other formats and WavFormatError for unreadable files.
 */
export async function concatWavs(first: string, second: string, out: string): Promise<void> {
  const a = await readFile(first)
  const b = await readFile(second)
  const ha = readWavHeader(a.subarray(0, 4096), a.length)
  const hb = readWavHeader(b.subarray(0, 4096), b.length)
  if (!isVoicemailFormat(ha) || !isVoicemailFormat(hb)) {
    throw new WavConcatError('only 8 kHz 16-bit mono PCM recordings can be joined')
  }
  const dataA = a.subarray(ha.dataOffset, ha.dataOffset + ha.dataBytes - (ha.dataBytes % 2))
  const dataB = b.subarray(hb.dataOffset, hb.dataOffset + hb.dataBytes - (hb.dataBytes % 2))
  await writeFile(out, Buffer.concat([pcmHeader(dataA.length + dataB.length), dataA, dataB]), { mode: 0o660 })
}

/** RIFF/WAVE header for `dataBytes` of 8 kHz 16-bit mono PCM. */
export function pcmHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(WAV_HEADER_BYTES)
  h.write('RIFF', 0, 'ascii')
  h.writeUInt32LE(36 + dataBytes, 4)
  h.write('WAVE', 8, 'ascii')
  h.write('fmt ', 12, 'ascii')
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20) // PCM
  h.writeUInt16LE(1, 22) // mono
  h.writeUInt32LE(SAMPLE_RATE, 24)
  h.writeUInt32LE(BYTES_PER_SECOND, 28) // byte rate
  h.writeUInt16LE(BYTES_PER_SAMPLE, 32) // block align
  h.writeUInt16LE(BYTES_PER_SAMPLE * 8, 34)
  h.write('data', 36, 'ascii')
  h.writeUInt32LE(dataBytes, 40)
  return h
}
