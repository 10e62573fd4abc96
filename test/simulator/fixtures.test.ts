import t from 'tap'
import { fixtureBytes, loadFixture } from '../support/fixtures.js'
import { CommandParser } from '../support/freeswitch/command-parser.js'
import { FrameReader, get, parsePlainEvent } from '../support/freeswitch/frame-reader.js'
import {
  apiResponse,
  commandReply,
  connectReply,
  eventFrame,
  lingerNotice,
  type Header,
} from '../support/freeswitch/frames.js'
import { fsUrlDecode } from '../support/freeswitch/urlencode.js'
import { parseWav, wavHeader } from '../support/freeswitch/wav.js'

const CAPTURES = ['outbound-session.txt', 'inbound-session.txt', 'mwi-query-session.txt']

/** Rebuild an FS frame from its parsed content with the simulator's serialisers. */
function rebuild(raw: Buffer): Buffer | undefined {
  const [frame] = new FrameReader().push(raw)
  if (frame === undefined) return undefined
  const ct = get(frame.headers, 'Content-Type')
  if (get(frame.headers, 'Event-Name') === 'CHANNEL_DATA') {
    const decoded: Header[] = frame.headers.map(([k, v]) => [k, fsUrlDecode(v)] as const)
    const cut = decoded.findIndex(([k]) => k === 'Content-Type')
    return connectReply(decoded.slice(0, cut), 'async', 'full')
  }
  if (ct === 'text/event-plain') {
    const ev = parsePlainEvent(frame.body)
    const headers = ev.body !== '' ? ev.headers.filter(([k]) => k !== 'Content-Length') : ev.headers
    return eventFrame(ev.body !== '' ? { headers, body: ev.body } : { headers }, 'plain')
  }
  if (ct === 'command/reply') {
    const extra = frame.headers.slice(2)
    return commandReply(get(frame.headers, 'Reply-Text') ?? '', extra)
  }
  if (ct === 'api/response') return apiResponse(frame.body.toString('utf8'))
  if (ct === 'auth/request') return Buffer.from('Content-Type: auth/request\n\n')
  if (ct === 'text/disconnect-notice' && get(frame.headers, 'Content-Disposition') === 'linger') {
    return lingerNotice(
      get(frame.headers, 'Controlled-Session-UUID') ?? '',
      get(frame.headers, 'Channel-Name') ?? '',
      Number(get(frame.headers, 'Linger-Time')),
    )
  }
  return undefined
}

for (const name of CAPTURES) {
  void t.test(
    `${name}: every FS frame is one complete frame, and the serialiser rebuilds it byte for byte`,
    (t) => {
      // The captures' Content-Lengths are stale after the address rewrite (see test/support/fixtures.ts).
      const frames = loadFixture(name, { repairLengths: true }).filter((f) => f.direction === 'fs')
      t.ok(frames.length > 3, 'frames loaded')
      let rebuilt = 0
      for (const f of frames) {
        const reader = new FrameReader()
        const parsed = reader.push(Buffer.from(f.raw))
        t.equal(parsed.length, 1, `one frame at +${f.ms}ms`)
        const again = rebuild(f.raw)
        if (again === undefined) continue
        rebuilt++
        if (!again.equals(f.raw))
          t.equal(again.toString(), f.raw.toString(), `frame at +${f.ms}ms rebuilt exactly`)
      }
      t.equal(rebuilt, frames.length, 'every FS frame shape is one the simulator produces')
      t.end()
    },
  )

  void t.test(`${name}: every daemon command parses as one command`, (t) => {
    for (const f of loadFixture(name).filter((x) => x.direction === 'daemon')) {
      const cmds = new CommandParser().push(Buffer.from(f.raw))
      t.equal(cmds.length, 1, `one command at +${f.ms}ms`)
    }
    t.end()
  })
}

void t.test('outer header order: events Content-Length first, api/response Content-Type first', (t) => {
  for (const f of loadFixture('outbound-session.txt', { repairLengths: true }).filter(
    (x) => x.direction === 'fs',
  )) {
    const [frame] = new FrameReader().push(Buffer.from(f.raw))
    const first = frame?.headers[0]?.[0]
    const ct = get(frame?.headers ?? [], 'Content-Type') ?? ''
    if (ct.startsWith('text/event')) t.equal(first, 'Content-Length')
    if (ct === 'api/response') t.equal(first, 'Content-Type')
    if (ct === 'command/reply' && get(frame?.headers ?? [], 'Event-Name') === undefined)
      t.equal(first, 'Content-Type')
  }
  t.end()
})

void t.test('record-time-limit.wav: the simulator writes the same header', (t) => {
  const wav = fixtureBytes('record-time-limit.wav')
  const info = parseWav(wav)
  t.same(info, { sampleRate: 8000, channels: 1, bitsPerSample: 16, samples: 28000, durationMs: 3500 })
  t.ok(wavHeader(28000).equals(wav.subarray(0, 44)), 'identical 44-byte header')
  t.equal(wav.length, 56044, 'record_file_size of the capture')
  t.end()
})
