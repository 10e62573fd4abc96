import type { Db } from './db.js'

/**
 * MWI accounts phones asked about (MESSAGE_QUERY) in unified domains (migration 4). The unified box's lamp must
 * reach phones that have no box of their own, and sofia queries only when a phone first registers: kept here, they
 * survive a daemon restart, so the resync after it re-lights those phones. `domain` is lower-cased by the caller.
 */
export class LearnedAccountRepo {
  constructor(private readonly db: Db) {}

  /**
   * Remember `user@domain` unless the domain already holds `cap` accounts (a flood of junk queries stays
   * bounded). Resolves true when it was new. One statement, so two nodes asking at once store it once.
   */
  async add(domain: string, user: string, at: number, cap: number): Promise<boolean> {
    const { changes } = await this.db.run(
      `INSERT OR IGNORE INTO mwi_learned_accounts (domain, user, learned_at)
       SELECT ?, ?, ? WHERE (SELECT count(*) FROM mwi_learned_accounts WHERE domain = ?) < ?`,
      [domain, user, at, domain, cap],
    )
    return changes === 1
  }

  /** The accounts learned in `domain`, oldest first. */
  async list(domain: string): Promise<Array<{ user: string; domain: string }>> {
    return this.db.all<{ user: string; domain: string }>(
      'SELECT user, domain FROM mwi_learned_accounts WHERE domain = ? ORDER BY learned_at, rowid',
      [domain],
    )
  }
}
