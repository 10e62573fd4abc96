import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../clock.js'

/** One logged-in browser: which box, its CSRF token, and when it started and was last used. */
export interface WebSession {
  readonly id: string
  readonly boxRowId: number
  readonly domain: string
  readonly box: string
  /** Sent by the page in `X-CSRF-Token` with every change; never in a cookie. */
  readonly csrf: string
  readonly createdAt: number
  lastSeenAt: number
  /** The PIN hash at login: a PIN changed elsewhere (phone, voicemailctl) ends this session. */
  pinHash: string
  /** Logged in with a temporary PIN: nothing but choosing a new PIN (and logging out) until then. */
  mustChangePin: boolean
}

export interface SessionLimits {
  idleMs: number
  maxMs: number
}

/**
 * Sessions in memory. A restart of the daemon logs everyone out (a decision: no table, no migration, no session
 * secrets on disk; the page simply shows the login form again). Expiry is by the injected clock: `idleMs` since
 * the last request, `maxMs` since the login, whichever comes first. Expired sessions are dropped when looked up
 * and swept on each new login, so the map never grows with abandoned browsers.
 */
export class SessionStore {
  private readonly sessions = new Map<string, WebSession>()

  constructor(
    private readonly clock: Clock,
    private readonly limits: SessionLimits,
  ) {}

  get size(): number {
    return this.sessions.size
  }

  create(fields: Pick<WebSession, 'boxRowId' | 'domain' | 'box' | 'pinHash' | 'mustChangePin'>): WebSession {
    this.sweep()
    const now = this.clock.now()
    const session: WebSession = {
      ...fields,
      id: token(),
      csrf: token(),
      createdAt: now,
      lastSeenAt: now,
    }
    this.sessions.set(session.id, session)
    return session
  }

  /** The live session with this id (its idle clock restarted), or undefined when unknown or expired. */
  touch(id: string | undefined): WebSession | undefined {
    const session = this.peek(id)
    if (session !== undefined) session.lastSeenAt = this.clock.now()
    return session
  }

  /** Like `touch` without restarting the idle clock (server-sent events keep a page open, not a user active). */
  peek(id: string | undefined): WebSession | undefined {
    if (id === undefined) return undefined
    const session = this.sessions.get(id)
    if (session === undefined) return undefined
    if (this.expired(session)) {
      this.sessions.delete(id)
      return undefined
    }
    return session
  }

  /** When `session` ends unless used again (epoch ms). */
  expiresAt(session: WebSession): number {
    return Math.min(session.lastSeenAt + this.limits.idleMs, session.createdAt + this.limits.maxMs)
  }

  end(id: string): void {
    this.sessions.delete(id)
  }

  /** End every session of a box except `keep` (its PIN changed). Resolves how many ended. */
  endBox(boxRowId: number, keep?: string): number {
    let ended = 0
    for (const [id, session] of this.sessions) {
      if (session.boxRowId === boxRowId && id !== keep) {
        this.sessions.delete(id)
        ended++
      }
    }
    return ended
  }

  private expired(session: WebSession): boolean {
    return this.clock.now() >= this.expiresAt(session)
  }

  private sweep(): void {
    for (const [id, session] of this.sessions) if (this.expired(session)) this.sessions.delete(id)
  }
}

/** A CSRF token check in constant time. */
export function sameToken(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

function token(): string {
  return randomBytes(32).toString('base64url')
}
