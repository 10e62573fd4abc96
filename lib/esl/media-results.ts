import type { PlayResult, RecordResult } from './call.js'
import { header } from './event-headers.js'
import type { EslEvent } from './modesl-patched.js'

/**
 * Results of media apps, read from their CHANNEL_EXECUTE_COMPLETE (or RECORD_STOP), esl-protocol.md §4. A
 * terminator is only reported when it is one the flow asked for: `playback_terminator_used` can be left over.
 */
export function playResult(event: EslEvent, terminators: string): PlayResult {
  const response = header(event, 'Application-Response') ?? ''
  const used = header(event, 'variable_playback_terminator_used')
  const offset = Number.parseInt(header(event, 'variable_playback_last_offset_pos') ?? '0', 10)
  const result: PlayResult = {
    played: response !== 'FILE NOT FOUND' && response !== 'PLAYBACK ERROR',
    offsetSamples: Number.isFinite(offset) ? offset : 0,
  }
  if (used !== undefined && used !== '' && terminators.includes(used)) result.terminator = used
  return result
}

export function recordResult(event: EslEvent, terminators: string, hungUp: boolean): RecordResult {
  const ms = Number.parseInt(header(event, 'variable_record_ms') ?? '0', 10)
  const used = header(event, 'variable_playback_terminator_used')
  const result: RecordResult = {
    durationMs: Number.isFinite(ms) ? ms : 0,
    silenceEnded: header(event, 'variable_silence_hits_exhausted') === 'true',
    hungUp,
  }
  if (used !== undefined && used !== '' && terminators.includes(used)) result.terminator = used
  return result
}

/**
 * A secret entry (CollectOptions.secret) rebuilt from the DTMF events FreeSWITCH fired while
 * `play_and_get_digits` collected it: digits up to the first terminator, at most `max`. FreeSWITCH dequeues
 * exactly the digits it collects (one that interrupts the prompt, then up to `max` or a terminator) and fires one
 * DTMF event per dequeued digit. A terminator first is an empty entry (FreeSWITCH would keep a `#` that
 * interrupts the prompt as a digit; no PIN starts with one).
 */
export function entryFromDtmf(digits: readonly string[], terminators: string, max: number): string {
  let entry = ''
  for (const digit of digits) {
    if (terminators.includes(digit)) break
    entry += digit
    if (entry.length >= max) break
  }
  return entry
}
