import type { SecurityConfig } from '../config/types.js'
import type { MailboxEvents } from '../contracts/events.js'
import type { MailRequests } from '../contracts/mail.js'
import type { Logger } from '../log.js'
import type { Store } from '../store/index.js'
import { verifyPin } from '../store/pin.js'
import type { Access, Mailbox } from '../store/types.js'

/**
 * What one PIN entry led to. `ok`: in. `setup`: in, but the PIN was temporary and must be changed now. `wrong`:
 * counted towards the lockout of this kind of access. `locked`: refused without checking the PIN (or this very
 * entry took the lock: `justLocked`). `no-pin`: the box has no PIN; only its own phone may set one (first login).
 */
export type PinLoginResult =
  | { outcome: 'ok' | 'setup' | 'no-pin' }
  | { outcome: 'wrong'; failures: number }
  | { outcome: 'locked'; lockedUntil: number; justLocked: boolean }

export interface PinLoginDeps {
  store: Store
  config: { security: SecurityConfig }
  mail: Pick<MailRequests, 'lockout'>
  log: Logger
  /** Counts the lock (metrics), wherever the wrong PINs came from. */
  events?: Pick<MailboxEvents, 'boxLocked'> | undefined
}

/**
 * The one PIN check of every way into a box (the phone's owner flow; the web page calls it with `remote`), under
 * the lockout rules of SPEC §4 owner 1 for `access`: a locked access is refused before the PIN is looked at, a
 * wrong PIN counts towards that access's lockout only, and the lock is logged, audited and mailed (at most one
 * mail per box and kind a day). `actor` goes to the audit log (`phone:<uuid>`, `web:<session>`). Reads the box
 * afresh, so a lock taken by another call a moment ago is seen. Never logs the PIN. Rejects with StoreError.
 */
export async function checkPinLogin(
  box: Mailbox,
  pin: string,
  access: Access,
  actor: string,
  deps: PinLoginDeps,
): Promise<PinLoginResult> {
  const { store, log } = deps
  const policy = store.lockout(deps.config.security)
  const current = (await store.mailboxes.findByRowId(box.rowId)) ?? box
  if (await policy.isLocked(current, access)) {
    return { outcome: 'locked', lockedUntil: policy.lockOf(current, access) ?? 0, justLocked: false }
  }
  if (current.pinHash === undefined) return { outcome: 'no-pin' }
  if (await verifyPin(pin, current.pinHash)) {
    await policy.registerSuccess(current, access)
    return { outcome: current.pinTemporary ? 'setup' : 'ok' }
  }
  const failure = await policy.registerFailure(current, access, actor)
  if (!failure.locked || failure.lockedUntil === undefined)
    return { outcome: 'wrong', failures: failure.failures }
  const fields = { access, lockedUntil: new Date(failure.lockedUntil).toISOString(), mailed: failure.notify }
  log.warn(fields, 'mailbox locked after too many wrong PINs')
  deps.events?.boxLocked(current)
  if (failure.notify) {
    await deps.mail
      .lockout(current, failure.lockedUntil, access)
      .catch((err: unknown) => log.error({ err }, 'lockout mail could not be queued'))
  }
  return { outcome: 'locked', lockedUntil: failure.lockedUntil, justLocked: true }
}
