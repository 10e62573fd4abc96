import type { FastifyInstance } from 'fastify'
import type { ServerResponse } from 'node:http'
import type { WebContext } from './context.js'
import { authed } from './guard.js'

/** Comment lines keep proxies (nginx closes idle upstreams after 60 s) and the browser from dropping the stream. */
const KEEPALIVE_MS = 25_000

/**
 * `GET /api/events`: server-sent events for the open page (SPEC §10 "a message arriving while the page is open
 * appears without a reload"). `changed` (with the lamp's reason: NEW, SAVE, DELETE, READ, PURGE) whenever the box
 * changes, from the phone, this page or another; `logout` when the session ends. The page then re-reads
 * `/api/box`. Resolves a function that ends every open stream (the daemon's stop).
 */
export function eventRoutes(app: FastifyInstance, ctx: WebContext): () => void {
  const open = new Set<() => void>()

  app.get('/api/events', async (request, reply) => {
    const { session } = await authed(ctx, request)
    reply.hijack()
    const res: ServerResponse = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no', // nginx: pass each event on at once
      'x-content-type-options': 'nosniff',
    })
    res.write('retry: 3000\n\n')
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    }
    // Server-sent events keep a page open, not a user active: peek, so the idle limit still ends the session.
    const stillValid = (): boolean => {
      if (ctx.sessions.peek(session.id) !== undefined) return true
      send('logout', { reason: 'expired' })
      close()
      return false
    }
    const unsubscribe = ctx.hub.subscribe(session.boxRowId, (reason) => {
      if (stillValid()) send('changed', { reason })
    })
    const timer = setInterval(() => {
      if (stillValid()) res.write(': keep-alive\n\n')
    }, KEEPALIVE_MS)
    timer.unref()
    let closed = false
    const close = (): void => {
      if (closed) return
      closed = true
      clearInterval(timer)
      unsubscribe()
      open.delete(close)
      res.end()
    }
    open.add(close)
    request.raw.once('close', close)
  })

  return () => {
    for (const close of [...open]) close()
  }
}
