/** Free loopback ports for a FreeSWITCH of its own (checked free right now; the OS picks them). */
import { createSocket } from 'node:dgram'
import { createServer, type AddressInfo } from 'node:net'

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
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
