import type { Call } from '../../esl/call.js'
import type { Logger } from '../../log.js'
import { checkPinLogin } from '../../access/pin-login.js'
import { PIN_MAX_LENGTH } from '../../store/pin.js'
import type { Access, Mailbox } from '../../store/types.js'
import type { FlowDeps } from '../deps.js'

/**
 * `ok`: the PIN matched. `setup`: the owner must choose a PIN now (a temporary PIN was entered, or the box has no
 * PIN and the call comes from the box's own phone). `refused`: the caller heard why; the call should end.
 */
export type AuthOutcome = 'ok' | 'setup' | 'refused'

/**
 * Ask for the PIN of `box` (SPEC §4 owner 1): `security.pinTriesPerCall` tries per call; every wrong PIN counts
 * towards the cross-call lockout of this caller's kind of access (`accessOf`): the box's own phone and everyone
 * else are counted and locked separately, so nobody outside can lock the owner out. A locked access says so
 * without asking. The check itself is `checkPinLogin` (shared with the web page). An empty entry (timeout) uses up
 * a try of this call but is not a guess, so it does not count towards the lockout. Never logs the PIN.
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
  const access = accessOf(call, box)
  if (await isLocked(box, access, deps, log)) {
    await call.play(prompts.own('mailboxLocked'))
    return 'refused'
  }
  if (box.pinHash === undefined) {
    if (access === 'owner') {
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
      secret: true,
    })
    if (pin === '') {
      // Another call may have locked this access while the caller stayed silent.
      if (await isLocked((await deps.store.mailboxes.findByRowId(box.rowId)) ?? box, access, deps, log)) {
        await call.play(prompts.own('mailboxLocked'))
        return 'refused'
      }
      log.info({ attempt }, 'no PIN entered')
      await call.play(prompts.std('failAuth'))
      continue
    }
    // The call's logger: the lock line must carry the call's uuid and box like every other line of the call.
    const result = await checkPinLogin(box, pin, access, `phone:${call.info.uuid}`, { ...deps, log })
    switch (result.outcome) {
      case 'ok':
      case 'setup':
        log.info({ attempt, access, temporaryPin: result.outcome === 'setup' }, 'owner logged in')
        return result.outcome
      case 'locked':
        if (!result.justLocked) log.info({ access }, 'login refused: mailbox locked')
        await call.play(prompts.own('mailboxLocked'))
        return 'refused'
      case 'no-pin':
        await call.play(prompts.own('noPinSet'))
        return 'refused'
      case 'wrong':
        log.warn({ attempt, access, failures: result.failures }, 'wrong PIN')
        await call.play(prompts.std('failAuth'))
        break
    }
  }
  log.warn({ tries: config.security.pinTriesPerCall }, 'login failed: PIN tries of this call used up')
  await call.play(prompts.std('abort'))
  return 'refused'
}

/** Whether PIN entry through `access` is refused now; logs a lock that just expired (the policy clears it). */
async function isLocked(box: Mailbox, access: Access, deps: FlowDeps, log: Logger): Promise<boolean> {
  const policy = deps.store.lockout(deps.config.security)
  const until = policy.lockOf(box, access)
  const locked = await policy.isLocked(box, access)
  if (locked) {
    log.info({ access, lockedUntil: new Date(until ?? 0).toISOString() }, 'login refused: mailbox locked')
  } else if (until !== undefined) {
    log.info({ access }, 'mailbox lock expired')
  }
  return locked
}

/**
 * Who is typing the PIN (SPEC §4 owner 1): the box's own authenticated phone (`owner`), or anyone else
 * (`remote`: 5000, `*` from a greeting, `login`, another phone, a call from outside).
 */
export function accessOf(call: Call, box: Mailbox): Access {
  return isOwnPhone(call, box) ? 'owner' : 'remote'
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
