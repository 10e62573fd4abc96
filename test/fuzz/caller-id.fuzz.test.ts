import t from 'tap'
import { Writable } from 'node:stream'
import { SMTPServer } from 'smtp-server'
import { ManualClock } from '../../lib/clock.js'
import { safeDecode } from '../../lib/esl/safe-decode.js'
import { createLogger } from '../../lib/log.js'
import { startHarness } from '../support/daemon-harness.js'
import { fsUrlEncode } from '../support/freeswitch/index.js'
import { freePort } from '../support/ports.js'
import { fuzz } from './fuzz-support.js'

/**
 * SPEC §8 "hostile caller-ID names (quotes, CRLF, `../`, emoji) in mail headers, file names and SQL": random
 * hostile caller names and numbers, end to end through the simulator's CHANNEL_DATA, the daemon, SQLite and a
 * real smtp-server. Stored byte-exact (as UTF-8 can carry them: a lone surrogate cannot cross the wire), never
 * in a path, never adding or changing a mail header; and a log line carrying them stays one JSON line.
 */
const BOXES = Array.from({ length: 12 }, (_, i) => String(100 + i))

/**
 * The caller id as it reaches the daemon: UTF-8 (a lone surrogate cannot cross the wire), url-encoded in the
 * CHANNEL_DATA, where FreeSWITCH lets an existing `%XX` through unescaped, so a literal "%0D" in a caller name
 * arrives as CR at any ESL client (esl-protocol.md; the simulator does the same), and a `%FF` that decodes to no
 * valid UTF-8 is kept literally by the daemon's decoder. From there on it must be stored exactly.
 */
function delivered(value: string): string {
  return safeDecode(fsUrlEncode(Buffer.from(value, 'utf8').toString('utf8')))
}

/** Header names of a raw mail, in order (continuation lines folded away). */
function headerNames(raw: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? ''
  return head
    .split(/\r?\n/)
    .filter((l) => l !== '' && !/^[ \t]/.test(l))
    .map((l) => (l.split(':')[0] ?? '').toLowerCase())
}

void t.test('hostile caller ids: byte-exact in SQL, never in paths, never a mail header', async (t) => {
  const f = fuzz(t, 'caller id')
  const port = await freePort()
  const mails = new Map<string, string>()
  const relay = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      let text = ''
      stream.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')))
      stream.on('end', () => {
        for (const rcpt of session.envelope.rcptTo) mails.set(rcpt.address, text)
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => relay.close(() => resolve())))
  const h = await startHarness(t, {
    clock: new ManualClock(Date.now()),
    seed: f.seed,
    config: {
      smtp: { host: '127.0.0.1', port, secure: false, requireTls: false },
      mail: { from: 'Voicemail <vm@pbx.test>' },
      mailboxes: BOXES.map((id) => ({
        id,
        domain: 'pbx.test',
        kind: 'personal',
        name: `Box ${id}`,
        email: [`box${id}@example.com`],
      })),
    },
  })

  // Box 100 gets a benign caller: its mail is the reference set of headers.
  const callers = BOXES.map((box, i) => ({
    box,
    // Never empty: FreeSWITCH sends an empty value as `_undef_`, which the daemon reads as absent (not a byte-exact case).
    name: i === 0 ? 'Alice' : f.hostile(40) || '..',
    number: i === 0 ? '1001' : f.hostile(16) || '%',
  }))
  await Promise.all(
    callers.map(
      (c) =>
        h.call({
          callerIdName: c.name,
          callerIdNumber: c.number,
          variables: { vm_action: 'deposit', vm_mailbox: c.box, domain_name: 'pbx.test' },
          records: [{ speakMs: 4000, then: 'hangup' }],
        }).finished,
    ),
  )
  await h.app.mailWorker.whenIdle()
  const reference = headerNames(mails.get('box100@example.com') ?? '')
  t.ok(reference.includes('subject'), 'the reference mail arrived')

  for (const c of callers) {
    const label = `box ${c.box} (${JSON.stringify(c.name)} / ${JSON.stringify(c.number)})`
    const [message] = await h.messages(c.box)
    if (message === undefined) {
      t.fail(`${label}: no message stored`)
      continue
    }
    t.equal(message.callerIdName, delivered(c.name), `${label}: name stored byte-exact`)
    t.equal(message.callerIdNumber, delivered(c.number), `${label}: number stored byte-exact`)
    t.match(
      message.file,
      new RegExp(`^recordings/pbx\\.test/${c.box}/[0-9a-f-]{36}\\.wav$`),
      `${label}: path from ids only`,
    )
    const mail = mails.get(`box${c.box}@example.com`)
    t.ok(mail !== undefined, `${label}: mail delivered`)
    t.same(headerNames(mail ?? ''), reference, `${label}: exactly the reference headers`)
  }
  const tables = await h.app.store.db.get<{ n: number }>(
    `SELECT count(*) AS n FROM sqlite_master WHERE name = 'messages'`,
  )
  t.equal(tables?.n, 1, 'the messages table is still there')

  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'))
      done()
    },
  })
  const log = createLogger('info', sink)
  for (const c of callers) log.info({ caller: c.number, callerName: c.name }, 'call started')
  await new Promise((resolve) => setImmediate(resolve))
  const text = lines.join('')
  const logLines = text.split('\n').filter((l) => l !== '')
  t.equal(logLines.length, callers.length, 'one log line per entry, however hostile the caller id')
  t.ok(
    logLines.every((l) => (JSON.parse(l) as { msg?: string }).msg === 'call started'),
    'each a valid JSON line',
  )
})
