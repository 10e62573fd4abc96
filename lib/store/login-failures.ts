import type { Clock } from '../clock.js'
import type { SecurityConfig } from '../config/types.js'
import type { AuditRepo } from './audit.js'
import type { Db } from './db.js'
import type { MailboxRepo } from './mailboxes.js'
import type { Mailbox } from './types.js'

/** Failed PIN entries per box, kept across calls (SPEC §4: 10 failures within 30 minutes lock the box). */
export class LoginFailureRepo {
  constructor(private readonly db: Db) {}

  /** Record one failure at `at` (epoch ms). */
  async record(mailboxRowId: number, at: number): Promise<void> {
    await this.db.run('INSERT INTO login_failures (mailbox_id, at) VALUES (?, ?)', [mailboxRowId, at])
  }

  /** Failures at or after `since`. */
  async countSince(mailboxRowId: number, since: number): Promise<number> {
    const row = await this.db.get<{ n: number }>(
      'SELECT count(*) AS n FROM login_failures WHERE mailbox_id = ? AND at >= ?',
      [mailboxRowId, since],
    )
    return row?.n ?? 0
  }

  /** Forget a box's failures (successful login, lock taken). */
  async clear(mailboxRowId: number): Promise<void> {
    await this.db.run('DELETE FROM login_failures WHERE mailbox_id = ?', [mailboxRowId])
  }

  /** Drop failures older than `before` of every box (they can no longer count). */
  async prune(before: number): Promise<void> {
    await this.db.run('DELETE FROM login_failures WHERE at < ?', [before])
  }
}

/** What one failed PIN entry led to. */
export interface FailureOutcome {
  /** The box is now locked (by this failure). */
  locked: boolean
  lockedUntil?: number
  /** Failures inside the window, this one included (0 once locked: the count restarts after the lock). */
  failures: number
}

const MINUTE_MS = 60_000

/**
 * The lockout rule: `lockoutFailures` failures within `failureWindowMinutes` (across calls, by the injected clock)
 * lock the box for `lockoutMinutes`. Taking the lock clears the failures, so after the lock expires the owner gets
 * a full set of tries again. Lock and unlock are written to the audit log.
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
   * Record a failed PIN entry for `box` by `actor`. Resolves to whether the box is now locked. One transaction,
   * so concurrent calls failing at once count exactly.
   */
  registerFailure(box: Pick<Mailbox, 'rowId'>, actor = 'phone'): Promise<FailureOutcome> {
    return this.db.transaction(async () => {
      const now = this.clock.now()
      const windowStart = now - this.security.failureWindowMinutes * MINUTE_MS
      await this.failures.record(box.rowId, now)
      const failures = await this.failures.countSince(box.rowId, windowStart)
      if (failures < this.security.lockoutFailures) return { locked: false, failures }
      const lockedUntil = now + this.security.lockoutMinutes * MINUTE_MS
      await this.mailboxes.lock(box.rowId, lockedUntil)
      await this.failures.clear(box.rowId)
      await this.audit.append({
        mailboxRowId: box.rowId,
        actor,
        action: 'box.locked',
        detail: { failures, lockedUntil },
      })
      return { locked: true, lockedUntil, failures: 0 }
    })
  }

  /** A correct PIN: forget the failures. */
  registerSuccess(box: Pick<Mailbox, 'rowId'>): Promise<void> {
    return this.failures.clear(box.rowId)
  }

  /**
   * Whether PIN entry is refused for `box` at `now` (default: the clock). A lock that has expired is cleared here
   * (with a `box.unlocked` audit entry), so the row never shows a stale lock once someone looks.
   */
  async isLocked(box: Pick<Mailbox, 'rowId' | 'lockedUntil'>, now = this.clock.now()): Promise<boolean> {
    if (box.lockedUntil === undefined) return false
    if (now < box.lockedUntil) return true
    return this.db.transaction(async () => {
      // Re-check in the transaction: another call may have unlocked (or re-locked) it meanwhile.
      const current = await this.mailboxes.findByRowId(box.rowId)
      if (current?.lockedUntil === undefined) return false
      if (now < current.lockedUntil) return true
      await this.mailboxes.unlock(box.rowId)
      await this.audit.append({
        mailboxRowId: box.rowId,
        actor: 'daemon',
        action: 'box.unlocked',
        detail: { reason: 'expired', lockedUntil: current.lockedUntil },
      })
      return false
    })
  }

  /** Operator unlock (`voicemailctl`): clear the lock and the failures. */
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
}
