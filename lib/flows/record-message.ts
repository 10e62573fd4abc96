import { randomUUID } from 'node:crypto'
import type { Call } from '../esl/call.js'
import { HangupError } from '../esl/errors.js'
import type { Logger } from '../log.js'
import type { Mailbox } from '../store/types.js'
import type { FlowDeps } from './deps.js'
import { chooseKey, reviewRecording } from './menu.js'
import { discardTake, noteTake } from './recording-notes.js'

/** Bytes per second of the only format we record (SPEC §1: 8 kHz, 16-bit, mono). */
export const BYTES_PER_SECOND = 16000

export interface Recording {
  uuid: string
  path: string
  durationMs: number
  urgent: boolean
}

/**
 * Beep, record, and let the caller review (SPEC §4 deposit 4–5). Resolves with the recording to keep, or
 * `undefined` when nothing worth keeping was recorded (too short every time, or hung up before speaking long
 * enough). Once a long-enough recording exists, a hangup at any later point still resolves with it: a caller's
 * hangup must never lose a message. `log` is the call's logger (its lines carry the call's uuid and box).
 */
export async function recordMessage(
  call: Call,
  box: Mailbox,
  capSeconds: number,
  deps: FlowDeps,
  log: Logger,
): Promise<Recording | undefined> {
  const { config, prompts } = deps
  const minMs = config.recording.minMessageSeconds * 1000
  // FreeSWITCH records at the codec's rate unless told; quota arithmetic needs 16,000 bytes per second.
  await call.setVariable('record_sample_rate', '8000')

  let tooShort = 0
  for (;;) {
    const take = await recordOnce(call, box, capSeconds, deps, log)
    if (take.durationMs < minMs) {
      await discardTake(take.path, deps, log)
      log.info({ durationMs: take.durationMs, hungUp: take.hungUp }, 'recording too short, discarded')
      if (take.hungUp || call.hungUp) return undefined
      tooShort++
      if (tooShort > config.recording.maxTooShortRetries) {
        await call.play(prompts.std('tooSmall'))
        return undefined
      }
      await call.play(prompts.std('tooSmall'))
      continue
    }
    const recording: Recording = {
      uuid: take.uuid,
      path: take.path,
      durationMs: take.durationMs,
      urgent: false,
    }
    if (take.hungUp || call.hungUp) return recording
    try {
      const verdict = await review(call, recording, deps)
      if (verdict === 'rerecord') {
        await discardTake(recording.path, deps, log)
        continue
      }
    } catch (err) {
      if (err instanceof HangupError) return recording
      throw err
    }
    return recording
  }
}

interface Take {
  uuid: string
  path: string
  durationMs: number
  hungUp: boolean
}

async function recordOnce(
  call: Call,
  box: Mailbox,
  capSeconds: number,
  deps: FlowDeps,
  log: Logger,
): Promise<Take> {
  const uuid = randomUUID()
  const path = deps.files.messagePath(box.domain, box.id, uuid)
  await deps.files.prepare(path)
  await call.flushDtmf()
  // Written while the beep plays and awaited after the recording: a busy database must not put a gap between the
  // beep and the recording (the caller speaks at the beep). noteTake never rejects.
  const noted = noteTake(call, box, path, deps, log)
  let result
  try {
    await call.play(deps.prompts.std('beep'))
    result = await call.record(path, {
      maxSeconds: capSeconds,
      silenceThreshold: deps.config.recording.silenceThreshold,
      silenceSeconds: deps.config.recording.silenceSeconds,
      terminators: '#',
    })
  } finally {
    await noted
  }
  // record_ms is lost when FreeSWITCH drops the final events; the file on disk is then the truth.
  let durationMs = result.durationMs
  if (durationMs === 0 && (await deps.files.exists(path))) {
    durationMs = await deps.files.inspect(path).then(
      (info) => info.durationMs,
      () => 0,
    )
  }
  return { uuid, path, durationMs, hungUp: result.hungUp }
}

/**
 * After recording: `1` listen, `2` save, `3` re-record; then `*` urgent, `#` send. No answer after the retries
 * counts as save, like mod_voicemail: the caller who says nothing more wants the message sent.
 */
async function review(call: Call, recording: Recording, deps: FlowDeps): Promise<'send' | 'rerecord'> {
  const { prompts } = deps
  if ((await reviewRecording(call, deps, recording.path)) === 'rerecord') return 'rerecord'
  const urgent = await chooseKey(
    call,
    deps,
    prompts.menu([
      ['markUrgent', '*'],
      ['continue', '#'],
    ]),
    '*#',
  )
  recording.urgent = urgent === '*'
  return 'send'
}
