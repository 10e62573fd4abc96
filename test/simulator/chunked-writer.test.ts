import t, { type Test } from 'tap'
import { createServer, connect, type Socket } from 'node:net'
import { ChunkedWriter } from '../support/freeswitch/chunked-writer.js'
import { FrameReader } from '../support/freeswitch/frame-reader.js'
import { eventFrame } from '../support/freeswitch/frames.js'
import { createRng } from '../support/freeswitch/rng.js'

async function pair(t: Test): Promise<[Socket, Socket]> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const accepted = new Promise<Socket>((r) => server.once('connection', r))
  const client = connect(port, '127.0.0.1')
  const s = await accepted
  t.teardown(() => {
    client.destroy()
    s.destroy()
    server.close()
  })
  return [s, client]
}

void t.test(
  'random chunking: frames coalesce and split anywhere, the reader still gets them whole',
  async (t) => {
    const [s, client] = await pair(t)
    client.setNoDelay(true)
    s.setNoDelay(true)
    const w = new ChunkedWriter(s, { rng: createRng(42), mode: 'random' })
    const chunks: Buffer[] = []
    const reader = new FrameReader()
    const got: string[] = []
    client.on('data', (c: Buffer) => {
      chunks.push(c)
      for (const f of reader.push(c)) got.push(f.body.toString())
    })
    const sent: string[] = []
    for (let i = 0; i < 40; i++) {
      const frame = eventFrame(
        {
          headers: [
            ['Event-Name', 'CUSTOM'],
            ['Name', `Jürgen 日本 ${i}`],
          ],
        },
        'plain',
      )
      sent.push(frame.subarray(frame.indexOf('\n\n') + 2).toString())
      w.write(frame)
    }
    w.end()
    await new Promise((r) => client.on('end', r))
    t.same(got, sent, 'all frames, in order, intact')
    t.ok(chunks.length > 1, `delivered in ${chunks.length} reads`)
  },
)

void t.test('same seed, same cuts', (t) => {
  const a = createRng(7)
  const b = createRng(7)
  t.same([a.next(), a.int(1, 9), a.uuid()], [b.next(), b.int(1, 9), b.uuid()])
  t.match(createRng(1).uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.end()
})
