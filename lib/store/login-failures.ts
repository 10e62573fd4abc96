import type { Clock } from '../clock.js'
import type { SecurityConfig } from '../config/types.js'
import type { AuditRepo } from './audit.js'
import type { Db } from './db.js'
import type { MailboxRepo } from './mailboxes.js'
import type { Access, Mailbox } from './types.js'

/** Failed PIN entries per box and kind of access, kept across calls (SPEC §4: 10 within 30 minutes lock). */
export class LoginFailureRepo {
  constructor(private readonly db: Db) {}

  /** Record one failure at `at` (epoch ms). */
  async record(mailboxRowId: number, at: number, access: Access = 'remote'): Promise<void> {
    await this.db.run('INSERT INTO login_failures (mailbox_id, at, access) VALUES (?, ?, ?)', [
      mailboxRowId,
      at,
      access,
    ])
  }

  /** Failures at or after `since`, of one kind of access or (without `access`) of both. */
  async countSince(mailboxRowId: number, since: number, access?: Access): Promise<number> {
    const row = await this.db.get<{ n: number }>(
      access === undefined
        ? 'SELECT count(*) AS n FROM login_failures WHERE mailbox_id = ? AND at >= ?'
        : 'SELECT count(*) AS n FROM login_failures WHERE mailbox_id = ? AND at >= ? AND access = ?',
      access === undefined ? [mailboxRowId, since] : [mailboxRowId, since, access],
    )
    return row?.n ?? 0
  }

  /** Forget a box's failures of one kind of access, or (without `access`) all of them. */
  async clear(mailboxRowId: number, access?: Access): Promise<void> {
    if (access === undefined)
      await this.db.run('DELETE FROM login_failures WHERE mailbox_id = ?', [mailboxRowId])
    else
      await this.db.run('DELETE FROM login_failures WHERE mailbox_id = ? AND access = ?', [
        mailboxRowId,
        access,
      ])
  }

  /** Drop failures older than `before`, of one box or of every box (they can no longer count). */
  async prune(before: number, mailboxRowId?: number): Promise<number> {
    const { changes } =
      mailboxRowId === undefined
        ? await this.db.run('DELETE FROM login_failures WHERE at < ?', [before])
        : await this.db.run('DELETE FROM login_failures WHERE mailbox_id = ? AND at < ?', [
            mailboxRowId,
            before,
          ])
    return changes
  }
}

/** What one failed PIN entry led to. */
export interface FailureOutcome {
  /** This kind of access to the box is now locked (by this failure). */
  locked: boolean
  lockedUntil?: number
  /** Failures of this kind inside the window, this one included (0 once locked: the count restarts after it). */
  failures: number
  /** The lock just taken may be mailed (at most one lockout mail per box and kind per LOCKOUT_MAIL_INTERVAL_MS). */
  notify: boolean
}

const MINUTE_MS = 60_000

/**
 * At most one lockout mail per box and kind of access in this time: a caller who guesses from outside all day
 * locks remote access every 30 minutes, and the owner needs to hear about it once, not 48 times.
 */
export const LOCKOUT_MAIL_INTERVAL_MS = 24 * 60 * MINUTE_MS

/**
 * The lockout rule (SPEC §4 owner 1), per box and kind of access (`owner` = the box's own authenticated phone,
 * `remote` = anyone else): `lockoutFailures` failures of one kind within `failureWindowMinutes` (across calls, by
 * the injected clock) lock that kind of access for `lockoutMinutes`. So nobody outside can lock the owner's phone
 * out, and the owner's own typos never lock remote access. Taking a lock clears that kind's failures, so after it
 * expires a full set of tries is back. Lock and unlock are written to the audit log.
 */
