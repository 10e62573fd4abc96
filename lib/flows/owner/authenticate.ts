import type { Call } from '../../esl/call.js'
import type { Logger } from '../../log.js'
import { PIN_MAX_LENGTH, verifyPin } from '../../store/pin.js'
import type { Mailbox } from '../../store/types.js'
import type { FlowDeps } from '../deps.js'

/**
 * `ok`: the PIN matched. `setup`: the owner must choose a PIN now (a temporary PIN was entered, or the box has no
 * PIN and the call comes from the box's own phone). `refused`: the caller heard why; the call should end.
 */
export type AuthOutcome = 'ok' | 'setup' | 'refused'

/**
 * Ask for the PIN of `box` (SPEC §4 owner 1): `security.pinTriesPerCall` tries per call; every wrong PIN counts
 * towards the cross-call lockout (`lockoutFailures` within `failureWindowMinutes` lock the box for
 * `lockoutMinutes`). A locked box says so without asking. The lock is logged, audited (by the LockoutPolicy) and
 * mailed to the box's recipients. An empty entry (timeout) uses up a try of this call but is not a guess, so it
 * does not count towards the lockout. Never logs the PIN.
 */
export async function authenticate(
  call: Call,
  box: Mailbox,
  deps: FlowDeps,
  log: Logger,
): Promise<AuthOutcome> {
  const { prompts, config } = deps
  if (!box.enabled) {
    log.info({}, 'login refused: mailbox disabled')
    await call.play(prompts.own('mailboxUnavailable'))
    return 'refused'
  }
  const policy = deps.store.lockout(config.security)
  if (await isLocked(box, deps, log)) {
    await call.play(prompts.own('mailboxLocked'))
    return 'refused'
  }
  if (box.pinHash === undefined) {
    if (isOwnPhone(call, box)) {
      log.info({}, "first login without a PIN, from the box owner's own phone")
      return 'setup'
    }
    // Letting anyone who dials 5000 claim a box without a PIN is how greetings get hijacked (FCC guidance).
    log.warn({}, 'login refused: mailbox has no PIN and the call is not from its own phone')
    await call.play(prompts.own('noPinSet'))
    return 'refused'
  }

  for (let attempt = 1; attempt <= config.security.pinTriesPerCall; attempt++) {
    await call.flushDtmf()
    const pin = await call.collect({
      prompt: prompts.std('enterPass'),
      min: 1,
      max: PIN_MAX_LENGTH,
      timeoutMs: config.menus.digitTimeoutMs,
      terminators: '#',
    })
    // Another call may have locked the box while this caller was typing.
    const current = (await deps.store.mailboxes.findByRowId(box.rowId)) ?? box
    if (await isLocked(current, deps, log)) {
      await call.play(prompts.own('mailboxLocked'))
      return 'refused'
    }
    if (pin === '') {
      log.info({ attempt }, 'no PIN entered')
      await call.play(prompts.std('failAuth'))
      continue
    }
    if (current.pinHash !== undefined && (await verifyPin(pin, current.pinHash))) {
      await policy.registerSuccess(current)
      log.info({ attempt, temporaryPin: current.pinTemporary }, 'owner logged in')
      return current.pinTemporary ? 'setup' : 'ok'
    }
    const outcome = await policy.registerFailure(current, `phone:${call.info.uuid}`)
    log.warn({ attempt, failures: outcome.failures }, 'wrong PIN')
    if (outcome.locked && outcome.lockedUntil !== undefined) {
      deps.events?.boxLocked(current)
      log.warn(
        { lockedUntil: new Date(outcome.lockedUntil).toISOString() },
        'mailbox locked after too many wrong PINs',
      )
      await deps.mail
        .lockout(current, outcome.lockedUntil)
        .catch((err: unknown) => log.error({ err }, 'lockout mail could not be queued'))
      await call.play(prompts.own('mailboxLocked'))
      return 'refused'
    }
    await call.play(prompts.std('failAuth'))
  }
  log.warn({ tries: config.security.pinTriesPerCall }, 'login failed: PIN tries of this call used up')
  await call.play(prompts.std('abort'))
  return 'refused'
}

/** Whether PIN entry is refused now; logs a lock that just expired (the policy clears and audits it). */
async function isLocked(box: Mailbox, deps: FlowDeps, log: Logger): Promise<boolean> {
  const locked = await deps.store.lockout(deps.config.security).isLocked(box)
  if (locked) {
    log.info({ lockedUntil: new Date(box.lockedUntil ?? 0).toISOString() }, 'login refused: mailbox locked')
  } else if (box.lockedUntil !== undefined) {
    log.info({}, 'mailbox lock expired')
  }
  return locked
}

/**
 * The call comes from the phone of this very box: FreeSWITCH authenticated the caller as directory user
 * `user_name` (a registered phone), in the box's domain. Caller id is not enough (it can be spoofed from outside).
 */
export function isOwnPhone(call: Call, box: Mailbox): boolean {
  const vars = call.info.variables
  const domain = (vars.get('domain_name') ?? vars.get('vm_domain') ?? box.domain).toLowerCase()
  return box.kind === 'personal' && vars.get('user_name') === box.id && domain === box.domain
}
