/**
 * `record <path> [<limit_s>] [<silence_thresh>] [<silence_hits>]` (dpt.c:3231–3287, ps.c:407–1058, brief §4).
 * The caller speaks for `hooks.speechMs` then goes silent; the file is a real WAV of speech + trailing silence.
 */
import { open, type FileHandle } from 'node:fs/promises'
import type { CallSession } from './call-session.js'
import { terminatorSet } from './media-apps.js'
import { buildWav, pcmSamples, SAMPLE_RATE, wavHeader } from './wav.js'

/**
 * How the real FreeSWITCH writes a recording (seen in test/integration/conformance.test.ts): a 44-byte header as
 * soon as the file is open, then the audio in blocks of 64 KiB (4.1 s of 8 kHz 16-bit audio) while it records;
 * the header's sizes and the last partial block only when the recording ends.
 */
const WRITE_BLOCK_BYTES = 65_536
const BLOCK_SAMPLES = WRITE_BLOCK_BYTES / 2
const BLOCK_MS = (BLOCK_SAMPLES * 1000) / SAMPLE_RATE

/** Packets of 20 ms, as every codec the simulator models sends. */
const PTIME_MS = 20
/** `switch_is_valid_rate` (switch_utils.h): other `record_sample_rate` values are ignored. */
const VALID_RATES = [8000, 12000, 16000, 24000, 32000, 11025, 22050, 44100, 48000]

/**
 * How long `hits` of silence last on this call: FS counts `fh->samplerate * hits / read_impl.samples_per_packet`
 * packets (ps.c:756–767), the file's rate (`record_sample_rate` if valid, else the codec's) over the codec's
 * samples per packet. On an 8 kHz call with an 8 kHz file that is `hits` seconds; on a 48 kHz Opus call with
 * `record_sample_rate=8000` a sixth of that.
 */
export function silenceMs(s: CallSession, hits: number): number {
  const readRate = s.channel.codec.rate
  const asked = Number.parseInt(s.channel.getVar('record_sample_rate') ?? '', 10)
  const fileRate = VALID_RATES.includes(asked) ? asked : readRate
  const samplesPerPacket = (readRate * PTIME_MS) / 1000
  return Math.floor((fileRate * hits) / samplesPerPacket) * PTIME_MS
}

export async function recordApp(s: CallSession, arg: string): Promise<string | null> {
  const [path = '', limitArg, threshArg, hitsArg] = arg.split(' ')
  const limitS = Number.parseInt(limitArg ?? '0', 10) || 0
  const thresh = Number.parseInt(threshArg ?? '0', 10) || 0
  // Silence detection only with a threshold; hits defaults to 3 when only thresh is given (ps.c:756–767).
  const hits = thresh > 0 ? Number.parseInt(hitsArg ?? '', 10) || 3 : 0
  let fh: FileHandle
  try {
    fh = await open(path, 'w')
  } catch {
    // Open failure: FS hangs up the call and fires no RECORD_START (ps.c:566–570).
    s.hangup('DESTINATION_OUT_OF_ORDER')
    return '_none_'
  }
  // The header is written when the file is opened, before RECORD_START.
  await fh.write(wavHeader(0))
  if (s.hungUp) {
    await fh.close()
    return '_none_'
  }
  let writes: Promise<unknown> = Promise.resolve()
  s.channel.setVar('playback_terminator_used', '')
  s.channel.setVar('silence_hits_exhausted', 'false')
  const { codec } = s.channel
  s.channel.setVar('read_codec', codec.name)
  s.channel.setVar('read_rate', String(codec.rate))
  const index = s.recordCount++
  s.recordedFiles.push(path)
  s.emit(
    'RECORD_START',
    [['Record-File-Path', path]],
    ['switch_ivr_play_say.c', 'switch_ivr_record_file', 775],
  )
  const t0 = s.now()
  s.hooks.onRecordStart?.(path, index, t0)
  const speech = s.hooks.speechMs?.(path, index) ?? 3000
  // The limit is checked in whole seconds as now-start > limit (ps.c:802): it overruns by up to ~1 s.
  const limitEnd = limitS > 0 ? limitS * 1000 + s.rng.int(1, 50) * 20 : Infinity
  const silenceEnd = hits > 0 && Number.isFinite(speech) ? speech + silenceMs(s, hits) : Infinity
  const end = Math.min(limitEnd, silenceEnd)
  const speechSamples = Math.round((speech * SAMPLE_RATE) / 1000)
  const blocks: Array<{ cancel(): void }> = []
  const scheduleBlock = (k: number): void => {
    if (k * BLOCK_MS > end) return
    blocks.push(
      s.node.at(t0 + k * BLOCK_MS, () => {
        const block = pcmSamples((k - 1) * BLOCK_SAMPLES, k * BLOCK_SAMPLES, speechSamples)
        writes = writes.then(() => fh.write(block))
        scheduleBlock(k + 1)
      }),
    )
  }
  scheduleBlock(1)
  const terms = terminatorSet(s)
  const r = await s.media(end, (d) => (terms.includes(d) ? 'stop' : 'drop'), t0)
  for (const b of blocks) b.cancel()
  const ms = Math.round(Math.min(r.elapsedMs, end) / 20) * 20
  const samples = ms * 8
  const wav = buildWav(Math.min(speech, ms), Math.max(0, ms - speech))
  try {
    await writes
    // Closing fills in the header and flushes the rest (here: the whole file again, then its exact length).
    await fh.write(wav, 0, wav.length, 0)
    await fh.truncate(wav.length)
  } finally {
    await fh.close()
  }
  if (r.endedBy === 'time' && end === silenceEnd && silenceEnd <= limitEnd)
    s.channel.setVar('silence_hits_exhausted', 'true')
  if (r.endedBy === 'digit' && r.digit !== undefined) s.channel.setVar('playback_terminator_used', r.digit)
  s.channel.setVar('record_record_file_size', String(wav.length))
  s.channel.setVar('record_file_size', String(wav.length))
  s.channel.setVar('record_seconds', String(Math.floor(ms / 1000)))
  s.channel.setVar('record_ms', String(ms))
  s.channel.setVar('record_samples', String(samples))
  s.emit(
    'RECORD_STOP',
    [['Record-File-Path', path]],
    ['switch_ivr_play_say.c', 'switch_ivr_record_file', 1036],
  )
  // The read codec is restored after the recording (the capture shows read_codec/read_rate moving to the end).
  s.channel.setVar('read_codec', codec.name)
  s.channel.setVar('read_rate', String(codec.rate))
  return '_none_'
}
