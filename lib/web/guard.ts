import type {} from '@fastify/cookie'
import proxyaddr from '@fastify/proxy-addr'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Mailbox } from '../store/types.js'
import type { WebContext } from './context.js'
import { HttpProblem, notLoggedIn } from './errors.js'
import { sameToken, type WebSession } from './session-store.js'

export const SESSION_COOKIE = 'vm_session'
export const CSRF_HEADER = 'x-csrf-token'

export interface Authed {
  session: WebSession
  /** The box as the store has it now (not as it was at login). */
  box: Mailbox
}

/**
 * A change must come from our own page (SPEC §10 "every state change CSRF-safe"), checked three ways: the browser's
 * `Sec-Fetch-Site` (when sent) says same-origin, the `Origin` (when sent) is this server as the client reached it
 * (scheme and host after a trusted proxy), and — for a logged-in change — the session's token is in the
 * `X-CSRF-Token` header, which no other site can read or set. The cookie being SameSite=Strict is a fourth wall.
 */
export function checkSameOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new HttpProblem(403, 'cross-site', 'This request did not come from the voicemail page.')
  }
  const origin = request.headers.origin
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
    throw new HttpProblem(403, 'cross-site', 'This request did not come from the voicemail page.')
  }
}

const SAFE_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS']
/** Changes that need no session yet (login) or must work without one (logout of an expired session). */
const SESSIONLESS: readonly string[] = ['/api/login', '/api/logout']

/**
 * The CSRF walls as an `onRequest` hook, before any body is parsed or validated: a refused request learns nothing
 * about what its body would have done. Handlers check again through `authed`.
 */
export function csrfHook(
  ctx: WebContext,
): (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => void {
  return (request, _reply, done) => {
    try {
      if (!SAFE_METHODS.includes(request.method)) {
        checkSameOrigin(request)
        if (!SESSIONLESS.includes(request.url.split('?')[0] ?? '')) {
          const session = ctx.sessions.peek(request.cookies[SESSION_COOKIE])
          if (session === undefined) throw notLoggedIn('Your session has ended. Please log in again.')
          if (!sameToken(session.csrf, header(request, CSRF_HEADER))) throw csrfProblem()
        }
      }
      done()
    } catch (err) {
      done(err as Error)
    }
  }
}

function csrfProblem(): HttpProblem {
  return new HttpProblem(403, 'csrf', 'This request did not come from the voicemail page. Reload the page.')
}

/**
 * The session behind this request and its box, or 401. `change`: a state change (origin and token checked).
 * `setup`: allowed while a temporary PIN must still be replaced (the PIN form and logout); everything else then
 * answers 403 `pin-change-required`. A session whose box was disabled or removed, or whose PIN changed elsewhere,
 * ends here.
 */
export async function authed(
  ctx: WebContext,
  request: FastifyRequest,
  options: { change?: boolean; setup?: boolean } = {},
): Promise<Authed> {
  if (options.change === true) checkSameOrigin(request)
  const session = ctx.sessions.touch(request.cookies[SESSION_COOKIE])
  if (session === undefined) throw notLoggedIn('Your session has ended. Please log in again.')
  if (options.change === true && !sameToken(session.csrf, header(request, CSRF_HEADER))) throw csrfProblem()
  const box = await ctx.deps.store.mailboxes.findByRowId(session.boxRowId)
  if (box === undefined || !box.enabled || box.pinHash !== session.pinHash) {
    ctx.sessions.end(session.id)
    const why = box?.enabled === true ? 'the PIN was changed' : 'the mailbox is not available'
    throw notLoggedIn(`Your session has ended: ${why}. Please log in again.`)
  }
  if (session.mustChangePin && options.setup !== true) {
    throw new HttpProblem(403, 'pin-change-required', 'Choose a new PIN first.')
  }
  return { session, box }
}

/** `/healthz` and `/metrics` answer only the operators' addresses (`http.operatorAllowFrom`), after proxies. */
export function operatorsOnly(ctx: WebContext): (request: FastifyRequest) => void {
  const allowed = proxyaddr.compile([...ctx.http.operatorAllowFrom])
  return (request) => {
    if (!allowed(request.ip, 0)) {
      throw new HttpProblem(403, 'forbidden', 'Operators only: add this address to http.operatorAllowFrom.')
    }
  }
}

/** Set the session cookie: HttpOnly, SameSite=Strict, Secure when the client reached us over TLS. */
export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  session: WebSession | undefined,
): void {
  const secure = request.protocol === 'https'
  const options = { path: '/', httpOnly: true, sameSite: 'strict', secure } as const
  if (session === undefined) void reply.clearCookie(SESSION_COOKIE, options)
  else void reply.setCookie(SESSION_COOKIE, session.id, options)
}

/** The client's address for logs and audit: the proxy-resolved IP. */
export function clientOf(request: FastifyRequest): string {
  return request.ip
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}
