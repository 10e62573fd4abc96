import { randomUUID } from 'node:crypto'
import type { Call } from '../esl/call.js'
import { HangupError } from '../esl/errors.js'
import type { Logger } from '../log.js'
import { SAMPLE_RATE, wavBytesForMs } from '../quota/audio-format.js'
import { capForNextTake, noticeFullBox } from '../quota/box-quota.js'
import type { InFlightClaim } from '../store/recordings-in-flight.js'
import type { Mailbox } from '../store/types.js'
import type { FlowDeps } from './deps.js'
import { chooseKey, reviewRecording } from './menu.js'
import { discardTake, noteTake } from './recording-notes.js'

export interface Recording {
  uuid: string
  path: string
  durationMs: number
  urgent: boolean
}

/**
 * Beep, record, and let the caller review (SPEC §4 deposit 4–5). Resolves with the recording to keep, or
 * `undefined` when nothing worth keeping was recorded (too short every time, or hung up before speaking long
 * enough, or no room left). Once a long-enough recording exists, a hangup at any later point still resolves with
 * it: a caller's hangup must never lose a message. `log` is the call's logger (its lines carry the call's uuid and
 * box).
 *
 * `claim` is the caller's share of the box (quota/box-quota.ts `admitCaller`): each take is capped at the room left
 * for it, and a take the quota watch ended is kept without review, the caller told why (SPEC §4 deposit 3).
 */
export async function recordMessage(
  call: Call,
  box: Mailbox,
  claim: InFlightClaim,
  deps: FlowDeps,
  log: Logger,
): Promise<Recording | undefined> {
  const { config, prompts } = deps
  const minMs = config.recording.minMessageSeconds * 1000
  // FreeSWITCH records at the codec's rate unless told; quota arithmetic needs 16,000 bytes per second.
  await call.setVariable('record_sample_rate', String(SAMPLE_RATE))

  let tooShort = 0
  for (;;) {
    const capSeconds = await capForNextTake(claim, box, deps)
    if (capSeconds < config.recording.minMessageSeconds) {
      // Before a re-record: other callers' messages filled the box meanwhile.
      log.info({ capSeconds }, 'no room left for another take: mailbox full')
      await tellFull(call, box, deps, log)
      return undefined
    }
    const take = await recordOnce(call, box, claim, capSeconds, deps, log)
    // Ended by the watch, or by a cap the room left set below maxMessageSeconds: either way the box is full.
    const quotaCapped = take.endedByLimit && capSeconds < config.recording.maxMessageSeconds
    if (claim.stoppedForQuota || quotaCapped) return keepCutShort(call, box, claim, take, deps, log)
    if (take.durationMs < minMs) {
      claim.discardTake()
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
        claim.discardTake()
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
  /** Neither `#`, silence nor a hangup ended it: its time limit did (or a `uuid_break`). */
  endedByLimit: boolean
}

async function recordOnce(
  call: Call,
  box: Mailbox,
  claim: InFlightClaim,
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
    // Timed from the moment we ask: FreeSWITCH's file is never longer than that (the error is on the safe side).
    claim.startRecording(() => {
      log.info({ capSeconds }, 'mailbox reached its quota: ending the recording')
      call.breakMedia().catch((err: unknown) => log.warn({ err }, 'could not end the recording'))
    })
    try {
      result = await call.record(path, {
        maxSeconds: capSeconds,
        silenceThreshold: deps.config.recording.silenceThreshold,
        silenceSeconds: deps.config.recording.silenceSeconds,
        terminators: '#',
      })
    } catch (err) {
      claim.discardTake()
      throw err
    }
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
  claim.finishTake(wavBytesForMs(durationMs))
  const endedByLimit = !result.hungUp && !result.silenceEnded && result.terminator === undefined
  return { uuid, path, durationMs, hungUp: result.hungUp, endedByLimit }
}

/**
 * The box's quota ended this take: the quota watch stopped it (the box filled up while several callers
 * recorded), or it reached the cap the room left set. It ran past the minimum message length, so it is kept
 * without review (a re-record would find no room), and the caller hears why it ended; the "mailbox full" mail
 * goes out once per episode as for a caller turned away.
 */
async function keepCutShort(
  call: Call,
  box: Mailbox,
  claim: InFlightClaim,
  take: Take,
  deps: FlowDeps,
  log: Logger,
): Promise<Recording | undefined> {
  const minMs = deps.config.recording.minMessageSeconds * 1000
  log.info({ durationMs: take.durationMs, hungUp: take.hungUp }, 'recording ended at the quota')
  if (take.durationMs < minMs) {
    // Only if FreeSWITCH started writing unusually late: nothing worth keeping, and no room for another take.
    claim.discardTake()
    await discardTake(take.path, deps, log)
    await tellFull(call, box, deps, log)
    return undefined
  }
  const recording: Recording = {
    uuid: take.uuid,
    path: take.path,
    durationMs: take.durationMs,
    urgent: false,
  }
  try {
    await tellFull(call, box, deps, log)
  } catch (err) {
    if (!(err instanceof HangupError)) throw err
  }
  return recording
}

/** "The mailbox is full" (if the caller is still there) and the once-per-episode notice mail. */
async function tellFull(call: Call, box: Mailbox, deps: FlowDeps, log: Logger): Promise<void> {
  await noticeFullBox(box, deps, log)
  if (!call.hungUp) await call.play(deps.prompts.std('mailboxFull'))
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
