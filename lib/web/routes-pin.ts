import type { FastifyInstance } from 'fastify'
import { checkPin, hashPin } from '../store/pin.js'
import type { WebContext } from './context.js'
import { HttpProblem } from './errors.js'
import { authed, clientOf } from './guard.js'
import { checkWebPin } from './login.js'

interface PinBody {
  current: string
  pin: string
  confirm: string
}

/**
 * `POST /api/pin`: change the PIN (SPEC §3 policy, the phone's options `6`; also the forced change after a login
 * with a temporary PIN). The current PIN is asked again, so a browser left logged in cannot be used to take the
 * box over; a wrong one counts as a remote failure towards the lockout. The new PIN is entered twice and checked
 * by the phone's policy, whose reasons come back as text. Other sessions of the box end; this one carries on.
 */
export function pinRoutes(app: FastifyInstance, ctx: WebContext): void {
  const field = { type: 'string', maxLength: 32 } as const
  app.post<{ Body: PinBody }>(
    '/api/pin',
    {
      schema: {
        body: {
          type: 'object',
          required: ['current', 'pin', 'confirm'],
          additionalProperties: false,
          properties: { current: field, pin: field, confirm: field },
        },
      },
    },
    async (request) => {
      const { session, box } = await authed(ctx, request, { change: true, setup: true })
      const client = clientOf(request)
      const log = ctx.log.child({ domain: box.domain, mailbox: box.id, client })
      const { current, pin, confirm } = request.body
      const check = await checkWebPin(ctx, box, current, client, log)
      if (check.outcome === 'locked') {
        ctx.sessions.endBox(box.rowId)
        throw new HttpProblem(
          423,
          'locked',
          'Too many wrong PINs: the mailbox is locked and you are logged out.',
        )
      }
      if (check.outcome !== 'ok' && check.outcome !== 'setup') {
        throw new HttpProblem(403, 'wrong-current', 'The current PIN is not right.')
      }
      const verdict = checkPin(pin, box.id)
      if (!verdict.ok) {
        log.info({ problem: verdict.problem }, 'new PIN refused by the policy')
        throw new HttpProblem(422, verdict.problem, verdict.message)
      }
      if (pin !== confirm) throw new HttpProblem(422, 'mismatch', 'The two new PINs do not match.')
      const hash = await hashPin(pin)
      await ctx.deps.store.mailboxes.setPin(box.rowId, hash, false)
      await ctx.deps.store.audit.append({
        mailboxRowId: box.rowId,
        actor: `web:${client}`,
        action: 'pin.changed',
        detail: {},
      })
      // Guesses at the old PIN mean nothing now (as for voicemailctl pin set): forget them, and any lock.
      await ctx.deps.store.lockout(ctx.deps.config.security).forgetFailures(box, `web:${client}`)
      session.pinHash = hash
      session.mustChangePin = false
      const ended = ctx.sessions.endBox(box.rowId, session.id)
      log.info({ otherSessionsEnded: ended }, 'PIN changed by the owner')
      return { changed: true }
    },
  )
}
