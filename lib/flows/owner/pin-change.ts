import type { Call } from '../../esl/call.js'
import type { Logger } from '../../log.js'
import { checkPin, hashPin, PIN_MAX_LENGTH, type PinProblem } from '../../store/pin.js'
import type { Mailbox } from '../../store/types.js'
import type { CustomPrompt } from '../prompts.js'
import type { FlowDeps } from '../deps.js'
import { reloadBox, type OwnerSession } from './session.js'

/** The spoken reason for each refusal of the PIN policy (SPEC §3). */
export const pinProblemPrompt: Readonly<Record<PinProblem, CustomPrompt>> = {
  'not-digits': 'pinNotDigits',
  'too-short': 'pinTooShort',
  'too-long': 'pinTooLong',
  common: 'pinCommon',
  repeated: 'pinRepeated',
  sequence: 'pinSequence',
  'mailbox-number': 'pinMailboxNumber',
}

/**
 * Ask for a new PIN, entered twice (SPEC §4 owner 2). A PIN the policy refuses is answered with its reason; a
 * mismatch with "the PINs do not match". Resolves with the PIN, or undefined after `menus.retries` failed rounds.
 * One digit more than the longest PIN is collected, so "too long" can be told apart from a PIN cut at the limit.
 */
export async function chooseNewPin(
  call: Call,
  box: Mailbox,
  deps: FlowDeps,
  log: Logger,
): Promise<string | undefined> {
  const { prompts, config } = deps
  const entry = (prompt: string): Promise<string> =>
    call.collect({
      prompt,
      min: 1,
      max: PIN_MAX_LENGTH + 1,
      timeoutMs: config.menus.digitTimeoutMs,
      terminators: '#',
      secret: true,
    })
  for (let round = 0; round < config.menus.retries; round++) {
    await call.flushDtmf()
    const first = await entry(prompts.own('enterNewPin'))
    if (first === '') continue
    const verdict = checkPin(first, box.id)
    if (!verdict.ok) {
      log.info({ problem: verdict.problem }, 'new PIN refused by the policy')
      await call.play(prompts.own(pinProblemPrompt[verdict.problem]))
      continue
    }
    await call.flushDtmf()
    const second = await entry(prompts.own('reenterNewPin'))
    if (second !== first) {
      log.info({}, 'new PIN entries do not match')
      await call.play(prompts.own('pinsDoNotMatch'))
      continue
    }
    return first
  }
  log.info({}, 'no new PIN chosen')
  return undefined
}

/** Hash and store `pin` as the box's own (not temporary) PIN; audited without the PIN. */
export async function storeNewPin(session: OwnerSession, pin: string): Promise<void> {
  const { deps, box } = session
  await deps.store.mailboxes.setPin(box.rowId, await hashPin(pin), false)
  await deps.store.audit.append({
    mailboxRowId: box.rowId,
    actor: session.actor,
    action: 'pin.changed',
    detail: {},
  })
  session.log.info({}, 'PIN changed by the owner')
  await reloadBox(session)
}

/** Options `6`: change the PIN. Resolves true when a new PIN was stored. */
export async function changePin(session: OwnerSession): Promise<boolean> {
  const pin = await chooseNewPin(session.call, session.box, session.deps, session.log)
  if (pin === undefined) return false
  await storeNewPin(session, pin)
  await session.call.play(session.deps.prompts.std('passwordChanged'))
  return true
}
