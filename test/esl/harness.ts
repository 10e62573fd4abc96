import type { Test } from 'tap'
import { silentLogger } from '../../lib/log.js'
import {
  OutboundServer,
  type CallEnd,
  type CallHandler,
  type OutboundServerOptions,
} from '../../lib/esl/outbound-server.js'

/** An OutboundServer on 127.0.0.1:0 with short timeouts, stopped at teardown. */
export async function startServer(
  t: Test,
  handler: CallHandler,
  options: Partial<OutboundServerOptions> = {},
): Promise<{ server: OutboundServer; port: number; ended: CallEnd[]; nextEnd: () => Promise<CallEnd> }> {
  const server = new OutboundServer({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger(),
    handler,
    call: { commandTimeoutMs: 3000, hangupGraceMs: 500 },
    handshakeTimeoutMs: 3000,
    exitGraceMs: 500,
    ...options,
  })
  const { port } = await server.start()
  t.teardown(() => server.stop(0))
  const ended: CallEnd[] = []
  const waiters: Array<(e: CallEnd) => void> = []
  server.on('call-ended', (e) => {
    ended.push(e)
    waiters.shift()?.(e)
  })
  let taken = 0
  const nextEnd = (): Promise<CallEnd> => {
    const index = taken++
    const done = ended[index]
    if (done !== undefined) return Promise.resolve(done)
    return new Promise((resolve) => waiters.push(resolve))
  }
  return { server, port, ended, nextEnd }
}
