/** A claim on quota for a recording in progress; `release()` is idempotent. */
export interface Reservation {
  readonly bytes: number
  release(): void
}

interface BoxClaims {
  /** Bytes claimed now. */
  reserved: number
  /** Bytes ever released (only grows); lets `reserveWithin` notice releases that raced its usage query. */
  releasedTotal: number
}

/**
 * In-memory claims on quota by recordings in progress, per box (SPEC §4 deposit step 3: two concurrent callers
 * must not overshoot). The deposit flow reserves its cap before recording and releases once the message row is
 * written (its bytes then count as used) or discarded. Memory only: a restart ends every recording anyway.
 * Key by the box row id.
 */
export class QuotaReservations {
  private readonly byBox = new Map<string | number, BoxClaims>()

  /** Claim `bytes` (≥ 0) for `boxKey` unconditionally. */
  reserve(boxKey: string | number, bytes: number): Reservation {
    const amount = Math.max(0, Math.floor(bytes))
    const claims = this.claims(boxKey)
    claims.reserved += amount
    let released = false
    return {
      bytes: amount,
      release: () => {
        if (released) return
        released = true
        claims.reserved -= amount
        claims.releasedTotal += amount
      },
    }
  }

  /** Bytes currently claimed for `boxKey`. */
  reserved(boxKey: string | number): number {
    return this.byBox.get(boxKey)?.reserved ?? 0
  }

  /**
   * Claim `min(maxBytes, room)` (possibly 0) for `boxKey`, where room is `quota - used - reserved` and `used`
   * comes from the store. The claim is taken synchronously after the usage query resolves, so concurrent callers
   * see each other's claims. A reservation released *while* the query ran (its message row just committed) is
   * still counted, since the query may or may not have seen that row: the error is on the safe side, never an
   * overshoot.
   *
   * A caller alone gets all the room. A caller who arrives while others are recording gets at most half of what
   * is left: a recording's claim is its whole cap (5 minutes by default), so without this the third or fourth
   * caller into a busy general box would hear "mailbox full" although the box is nearly empty. Halving leaves
   * room for the next caller, and the next, each with a shorter but real cap.
   */
  async reserveWithin(
    boxKey: string | number,
    quotaBytes: number,
    usedBytes: () => Promise<number>,
    maxBytes: number,
  ): Promise<Reservation> {
    const claims = this.claims(boxKey)
    const releasedBefore = claims.releasedTotal
    const used = await usedBytes()
    const racedReleases = claims.releasedTotal - releasedBefore
    const remaining = remainingBytes(quotaBytes, used, claims.reserved + racedReleases)
    const share = claims.reserved > 0 ? Math.floor(remaining / 2) : remaining
    return this.reserve(boxKey, Math.min(maxBytes, share))
  }

  private claims(boxKey: string | number): BoxClaims {
    let claims = this.byBox.get(boxKey)
    if (claims === undefined) {
      claims = { reserved: 0, releasedTotal: 0 }
      this.byBox.set(boxKey, claims)
    }
    return claims
  }
}

/** `quota - used - reserved`, never below 0. */
export function remainingBytes(quotaBytes: number, usedBytes: number, reservedBytes: number): number {
  return Math.max(0, quotaBytes - usedBytes - reservedBytes)
}
