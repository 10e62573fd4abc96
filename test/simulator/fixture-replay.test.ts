/**
 * Replays the daemon side of the real outbound capture against the simulator, with a caller scripted to do what
 * the captured caller did, and compares what the simulator sends with what FreeSWITCH sent: the same frames in the
 * same order, and for every event the same header names in the same order (values differ: uuids, times).
 */
import t from 'tap'
import { loadFixture } from '../support/fixtures.js'
import { FrameReader, get, parsePlainEvent, type FsFrame } from '../support/freeswitch/frame-reader.js'
import { FreeswitchSimulator } from '../support/freeswitch/index.js'
import { FakeDaemon } from '../support/freeswitch/fake-daemon.js'

function label(f: FsFrame): string {
  const ct = get(f.headers, 'Content-Type') ?? ''
  if (get(f.headers, 'Event-Name') === 'CHANNEL_DATA') return 'connect-reply'
  if (ct === 'command/reply') return `reply ${get(f.headers, 'Reply-Text') ?? ''}`
  if (ct === 'api/response') return `api ${f.body.toString()}`
  if (ct === 'text/disconnect-notice') return `notice ${get(f.headers, 'Content-Disposition') ?? ''}`
  const ev = parsePlainEvent(f.body).headers
  const app = get(ev, 'Application')
  return `${get(ev, 'Event-Name') ?? '?'}${app !== undefined ? ` ${app} ${get(ev, 'Application-Response') ?? ''}` : ''}`
}

/** Header names that are not channel variables, in order. */
function shape(f: FsFrame): string[] {
  const ct = get(f.headers, 'Content-Type') ?? ''
  const names = ct.startsWith('text/event')
    ? parsePlainEvent(f.body).headers.map(([k]) => k)
    : f.headers.map(([k]) => k)
  return names.filter((k) => !k.startsWith('variable_'))
}

void t.test('outbound-session.txt replayed against the simulator', async (t) => {
  const fixture = loadFixture('outbound-session.txt', { repairLengths: true })
  const dir = t.testdir()
  const daemon = new FakeDaemon()
  await daemon.listen()
  const sim = new FreeswitchSimulator({ seed: 3 })
  t.teardown(async () => {
    await sim.close()
    await daemon.close()
  })
  const call = sim.call(
    { host: '127.0.0.1', port: daemon.port },
    {
      uuid: 'be563c09-1181-4c42-a7ab-353d9a43b5ea',
      callerIdName: 'Alice',
      callerIdNumber: '1001',
      variables: { playback_terminators: 'none', vm_action: 'deposit', vm_mailbox: '100' },
      actions: [
        { when: { onApp: 'playback', nth: 1, afterMs: 1200 }, press: '*' },
        { when: { onApp: 'playback', nth: 2, afterMs: 780 }, hangup: true },
      ],
      entries: ['4821#'],
      interDigitMs: 40,
      records: [{ speakMs: 10_000 }, { speakMs: 1440, then: { press: '#' } }],
    },
  )
  const c = await daemon.accept()
  await call.connected
  // Send each daemon frame, then wait until the simulator has sent as many frames as FS had by the next one.
  for (let i = 0; i < fixture.length; i++) {
    const f = fixture[i]!
    if (f.direction === 'fs') continue
    const nextDaemon = fixture.findIndex((x, k) => k > i && x.direction === 'daemon')
    const upto = nextDaemon < 0 ? fixture.length : nextDaemon
    const want = fixture.slice(0, upto).filter((x) => x.direction === 'fs').length
    // The capture recorded under /var/lib/voicemaild; record into the test dir instead.
    c.socket.write(f.raw.toString('utf8').replaceAll('/var/lib/voicemaild/recordings/', `${dir}/`))
    for (let n = 0; c.frames.length < want && n < 500; n++) await new Promise((r) => setTimeout(r, 2))
  }
  const fsFrames = fixture
    .filter((x) => x.direction === 'fs')
    .map((x) => new FrameReader().push(Buffer.from(x.raw))[0]!)
  const want = fsFrames.map(label)
  const got = c.frames.map(label)
  const noNotice = (l: string[]) => l.filter((x) => !x.startsWith('notice'))
  t.same(noNotice(got), noNotice(want), 'same frames in the same order (linger notice aside)')
  const gi = got.indexOf('notice linger')
  t.ok(
    got[gi - 1] === 'CHANNEL_HANGUP' || got[gi + 1] === 'CHANNEL_HANGUP',
    'linger notice next to CHANNEL_HANGUP',
  )
  for (let i = 0; i < Math.min(fsFrames.length, c.frames.length); i++) {
    if (label(c.frames[i]!) !== want[i]) continue
    t.same(shape(c.frames[i]!), shape(fsFrames[i]!), `header names of ${want[i]}`)
  }
  c.socket.destroy()
  const tr = await call.finished
  t.equal(tr.closedBy, 'daemon')
  t.equal(tr.executes.length, 7)
})
