import type { FastifyInstance } from 'fastify'
import type { WebContext } from './context.js'
import { operatorsOnly } from './guard.js'
import { checkHealth } from './health.js'

/** `GET /healthz` and `GET /metrics`, for the operators' addresses only (`http.operatorAllowFrom`). */
export function operatorRoutes(app: FastifyInstance, ctx: WebContext): void {
  const allow = operatorsOnly(ctx)

  app.get('/healthz', async (request, reply) => {
    allow(request)
    const report = await checkHealth(ctx.health, ctx.http.health)
    if (report.status !== 'ok') ctx.log.warn({ reasons: report.reasons }, 'health check failed')
    return reply
      .code(report.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(report)
  })

  app.get('/metrics', async (request, reply) => {
    allow(request)
    const text = await ctx.metrics.render()
    return reply
      .header('content-type', ctx.metrics.contentType)
      .header('cache-control', 'no-store')
      .send(text)
  })
}
