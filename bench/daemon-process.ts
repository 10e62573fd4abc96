/**
 * voicemaild under test, in its own process: the real `startApp` wiring (real SQLite, real outbound listener,
 * real inbound link to the simulator, real SMTP to the bench's sink), logging JSON at the operator default level
 * (`info`) to stdout, which the bench discards. It reports its own CPU time, peak RSS and the MWI latency the
 * MwiService measured (refresh after commit → FreeSWITCH's `+OK`), over IPC.
 * Argv: `<config JSON>`.
 */
// As daemon/main.ts: first, before anything can touch libuv's threadpool.
import '../daemon/threadpool.js'
import { parseConfig } from '../lib/config/parse.js'
import type { Config } from '../lib/config/types.js'
import { createLogger } from '../lib/log.js'
import type { MwiRequests } from '../lib/contracts/lamps.js'
import { LatencyRecorder } from '../lib/mwi/latency.js'
import { startApp } from '../daemon/app.js'
import { cpuMsSince, peakRssMb, serve, type Reply } from './ipc.js'

const document = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>
const parsed = parseConfig(document, {}, { baseDir: String(document.stateDir) })
// Port 0: the bench needs an ephemeral port (operators' configs may not use 0).
const config: Config = { ...parsed, listen: { ...parsed.listen, port: 0 }, http: { ...parsed.http, port: 0 } }
const log = createLogger(config.logLevel)
const app = await startApp(config, log, { schedules: true })
// commit → MWI: `refresh()` until FreeSWITCH's `+OK` to its last sendevent, timed around the flows' own lamp
// requests (the app wraps its MwiService for the voicemail page's box events, so it cannot be read directly).
const lampLatency = new LatencyRecorder()
const lamps: MwiRequests = app.deps.mwi
;(app.deps as { mwi: MwiRequests }).mwi = {
  async refresh(box, reason) {
    const started = performance.now()
    await lamps.refresh(box, reason)
    lampLatency.record(performance.now() - started)
  },
}
for (let i = 0; i < 500 && !app.link.connected; i++) await new Promise((resolve) => setTimeout(resolve, 10))

let flowErrors = 0
app.server.on('call-ended', (end) => {
  if (end.outcome === 'error') flowErrors++
})
let mark = process.cpuUsage()

serve(async (request) => {
  switch (request.type) {
    case 'mark':
      mark = process.cpuUsage()
      flowErrors = 0
      return { type: 'stopped' }
    case 'stats': {
      if (request.waitIdle === true) await app.mailWorker.whenIdle()
      const row = await app.store.db.get<{ n: number }>('SELECT count(*) AS n FROM messages')
      const failed = await app.store.db.get<{ n: number }>(
        `SELECT count(*) AS n FROM mail_outbox WHERE status <> 'sent'`,
      )
      return {
        type: 'stats',
        stats: {
          cpuMs: cpuMsSince(mark),
          peakRssMb: peakRssMb(),
          mwi: lampLatency.stats(),
          flowErrors,
          stored: row?.n ?? 0,
          mailFailures: failed?.n ?? 0,
        },
      }
    }
    case 'stop':
      await app.stop()
      setImmediate(() => process.exit(0))
      return { type: 'stopped' }
    case 'capture':
    case 'run':
      return { type: 'error', message: `daemon: unexpected ${request.type}` }
  }
})
process.send?.({ type: 'ready', port: app.address.port } satisfies Reply)
