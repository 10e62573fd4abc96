/**
 * The floor for this stack (SPEC §9): a bare modesl outbound server that replays, per call, the command sequence
 * the daemon sent for the same call (captured by the simulator), with no logic at all: no database, no
 * validation, no flow, no parser guard. When the channel hangs up it does what the daemon does after a hangup in
 * the review menu, in the barest form: one `sendevent MESSAGE_WAITING` over a modesl inbound connection and one
 * nodemailer mail with the recording attached. Its CPU, RSS and latencies are the denominators of the bench's
 * ratios.
 *
 * This file (with `bench/`) is the only place outside `lib/esl/` that imports modesl, on purpose: the baseline
 * must be modesl as published, without our patches or wrappers.
 * Argv: `<JSON { dir, inboundPort, smtpPort, commands }>`.
 */
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import modesl from 'modesl'
import nodemailer from 'nodemailer'
import { latency } from './stats.js'
import { cpuMsSince, peakRssMb, serve, type CapturedCommand, type Reply } from './ipc.js'

interface Options {
  dir: string
  inboundPort: number
  smtpPort: number
  commands: CapturedCommand[]
}
type Conn = InstanceType<typeof modesl.Connection>
type Ev = InstanceType<typeof modesl.Event>
interface ModeslServer {
  on(name: 'connection::ready', listener: (conn: Conn, id: string) => void): void
  close(cb?: () => void): void
}
// modesl 1.2.1 ships a Server our typings (lib/esl/modesl.d.ts) leave out: lib/esl/ does not use it.
const { Server: EslServer } = modesl as unknown as {
  Server: new (opts: { server: Server }, ready?: () => void) => ModeslServer
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options
// modesl's Connection already sent these two when it emits ready.
const replay = options.commands.filter(
  (c) => c.line !== 'connect' && !c.line.startsWith('event json BACKGROUND_JOB'),
)

const mwiMs: number[] = []
let failures = 0
let recordings = 0
let mailFailures = 0
let mark = process.cpuUsage()

const inbound = await new Promise<Conn>((resolve) => {
  const conn: Conn = new modesl.Connection('127.0.0.1', options.inboundPort, 'ClueCon', () => resolve(conn))
  conn.on('error', () => undefined)
})
const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: options.smtpPort, secure: false })

function headerOf(ev: Ev, name: string): string | undefined {
  const v = ev.getHeader(name)
  return v === null ? undefined : String(v)
}

/** One call: replay until the channel hangs up (or the sequence ends), then MWI + mail, then `exit`. */
function onCall(conn: Conn): void {
  conn.on('error', () => undefined)
  const info = conn.getInfo()
  const number = info === null ? '' : (headerOf(info, 'Caller-Caller-ID-Number') ?? '')
  const waiting = new Map<string, () => void>()
  let hungUp = false
  let recorded: string | undefined
  let onHangup: () => void = () => undefined
  conn.on('esl::event::**', (ev: Ev) => {
    const name = headerOf(ev, 'Event-Name')
    if (name === 'CHANNEL_EXECUTE_COMPLETE') waiting.get(headerOf(ev, 'Application-UUID') ?? '')?.()
    if (name === 'CHANNEL_HANGUP' && !hungUp) {
      hungUp = true
      for (const done of waiting.values()) done()
      onHangup()
    }
  })
  const hangup = new Promise<void>((resolve) => (onHangup = resolve))
  const send = (c: CapturedCommand): Promise<void> =>
    new Promise((resolve) => {
      const headers: Record<string, string> = Object.fromEntries(c.headers)
      if (headers['call-command'] !== 'execute') {
        conn.sendRecv(c.line, c.headers.length === 0 ? null : headers, () => resolve())
        return
      }
      const id = randomUUID()
      headers['Event-UUID'] = id
      if (headers['execute-app-name'] === 'record') {
        recorded = join(options.dir, `${randomUUID()}.wav`)
        headers['execute-app-arg'] = [
          recorded,
          ...(headers['execute-app-arg'] ?? '').split(' ').slice(1),
        ].join(' ')
      }
      waiting.set(id, () => {
        waiting.delete(id)
        resolve()
      })
      conn.sendRecv(c.line, headers)
    })

  void (async () => {
    for (let i = 0; i < replay.length && !hungUp; i++) {
      const c = replay[i] as CapturedCommand
      if (c.line === 'exit') break
      // The daemon queues `set playback_terminators` and its media app together: so does the replay.
      const next = replay[i + 1]
      const isSet = c.headers.some(([k, v]) => k === 'execute-app-name' && v === 'set')
      if (
        isSet &&
        next !== undefined &&
        next.headers.some(([k, v]) => k === 'call-command' && v === 'execute')
      ) {
        await Promise.all([send(c), send(next)])
        i++
      } else await send(c)
    }
    await Promise.race([hangup, new Promise((r) => setTimeout(r, 5000))])
    if (!hungUp) failures++
    if (recorded !== undefined) recordings++
    await afterHangup(number, recorded)
    conn.sendRecv('exit', () => conn.socket?.destroy())
  })()
}

async function afterHangup(number: string, recorded: string | undefined): Promise<void> {
  const t0 = performance.now()
  await new Promise<void>((resolve) =>
    inbound.sendRecv(
      'sendevent MESSAGE_WAITING',
      {
        'MWI-Messages-Waiting': 'yes',
        'MWI-Message-Account': 'sip:100@pbx.test',
        'MWI-Voice-Message': '1/0 (0/0)',
        'Update-Reason': 'NEW',
      },
      () => resolve(),
    ),
  )
  mwiMs.push(performance.now() - t0)
  try {
    const content = recorded === undefined ? Buffer.alloc(0) : await readFile(recorded)
    await mailer.sendMail({
      from: 'Voicemail <vm@pbx.test>',
      to: 'box@pbx.test',
      subject: `New voicemail from ${number}`,
      text: `New voicemail from ${number}`,
      attachments: [{ filename: 'message.wav', content, contentType: 'audio/wav' }],
    })
  } catch {
    mailFailures++
  }
}

const net = createServer()
await new Promise<void>((resolve) => net.listen(0, '127.0.0.1', resolve))
const server = new EslServer({ server: net })
server.on('connection::ready', (conn) => onCall(conn))

serve((request) => {
  switch (request.type) {
    case 'mark':
      mark = process.cpuUsage()
      mwiMs.length = 0
      failures = 0
      recordings = 0
      mailFailures = 0
      return Promise.resolve({ type: 'stopped' })
    case 'stats':
      return Promise.resolve({
        type: 'stats',
        stats: {
          cpuMs: cpuMsSince(mark),
          peakRssMb: peakRssMb(),
          mwi: latency(mwiMs),
          flowErrors: failures,
          stored: recordings,
          mailFailures,
        },
      })
    case 'stop':
      server.close()
      inbound.socket?.destroy()
      mailer.close()
      setImmediate(() => process.exit(0))
      return Promise.resolve({ type: 'stopped' })
    case 'capture':
    case 'run':
      return Promise.resolve({ type: 'error', message: `baseline: unexpected ${request.type}` })
  }
})
const address = net.address()
process.send?.({
  type: 'ready',
  port: typeof address === 'object' && address !== null ? address.port : 0,
} satisfies Reply)
