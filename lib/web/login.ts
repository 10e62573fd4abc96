import { randomBytes } from 'node:crypto'
import { isBoxNumber, isSafeDomain } from '../mailbox-values.js'
import { checkPinLogin, type PinLoginResult } from '../access/pin-login.js'
import { hashPin, verifyPin } from '../store/pin.js'
import type { Mailbox } from '../store/types.js'
import type { WebContext } from './context.js'
import { HttpProblem } from './errors.js'
import type { WebSession } from './session-store.js'

export interface LoginInput {
  domain: string
  box: string
  pin: string
}

/** The same words for an unknown box and a wrong PIN: the page must not tell which boxes exist. */
const WRONG = 'Wrong mailbox number or PIN.'

/**
 * Log in to a box from the page, under the phone's rules (SPEC §4 owner 1, §10): a disabled box is refused without
 * looking at the PIN; the PIN goes through the phone's one check (`checkPinLogin`) as a *remote* access, so a
 * locked remote access is refused before the PIN is looked at and `security.lockoutFailures` wrong PINs within the
 * window lock remote access (the page and phone logins from elsewhere; never the owner's own phone), with the same
 * audit line and "box locked" mail. A box without a PIN cannot be claimed from the page. An unknown box costs the
 * same scrypt time as a wrong PIN. Resolves to the new session; rejects with HttpProblem. Never logs the PIN.
 */
export async function logIn(ctx: WebContext, input: LoginInput, client: string): Promise<WebSession> {
  const { deps } = ctx
  const domain = input.domain.trim().toLowerCase()
  const id = input.box.trim()
  const log = ctx.log.child({ domain, mailbox: id, client })
  if (!isSafeDomain(domain) || !isBoxNumber(id) || input.pin.length === 0 || input.pin.length > 32) {
    throw new HttpProblem(400, 'invalid', 'Enter the domain, your mailbox number and your PIN.')
  }
  const box = await deps.store.mailboxes.find(domain, id)
  if (box === undefined) {
    await verifyPin(input.pin, await decoyHash())
    ctx.metrics.webLogin('unknown')
    log.info({}, 'web login refused: no such mailbox')
    throw new HttpProblem(401, 'wrong', WRONG)
  }
  if (!box.enabled) {
    ctx.metrics.webLogin('disabled')
    log.info({}, 'web login refused: mailbox disabled')
    throw new HttpProblem(403, 'unavailable', 'This mailbox is not available.')
  }
  const result = await checkWebPin(ctx, box, input.pin, client, log)
  switch (result.outcome) {
    case 'locked':
      throw lockedProblem()
    case 'no-pin':
      throw new HttpProblem(
        403,
        'no-pin',
        'This mailbox has no PIN yet. Set one from your own phone first (press the Message button).',
      )
    case 'wrong':
      throw new HttpProblem(401, 'wrong', WRONG)
    case 'ok':
    case 'setup':
      break
  }
  const current = (await deps.store.mailboxes.findByRowId(box.rowId)) ?? box
  ctx.metrics.webLogin('ok')
  log.info({ temporaryPin: result.outcome === 'setup' }, 'web login')
  return ctx.sessions.create({
    boxRowId: current.rowId,
    domain: current.domain,
    box: current.id,
    pinHash: current.pinHash ?? '',
    mustChangePin: result.outcome === 'setup',
  })
}

/**
 * A PIN typed on the page (the login form, or the current PIN of the PIN-change form): the phone's one PIN check
 * as a *remote* access (SPEC §4: the page is never the owner's own phone). Counts the outcome in the metrics and
 * logs it; the lock it may take is logged, audited and mailed by `checkPinLogin`. Never logs the PIN.
 */
export async function checkWebPin(
  ctx: WebContext,
  box: Mailbox,
  pin: string,
  client: string,
  log = ctx.log,
): Promise<PinLoginResult> {
  const result = await checkPinLogin(box, pin, 'remote', `web:${client}`, ctx.deps)
  switch (result.outcome) {
    case 'locked':
      ctx.metrics.webLogin(result.justLocked ? 'wrong-pin' : 'locked')
      log.info({ justLocked: result.justLocked }, 'web login refused: mailbox locked')
      break
    case 'no-pin':
      ctx.metrics.webLogin('no-pin')
      log.warn({}, 'web login refused: mailbox has no PIN')
      break
    case 'wrong':
      ctx.metrics.webLogin('wrong-pin')
      log.warn({ failures: result.failures }, 'wrong PIN on the voicemail page')
      break
    case 'ok':
    case 'setup':
      break
  }
  return result
}

/** The answer for a locked box (counted and logged by the caller: a refusal, or the failure that locked it). */
export function lockedProblem(): HttpProblem {
  return new HttpProblem(
    423,
    'locked',
    'This mailbox is locked after too many wrong PINs. Try again later, or ask your administrator to unlock it.',
  )
}

let decoy: Promise<string> | undefined

/** A hash no PIN matches, checked for unknown boxes so that their answer takes as long as a wrong PIN's. */
function decoyHash(): Promise<string> {
  decoy ??= hashPin(randomBytes(16).toString('hex'))
  return decoy
}
