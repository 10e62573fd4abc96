/** Free loopback ports for a FreeSWITCH of its own and for the daemons the tests restart (checked free right now). */
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'

/**
 * Where the ports come from: below the kernel's ephemeral range (32768–60999 by default), where every outgoing
 * connection of every process on the machine gets its local port, and below the test FreeSWITCHes' RTP ports
 * (20000 and up, process.ts). A port the OS picked from the ephemeral range was taken, once in CI, by some outgoing
 * connection while a killed daemon was down, and the restarted daemon could not listen on it again (EADDRINUSE).
 */
const RESERVED = { from: 10_000, to: 20_000 }

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = RESERVED.from + Math.floor(Math.random() * (RESERVED.to - RESERVED.from))
    const server = createServer()
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (ok) {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      return port
    }
  }
  throw new Error(`no free TCP port in ${RESERVED.from}–${RESERVED.to - 1}`)
}

/** A port free for both UDP and TCP (SIP listens on both). */
export async function freeUdpTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort()
    const udp = createSocket('udp4')
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, '127.0.0.1', () => resolve(true))
    })
    await new Promise<void>((resolve) => udp.close(() => resolve()))
    if (ok) return port
  }
  throw new Error('no free UDP+TCP port')
}
