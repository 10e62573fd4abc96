import fastifyCookie from '@fastify/cookie'
import fastifyMultipart from '@fastify/multipart'
import fastifyStatic from '@fastify/static'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { WebContext } from './context.js'
import { HttpProblem } from './errors.js'
import { csrfHook } from './guard.js'
import { eventRoutes } from './routes-events.js'
import { greetingRoutes } from './routes-greetings.js'
import { messageRoutes } from './routes-messages.js'
import { operatorRoutes } from './routes-operators.js'
import { pinRoutes } from './routes-pin.js'
import { sessionRoutes } from './routes-session.js'

/**
 * Our own scripts, styles, media and API only; no framing, no inline code (the page has none), no referrer.
 * `data:` images: the favicon is inline in the stylesheet-free HTML head.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; " +
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}

/**
 * The voicemail page's HTTP listener inside the daemon (SPEC §10): fastify with its cookie, multipart and static
 * plugins; the page's files ship in `lib/web/public/` (no build step). `X-Forwarded-*` is believed only from
 * `http.trustedProxies`. `start` rejects when the address cannot be bound; `stop` ends the event streams and
 * waits for requests in flight.
 */
export class WebServer {
  private readonly app: FastifyInstance
  private readonly closeStreams: () => void

  constructor(private readonly ctx: WebContext) {
    const proxies = ctx.http.trustedProxies
    this.app = Fastify({
      logger: false,
      trustProxy: proxies.length === 0 ? false : [...proxies],
      bodyLimit: 16 * 1024,
      // Keep-alive connections would hold `close()` up until the browser drops them.
      forceCloseConnections: true,
      return503OnClosing: true,
    })
    const app = this.app
    void app.register(fastifyCookie)
    void app.register(fastifyMultipart, {
      limits: { fileSize: ctx.http.maxUploadBytes, files: 1, fields: 4, parts: 5 },
    })
    void app.register(fastifyStatic, {
      root: publicDir(),
      wildcard: false,
      index: 'index.html',
      cacheControl: false,
    })
    app.addHook('onRequest', csrfHook(ctx))
    app.addHook('onSend', async (request, reply, payload) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value)
      if (!reply.hasHeader('cache-control')) {
        void reply.header('cache-control', request.url.startsWith('/api/') ? 'no-store' : 'no-cache')
      }
      return payload
    })
    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, not the URL: ids stay out of the log (nothing secret is ever in a URL anyway).
      ctx.log.debug(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        'web request',
      )
    })
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (err instanceof HttpProblem) {
        return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...err.extra } })
      }
      if (err.validation !== undefined) {
        return reply
          .code(400)
          .send({ error: { code: 'invalid', message: `The request is not valid: ${err.message}.` } })
      }
      const status = err.statusCode ?? 500
      if (status < 500) {
        // Errors of @fastify/send carry their headers (a 416 its `Content-Range: bytes */size`).
        const headers = (err as { headers?: Record<string, string> }).headers
        if (headers !== undefined) void reply.headers(headers)
        return reply.code(status).send({ error: { code: err.code ?? 'bad-request', message: err.message } })
      }
      ctx.log.error({ err, method: request.method, route: request.routeOptions.url }, 'web request failed')
      return reply
        .code(500)
        .send({ error: { code: 'internal', message: 'Something went wrong on the server; it was logged.' } })
    })
    app.setNotFoundHandler((_request, reply) =>
      reply.code(404).send({ error: { code: 'not-found', message: 'There is nothing at this address.' } }),
    )
    sessionRoutes(app, ctx)
    messageRoutes(app, ctx)
    greetingRoutes(app, ctx)
    pinRoutes(app, ctx)
    operatorRoutes(app, ctx)
    this.closeStreams = eventRoutes(app, ctx)
    app.addHook('preClose', (done) => {
      this.closeStreams()
      done()
    })
  }

  /** Listen on `http.host:http.port` (port 0: any free port, for tests). Resolves the bound address. */
  async start(port = this.ctx.http.port): Promise<{ host: string; port: number }> {
    await this.app.listen({ host: this.ctx.http.host, port })
    const address = this.app.server.address()
    const bound = typeof address === 'object' && address !== null ? address.port : port
    this.ctx.log.info({ host: this.ctx.http.host, port: bound }, 'voicemail page listening')
    return { host: this.ctx.http.host, port: bound }
  }

  async stop(): Promise<void> {
    await this.app.close()
  }
}

/**
 * The page's files: `lib/web/public/` beside this module when run from the sources (tap), or the same folder of
 * the package when run from `dist/lib/web/` (tsc does not copy them, and nothing needs to).
 */
export function publicDir(moduleUrl: string = import.meta.url): string {
  const candidates = [new URL('./public/', moduleUrl), new URL('../../../lib/web/public/', moduleUrl)].map(
    (u) => fileURLToPath(u),
  )
  const found = candidates.find((dir) => existsSync(`${dir}index.html`))
  if (found === undefined)
    throw new Error(`voicemail page files not found (looked in ${candidates.join(', ')})`)
  return found
}
