import { randomUUID } from 'node:crypto'
import { HangupError } from '../../esl/errors.js'
import { copyMessage } from '../../lifecycle/copy-message.js'
import { SAMPLE_RATE } from '../../quota/audio-format.js'
import { fitsIn } from '../../quota/box-quota.js'
import { MessageGoneError } from '../../store/errors.js'
import type { Mailbox, Message } from '../../store/types.js'
import { chooseKey } from '../menu.js'
import type { OwnerSession } from './session.js'
import { askBoxNumber } from './ask-box.js'

/** Longest spoken introduction to a forwarded message. */
export const MAX_INTRO_SECONDS = 60
const MIN_INTRO_MS = 1000

/**
 * After-message `8`: forward a copy to another box of the same domain (SPEC §4 owner 5). The owner keys in the
 * box number (then `#`), then `1` adds a spoken introduction or `8` sends the message as it is. The target gets a
 * new message of its own (a copy of the file, `forwardedFrom` set, caller data of the original), with its own mail
 * and lamp. With an introduction, the two recordings are joined into one WAV (intro first). The target's quota is
 * respected: a copy that does not fit is refused ("that mailbox is full"), nothing is written. The original stays
 * as it was.
 */
export async function forwardMessage(session: OwnerSession, message: Message): Promise<void> {
  const { call, deps, log, box } = session
  const { prompts, files } = deps
  const target = await askBoxNumber(session.call, session.deps, session.log, {
    prompt: 'forwardEnterExt',
    domain: session.box.domain,
    accept: (box) => box.enabled,
    reason: 'forward to an unknown or disabled box',
  })
  if (target === undefined) return
  const source = files.fromStored(message.file)
  if (!(await fitsIn(target, message.sizeBytes, deps))) return refuseFull(session, target)

  const choice = await chooseKey(call, deps, [prompts.own('forwardIntroOrSend')], '18')
  if (choice === undefined) return
  let intro: string | undefined
  try {
    if (choice === '1') intro = await recordIntro(session, target)
    const outcome = await copyMessage(message, box, target, deps, log, intro)
    if (!outcome.copied) return refuseFull(session, target)
  } catch (err) {
    if (err instanceof HangupError) throw err
    // The original vanished while we copied it (removed under the owner): "no longer available", not an error.
    if (!(await files.exists(source))) throw new MessageGoneError(`message ${message.uuid} was removed`)
    log.error({ err, to: target.id }, 'message could not be forwarded')
    await call.play(prompts.own('systemError'))
    return
  } finally {
    if (intro !== undefined) await files.remove(intro)
  }
  await call.play(prompts.own('messageForwarded'))
}

async function refuseFull(session: OwnerSession, target: Mailbox): Promise<void> {
  session.log.info({ to: target.id }, 'forward refused: target mailbox full')
  await session.call.play(session.deps.prompts.own('forwardTargetFull'))
}

/** Record the introduction into the target's folder; resolves its path, or undefined when too short / hung up. */
async function recordIntro(session: OwnerSession, target: Mailbox): Promise<string | undefined> {
  const { call, deps } = session
  const path = deps.files.messagePath(target.domain, target.id, randomUUID())
  await deps.files.prepare(path)
  await call.setVariable('record_sample_rate', String(SAMPLE_RATE))
  await call.flushDtmf()
  await call.play([deps.prompts.own('recordIntro'), deps.prompts.std('beep')])
  const take = await call.record(path, {
    maxSeconds: Math.min(MAX_INTRO_SECONDS, deps.config.recording.maxMessageSeconds),
    silenceThreshold: deps.config.recording.silenceThreshold,
    silenceSeconds: deps.config.recording.silenceSeconds,
    terminators: '#',
  })
  const info = await deps.files.inspect(path).catch(() => undefined)
  if (take.hungUp || info === undefined || info.durationMs < MIN_INTRO_MS) {
    await deps.files.remove(path)
    if (take.hungUp || call.hungUp) throw new HangupError(call.info.uuid, 'record')
    return undefined
  }
  return path
}
