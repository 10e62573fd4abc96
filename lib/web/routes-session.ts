import type { FastifyInstance } from 'fastify'
import { purgeAtSessionEnd } from '../lifecycle/purge-deleted.js'
import type { WebContext } from './context.js'
import { authed, checkSameOrigin, clientOf, SESSION_COOKIE, setSessionCookie } from './guard.js'
import { logIn } from './login.js'
import type { WebSession } from './session-store.js'

interface LoginBody {
  domain: string
  box: string
  pin: string
}

const loginSchema = {
  body: {
    type: 'object',
    required: ['domain', 'box', 'pin'],
    additionalProperties: false,
    properties: {
      domain: { type: 'string', maxLength: 253 },
      box: { type: 'string', maxLength: 10 },
      pin: { type: 'string', maxLength: 32 },
    },
  },
} as const

/** `/api/session` (who am I), `/api/login`, `/api/logout`. */
export function sessionRoutes(app: FastifyInstance, ctx: WebContext): void {
  const describe = (session: WebSession, name: string): Record<string, unknown> => ({
    loggedIn: true,
    box: { id: session.box, domain: session.domain, name },
    csrf: session.csrf,
    mustChangePin: session.mustChangePin,
    expiresAt: new Date(ctx.sessions.expiresAt(session)).toISOString(),
  })

  app.get('/api/session', async (request) => {
    const id = request.cookies[SESSION_COOKIE]
    if (ctx.sessions.peek(id) === undefined) {
      return { loggedIn: false, defaultDomain: ctx.deps.config.defaultDomain }
    }
    const { session, box } = await authed(ctx, request, { setup: true })
    return describe(session, box.name)
  })

  app.post<{ Body: LoginBody }>('/api/login', { schema: loginSchema }, async (request, reply) => {
    checkSameOrigin(request)
    const session = await logIn(ctx, request.body, clientOf(request))
    setSessionCookie(reply, request, session)
    const box = await ctx.deps.store.mailboxes.findByRowId(session.boxRowId)
    return describe(session, box?.name ?? '')
  })

  app.post('/api/logout', async (request, reply) => {
    checkSameOrigin(request)
    // An expired session logs out quietly: the page only wants the login form back.
    if (ctx.sessions.peek(request.cookies[SESSION_COOKIE]) !== undefined) {
      const { session, box } = await authed(ctx, request, { change: true, setup: true })
      ctx.sessions.end(session.id)
      // Like hanging up on the phone: what the owner marked deleted goes now.
      const log = ctx.log.child({ domain: box.domain, mailbox: box.id })
      await purgeAtSessionEnd(box, ctx.deps, log)
      log.info({}, 'web logout')
    }
    setSessionCookie(reply, request, undefined)
    return { loggedIn: false, defaultDomain: ctx.deps.config.defaultDomain }
  })
}
