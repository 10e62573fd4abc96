import { randomBytes } from 'node:crypto'
import { isBoxNumber, isSafeDomain } from '../store/audio-files.js'
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
 * Log in to a box from the page, under the phone's rules (SPEC §4 owner 1, §10): a disabled or locked box is
 * refused without looking at the PIN; every wrong PIN is a *remote* failure counted by the same lockout policy as
 * the phone's (`registerRemoteFailure`), so `security.lockoutFailures` of them within the window lock the box for
 * phone logins from elsewhere and the page alike, with the same audit line and "box locked" mail. A box without a
 * PIN cannot be claimed from the page. An unknown box costs the same scrypt time as a wrong PIN. Resolves to the
 * new session; rejects with HttpProblem. Never logs the PIN.
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
  const policy = deps.store.lockout(deps.config.security)
  if (await policy.isLocked(box)) {
    ctx.metrics.webLogin('locked')
    log.info({}, 'web login refused: mailbox locked')
    throw lockedProblem()
  }
  if (box.pinHash === undefined) {
    ctx.metrics.webLogin('no-pin')
    log.warn({}, 'web login refused: mailbox has no PIN')
    throw new HttpProblem(
      403,
      'no-pin',
      'This mailbox has no PIN yet. Set one from your own phone first (press the Message button).',
    )
  }
  if (!(await verifyPin(input.pin, box.pinHash))) {
    const lockedNow = await registerRemoteFailure(ctx, box, `web:${client}`, log)
    if (lockedNow) throw lockedProblem()
    throw new HttpProblem(401, 'wrong', WRONG)
  }
  await policy.registerSuccess(box)
  ctx.metrics.webLogin('ok')
  log.info({ temporaryPin: box.pinTemporary }, 'web login')
  return ctx.sessions.create({
    boxRowId: box.rowId,
    domain: box.domain,
    box: box.id,
    pinHash: box.pinHash,
    mustChangePin: box.pinTemporary,
  })
}

/**
 * A wrong PIN typed on the page: one failure of the *remote* kind (not the owner's own phone, SPEC §4), counted by
 * the phone's LockoutPolicy. The one place the page records a failure. When it locks the box: logged, counted and
 * mailed like a lock by phone. Resolves whether the box is locked now.
 */
export async function registerRemoteFailure(
  ctx: WebContext,
  box: Mailbox,
  actor: string,
  log = ctx.log,
): Promise<boolean> {
  const policy = ctx.deps.store.lockout(ctx.deps.config.security)
  const outcome = await policy.registerFailure(box, actor)
  ctx.metrics.webLogin('wrong-pin')
  log.warn({ failures: outcome.failures }, 'wrong PIN on the voicemail page')
  if (!outcome.locked || outcome.lockedUntil === undefined) return false
  ctx.deps.events?.boxLocked(box)
  log.warn(
    { lockedUntil: new Date(outcome.lockedUntil).toISOString() },
    'mailbox locked after too many wrong PINs',
  )
  await ctx.deps.mail
    .lockout(box, outcome.lockedUntil)
    .catch((err: unknown) => log.error({ err }, 'lockout mail could not be queued'))
  return true
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
