import type {} from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { UpdateReason } from '../contracts/lamps.js'
import { copyMessage } from '../lifecycle/copy-message.js'
import { refreshLamp } from '../lifecycle/lamps.js'
import { attachmentName } from '../mail/format.js'
import { isBoxNumber } from '../mailbox-values.js'
import type { Mailbox, Message } from '../store/types.js'
import type { WebContext } from './context.js'
import { HttpProblem, notFound } from './errors.js'
import { authed, clientOf } from './guard.js'
import { boxTimezone, boxView, messageView } from './views.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

type Action = 'save' | 'delete' | 'undelete' | 'heard'
const ACTIONS: readonly string[] = ['save', 'delete', 'undelete', 'heard']

/**
 * The box and its messages: `GET /api/box`, the audio (`/audio` with Range, `/download`), and the changes the
 * phone's after-message menu makes, through the same store calls and the same lamp refresh (SPEC §4.5, §4.7).
 */
export function messageRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { deps } = ctx

  app.get('/api/box', async (request) => {
    const { box } = await authed(ctx, request)
    return boxView(box, deps)
  })

  app.get<{ Params: { id: string } }>('/api/messages/:id/audio', async (request, reply) => {
    const { box } = await authed(ctx, request)
    const message = await ownMessage(ctx, box, request.params.id)
    return sendAudio(ctx, reply, message.file)
  })

  app.get<{ Params: { id: string } }>('/api/messages/:id/download', async (request, reply) => {
    const { box } = await authed(ctx, request)
    const message = await ownMessage(ctx, box, request.params.id)
    const name = attachmentName(
      box.id,
      message.receivedAt,
      await boxTimezone(box, deps),
      message.callerIdNumber,
    )
    // attachmentName keeps only [A-Za-z0-9+-] of caller data: safe inside the quotes as it is.
    void reply.header('content-disposition', `attachment; filename="${name}"`)
    return sendAudio(ctx, reply, message.file)
  })

  app.post<{ Params: { id: string; action: string } }>('/api/messages/:id/:action', async (request) => {
    const { box } = await authed(ctx, request, { change: true })
    const action = request.params.action
    if (!ACTIONS.includes(action)) throw notFound('That action')
    const message = await ownMessage(ctx, box, request.params.id)
    const log = ctx.log.child({ domain: box.domain, mailbox: box.id, client: clientOf(request) })
    const reason = await apply(ctx, message, action as Action)
    log.info({ messageUuid: message.uuid, action }, 'message changed on the voicemail page')
    await refreshLamp(deps, box, reason, log)
    const fresh = (await deps.store.messages.get(message.uuid)) ?? message
    return { message: messageView(fresh, await boxTimezone(box, deps)) }
  })

  app.post<{ Params: { id: string }; Body: { to: string } }>(
    '/api/messages/:id/forward',
    {
      schema: {
        body: {
          type: 'object',
          required: ['to'],
          additionalProperties: false,
          properties: { to: { type: 'string', maxLength: 16 } },
        },
      },
    },
    async (request) => {
      const { box } = await authed(ctx, request, { change: true })
      const message = await ownMessage(ctx, box, request.params.id)
      const to = request.body.to.trim()
      const target = isBoxNumber(to) ? await deps.store.mailboxes.find(box.domain, to) : undefined
      if (target === undefined || !target.enabled) {
        throw new HttpProblem(404, 'unknown-box', `There is no mailbox ${to} to forward to.`)
      }
      const log = ctx.log.child({ domain: box.domain, mailbox: box.id, client: clientOf(request) })
      const outcome = await copyMessage(message, box, target, deps, log)
      if (!outcome.copied) {
        log.info({ to: target.id }, 'forward refused: target mailbox full')
        throw new HttpProblem(
          409,
          'target-full',
          `Mailbox ${target.id} is full; the message was not forwarded.`,
        )
      }
      return { forwarded: { to: target.id, name: target.name } }
    },
  )
}

/** The same store calls the phone's keys make (2 save, 7 delete/undelete, playing it marks it heard). */
async function apply(ctx: WebContext, message: Message, action: Action): Promise<UpdateReason> {
  const messages = ctx.deps.store.messages
  switch (action) {
    case 'save':
      await messages.save(message.rowId)
      return 'SAVE'
    case 'delete':
      await messages.setDeleted(message.rowId, true)
      return 'DELETE'
    case 'undelete':
      await messages.setDeleted(message.rowId, false)
      return 'DELETE'
    case 'heard':
      await messages.markHeard(message.rowId)
      return 'READ'
  }
}

/**
 * A message of this box, by its UUID. Anything else — a malformed id, `../` tricks, another box's message, a
 * message purged meanwhile — is the same 404, so the page reveals nothing about other boxes.
 */
async function ownMessage(ctx: WebContext, box: Mailbox, id: string): Promise<Message> {
  if (!UUID.test(id)) throw notFound('That message')
  const message = await ctx.deps.store.messages.get(id)
  if (message === undefined || message.mailboxRowId !== box.rowId) throw notFound('That message')
  return message
}

/** Stream a stored WAV with Range support (206, 416), validators and no caching (voicemail is private). */
export function sendAudio(ctx: WebContext, reply: FastifyReply, stored: string): FastifyReply {
  void reply.header('cache-control', 'no-store')
  return reply.sendFile(storedPath(ctx, stored), stateRoot(ctx), { cacheControl: false })
}

/** The state directory: stored paths are relative to it. */
function stateRoot(ctx: WebContext): string {
  return ctx.deps.config.stateDir
}

/** A stored path, checked to stay inside the recordings folder (a row can never send another file). */
function storedPath(ctx: WebContext, stored: string): string {
  ctx.deps.files.fromStored(stored)
  return stored
}
