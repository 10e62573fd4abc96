/**
 * The modesl fast path (lib/esl/modesl-fast-path.ts) changes cost, not behaviour: the Events a frame gives are the
 * ones modesl's own constructor builds, header lookups see additions and removals, and a command goes out as the
 * same bytes, in one write.
 */
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import t from 'tap'
import { Connection, Event, type EslEvent } from '../../lib/esl/modesl-patched.js'

/** A channel event the way real FreeSWITCH sends it: every variable as a header. */
function channelEventJson(): string {
  const fields: Record<string, string> = {
    'Event-Name': 'CHANNEL_EXECUTE_COMPLETE',
    'Core-UUID': 'c0re',
    'Unique-ID': 'f00d',
    'Application-UUID': 'a99',
    Application: 'playback',
  }
  for (let i = 0; i < 300; i++) fields[`variable_v${i}`] = `value ${i} Jürgen`
  return JSON.stringify(fields)
}

/** Modesl's own construction, header by header through addHeader (what the fast path replaces). */
function slowEvent(fields: Record<string, unknown>, body?: string): EslEvent {
  const event = new Event()
  event.type = fields['Event-Name'] as string | undefined
  event.subclass = fields['Event-Subclass'] as string | undefined
  event.body = body || (fields._body as string | undefined) || ''
  for (const key of Object.keys(fields)) if (key !== '_body') event.addHeader(key, fields[key] as string)
  return event
}

/** Feed raw frames to a Connection over a real socket; resolves with every event modesl emitted. */
async function parse(frames: string, count: number): Promise<EslEvent[]> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const accepted = once(server, 'connection') as Promise<[Socket]>
  const conn = new Connection('127.0.0.1', address.port, 'ClueCon')
  const [peer] = await accepted
  const events: EslEvent[] = []
  const all = new Promise<void>((resolve) => {
    conn.on('esl::event::**', (event: EslEvent) => {
      events.push(event)
      if (events.length === count) resolve()
    })
  })
  peer.write(frames)
  await all
  peer.destroy()
  conn.socket?.destroy()
  server.close()
  return events
}

void t.test('a JSON channel event: the same headers, in order, as modesl builds them', async (t) => {
  const body = channelEventJson()
  const frame = `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`
  const [event] = await parse(frame, 1)
  if (event === undefined) throw new Error('no event')
  const expected = slowEvent(JSON.parse(body) as Record<string, unknown>)
  t.same(event.headers, expected.headers, 'headers')
  t.equal(event.type, 'CHANNEL_EXECUTE_COMPLETE')
  t.equal(event.getBody(), '')
  t.equal(event.getHeader('variable_v299'), 'value 299 Jürgen', 'an indexed lookup')
  t.equal(event.getHeader('Job-UUID'), null, 'an absent header')
})

void t.test('a command reply: Modesl-Reply-OK / -ERR as modesl adds them', async (t) => {
  const frames =
    'Content-Type: command/reply\nReply-Text: +OK accepted\n\n' +
    'Content-Type: command/reply\nReply-Text: -ERR invalid\n\n'
  const [ok, err] = await parse(frames, 2)
  t.equal(ok?.getHeader('Modesl-Reply-OK'), 'accepted')
  t.equal(err?.getHeader('Modesl-Reply-ERR'), 'invalid')
})

void t.test('an event with a body keeps it', async (t) => {
  const body = JSON.stringify({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': 'j1', _body: '+OK done\n' })
  const frame = `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`
  const [event] = await parse(frame, 1)
  t.equal(event?.getBody(), '+OK done\n')
  t.equal(event?.getHeader('Job-UUID'), 'j1')
})

void t.test('lookups on a large event follow addHeader and delHeader', (t) => {
  const fields: Record<string, string> = { 'Event-Name': 'X' }
  for (let i = 0; i < 40; i++) fields[`h${i}`] = String(i)
  const event = new Event(fields)
  t.equal(event.getHeader('h7'), '7')
  event.addHeader('h7', 'seven')
  event.addHeader('new', 'yes')
  t.equal(event.getHeader('h7'), 'seven', 'a changed value')
  t.equal(event.getHeader('new'), 'yes', 'an added header')
  ;(event as EslEvent & { delHeader(name: string): unknown }).delHeader('h8')
  t.equal(event.getHeader('h8'), null, 'a removed header')
  t.equal(event.getHeader('h9'), '9')
  t.end()
})

void t.test('a command goes out as one write with modesl’s bytes', async (t) => {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const accepted = once(server, 'connection') as Promise<[Socket]>
  const conn = new Connection('127.0.0.1', address.port, 'ClueCon')
  const [peer] = await accepted
  t.teardown(() => {
    peer.destroy()
    conn.socket?.destroy()
    server.close()
  })
  const socket = conn.socket
  if (socket === null) throw new Error('no socket')
  const writes: string[] = []
  const write = socket.write.bind(socket)
  socket.write = (data: string) => {
    writes.push(data)
    return write(data)
  }
  conn.send('sendmsg', { 'call-command': 'execute', 'execute-app-name': 'playback' })
  t.same(writes, ['sendmsg\ncall-command: execute\nexecute-app-name: playback\n\n'])
})