export class LockoutPolicy {
  constructor(
    private readonly db: Db,
    private readonly failures: LoginFailureRepo,
    private readonly mailboxes: MailboxRepo,
    private readonly audit: AuditRepo,
    private readonly security: SecurityConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Record a failed PIN entry for `box` through `access` by `actor`. Resolves to whether that access is now
   * locked. One transaction, so concurrent calls failing at once count exactly. Failures too old to count are
   * dropped on the way (so the table stays small even for a box nobody cleans).
   */
  registerFailure(box: Pick<Mailbox, 'rowId'>, access: Access, actor = 'phone'): Promise<FailureOutcome> {
    return this.db.transaction(async () => {
      const now = this.clock.now()
      const windowStart = now - this.security.failureWindowMinutes * MINUTE_MS
      await this.failures.prune(windowStart, box.rowId)
      await this.failures.record(box.rowId, now, access)
      const failures = await this.failures.countSince(box.rowId, windowStart, access)
      if (failures < this.security.lockoutFailures) return { locked: false, failures, notify: false }
      const lockedUntil = now + this.security.lockoutMinutes * MINUTE_MS
      await this.mailboxes.lock(box.rowId, lockedUntil, access)
      await this.failures.clear(box.rowId, access)
      const notify = await this.mailboxes.claimLockoutMail(box.rowId, access, now, LOCKOUT_MAIL_INTERVAL_MS)
      await this.audit.append({
        mailboxRowId: box.rowId,
        actor,
        action: 'box.locked',
        detail: { failures, lockedUntil, access, mailed: notify },
      })
      return { locked: true, lockedUntil, failures: 0, notify }
    })
  }

  /** A correct PIN through `access`: forget that kind's failures. */
  registerSuccess(box: Pick<Mailbox, 'rowId'>, access: Access): Promise<void> {
    return this.failures.clear(box.rowId, access)
  }

  /** The lock of `access` on `box` as the row says (maybe expired). */
  lockOf(box: Pick<Mailbox, 'lockedUntil' | 'ownerLockedUntil'>, access: Access): number | undefined {
    return access === 'owner' ? box.ownerLockedUntil : box.lockedUntil
  }

  /**
   * Whether PIN entry through `access` is refused for `box` at `now` (default: the clock). A lock that has expired
   * is cleared here (with a `box.unlocked` audit entry), so the row never shows a stale lock once someone looks.
   */
  async isLocked(
    box: Pick<Mailbox, 'rowId' | 'lockedUntil' | 'ownerLockedUntil'>,
    access: Access,
    now = this.clock.now(),
  ): Promise<boolean> {
    const until = this.lockOf(box, access)
    if (until === undefined) return false
    if (now < until) return true
    return this.db.transaction(async () => {
      // Re-check in the transaction: another call may have unlocked (or re-locked) it meanwhile.
      const current = await this.mailboxes.findByRowId(box.rowId)
      const currentUntil = current === undefined ? undefined : this.lockOf(current, access)
      if (currentUntil === undefined) return false
      if (now < currentUntil) return true
      await this.mailboxes.unlock(box.rowId, access)
      await this.audit.append({
        mailboxRowId: box.rowId,
        actor: 'daemon',
        action: 'box.unlocked',
        detail: { reason: 'expired', lockedUntil: currentUntil, access },
      })
      return false
    })
  }

  /** Operator unlock (`voicemailctl mailbox set --unlock`): clear both locks and every failure. */
  unlock(box: Pick<Mailbox, 'rowId'>, actor: string): Promise<void> {
    return this.db.transaction(async () => {
      await this.mailboxes.unlock(box.rowId)
      await this.failures.clear(box.rowId)
      await this.audit.append({
        mailboxRowId: box.rowId,
        actor,
        action: 'box.unlocked',
        detail: { reason: 'operator' },
      })
    })
  }

  /**
   * A new PIN (`voicemailctl pin set` / `pin reset`): guesses at the old one no longer mean anything, so every
   * failure is forgotten and any lock cleared (audited only when there was one). Without this one typo after a
   * reset could lock the box again.
   */
  forgetFailures(
    box: Pick<Mailbox, 'rowId' | 'lockedUntil' | 'ownerLockedUntil'>,
    actor: string,
  ): Promise<void> {
    return this.db.transaction(async () => {
      await this.failures.clear(box.rowId)
      if (box.lockedUntil === undefined && box.ownerLockedUntil === undefined) return
      await this.mailboxes.unlock(box.rowId)
      await this.audit.append({
        mailboxRowId: box.rowId,
        actor,
        action: 'box.unlocked',
        detail: { reason: 'new PIN' },
      })
    })
  }
}
