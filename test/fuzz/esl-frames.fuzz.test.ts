import t from 'tap'
import { connect } from 'node:net'
import { OutboundServer, type CallEnd } from '../../lib/esl/outbound-server.js'
import { silentLogger } from '../../lib/log.js'
import { FreeswitchSimulator } from '../support/freeswitch/index.js'
import { fuzz, type Fuzz } from './fuzz-support.js'

/**
 * SPEC §8 "malformed ESL frames → never a crash": random frames from a hostile peer into the real outbound
 * listener (modesl's parser with our guard, EslSession, EslCall): random header blocks, bad `%` escapes, bad and
 * huge Content-Lengths, broken JSON bodies, a believable CHANNEL_DATA followed by garbage, all split at random
 * points. Nothing may throw out of a socket handler (tap fails on an uncaught exception), and afterwards the
 * listener still serves a well-behaved FreeSWITCH call.
 */
const CONTENT_TYPES = [
  'command/reply',
  'api/response',
  'text/event-plain',
  'text/event-json',
  'text/disconnect-notice',
  'auth/request',
  'log/data',
  'text/rude-rejection',
  '',
]
const EVENTS = [
  'CHANNEL_DATA',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'DTMF',
  'RECORD_STOP',
  'PLAYBACK_START',
  'BACKGROUND_JOB',
  '',
]

function headerBlock(f: Fuzz, headers: Array<[string, string]>): string {
  return headers.map(([k, v]) => `${k}: ${v}`).join('\n') + '\n\n'
}

function frame(f: Fuzz, uuid: string): Buffer {
  const kind = f.int(0, 7)
  const ev = f.pick(EVENTS)
  if (kind === 0) return f.bytes(f.int(0, 300))
  if (kind === 1) {
    // A channel-data connect reply, values url-encoded or raw-hostile.
    return Buffer.from(
      headerBlock(f, [
        ['Content-Type', 'command/reply'],
        ['Reply-Text', '+OK'],
        ['Event-Name', 'CHANNEL_DATA'],
        ['Unique-ID', uuid],
        ['Caller-Caller-ID-Name', f.hostile(30).replace(/\n/g, '')],
        ['Caller-Caller-ID-Number', f.hostile(10).replace(/\n/g, '')],
        ['variable_vm_action', f.pick(['deposit', 'check', 'menu', 'login', '%', ''])],
        ['variable_vm_mailbox', f.pick(['100', '../x', '%FF', ''])],
      ]),
    )
  }
  if (kind === 2) {
    const body =
      f.int(0, 1) === 0
        ? JSON.stringify({
            'Event-Name': ev,
            'Unique-ID': uuid,
            'Application-UUID': f.uuid(),
            variable_record_ms: f.hostile(5),
          })
        : `{"Event-Name": "${ev}", ${f.hostile(20)}`
    const length = f.pick([
      String(Buffer.byteLength(body)),
      String(Buffer.byteLength(body) + f.int(1, 50)),
      '-1',
      'abc',
      '99999999999',
      '1e3',
      ' 12',
      '',
    ])
    return Buffer.concat([
      Buffer.from(
        headerBlock(f, [
          ['Content-Type', 'text/event-json'],
          ['Content-Length', length],
        ]),
      ),
      Buffer.from(body),
    ])
  }
  if (kind === 3) {
    const body = headerBlock(f, [
      ['Event-Name', ev],
      ['Unique-ID', uuid],
      ['Hangup-Cause', f.hostile(12).replace(/\n/g, '%0A')],
      [
        f.hostile(6).replace(/\n/g, ''),
        f.pick(['%', '%F', '%FF%FE', '%ZZ', '%%41', f.hostile(8).replace(/\n/g, '')]),
      ],
    ])
    return Buffer.concat([
      Buffer.from(
        headerBlock(f, [
          ['Content-Type', 'text/event-plain'],
          ['Content-Length', String(Buffer.byteLength(body))],
        ]),
      ),
      Buffer.from(body),
    ])
  }
  if (kind === 4) {
    // A header block that never ends, or a huge one.
    return Buffer.from(
      `Content-Type: ${f.pick(CONTENT_TYPES)}\n${'X-Junk: '.repeat(f.int(1, 3))}${'y'.repeat(f.pick([10, 5000, 1_100_000]))}`,
    )
  }
  const headers: Array<[string, string]> = [['Content-Type', f.pick(CONTENT_TYPES)]]
  for (let i = f.int(0, 6); i > 0; i--) {
    headers.push([
      f.pick(['Reply-Text', 'Event-Name', 'Content-Length', 'Unique-ID', 'Job-UUID', f.hostile(5)]),
      f.pick(['+OK', '-ERR no', '%', '-5', '0', ev, f.hostile(10)]).replace(/\n/g, ''),
    ])
  }
  return Buffer.from(headerBlock(f, headers))
}

/** One hostile peer: frames written in random pieces, then a close or a reset. Resolves when the socket is gone. */
function hostilePeer(f: Fuzz, port: number): Promise<void> {
  const uuid = f.uuid()
  // Half the peers answer the handshake properly first (channel data, then +OK to each setup command), so the
  // garbage reaches EslSession and EslCall inside a live call too.
  const deep = f.int(0, 1) === 0
  const data = Buffer.concat(Array.from({ length: f.int(1, 8) }, () => frame(f, uuid)))
  const cuts = Array.from({ length: f.int(0, 6) }, () => f.int(0, data.length)).sort((a, b) => a - b)
  const pieces: Buffer[] = []
  let at = 0
  for (const cut of [...cuts, data.length]) {
    pieces.push(data.subarray(at, cut))
    at = cut
  }
  const reset = f.int(0, 1) === 0
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.on('error', () => undefined)
    socket.on('close', () => resolve())
    const storm = (): void => {
      const next = (): void => {
        const piece = pieces.shift()
        if (piece === undefined) {
          if (reset) socket.resetAndDestroy()
          else socket.end()
          setTimeout(() => socket.destroy(), 200).unref()
          return
        }
        socket.write(piece, () => setImmediate(next))
      }
      next()
    }
    if (!deep) {
      socket.on('connect', storm)
      return
    }
    let answered = 0
    socket.on('data', (chunk: Buffer) => {
      for (let n = chunk.toString('latin1').split('\n\n').length - 1; n > 0 && answered < 5; n--) {
        socket.write(
          answered === 0
            ? `Content-Type: command/reply\nReply-Text: +OK\nEvent-Name: CHANNEL_DATA\nUnique-ID: ${uuid}\n` +
                `Caller-Caller-ID-Number: 1001\nvariable_vm_action: deposit\n\n`
            : 'Content-Type: command/reply\nReply-Text: +OK\n\n',
        )
        if (++answered === 5) setImmediate(storm)
      }
    })
  })
}

void t.test('random frames never escape the socket handlers; the listener keeps serving', async (t) => {
  const f = fuzz(t, 'esl frames')
  const ends: CallEnd[] = []
  let handled = 0
  const server = new OutboundServer({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger(),
    handshakeTimeoutMs: 500,
    exitGraceMs: 50,
    call: { commandTimeoutMs: 500, mediaTimeoutMs: 1000 },
    handler: async (call) => {
      handled++
      await call.answer()
      await call.play('ivr/ivr-welcome.wav')
    },
  })
  server.on('call-ended', (end) => ends.push(end))
  const { port } = await server.start()
  t.teardown(() => server.stop(0))

  for (let i = 0; i < 120; i++) await hostilePeer(f, port)

  const sim = new FreeswitchSimulator({ seed: f.seed })
  t.teardown(() => sim.close())
  const handledBefore = handled
  const transcript = await sim.call({ host: '127.0.0.1', port }, { variables: { vm_action: 'deposit' } })
    .finished
  t.ok(handled > handledBefore, 'a well-behaved call after the storm reaches the flow')
  t.same(transcript.executes.map((e) => e.app).slice(0, 1), ['answer'], 'and is answered')
  t.equal(ends.at(-1)?.outcome, 'completed', 'and completes')
  t.comment(`${handledBefore} hostile peers got as far as a call flow`)
})
