import t from 'tap'
import { readFile } from 'node:fs/promises'
import { plant } from '../flows/owner-fixture.js'
import { DOMAIN, lamps, startWeb, until } from './fixture.js'

const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: DOMAIN }

void t.test('the box: envelope in the box time zone, counts, the phone order, urgent first', async (t) => {
  const h = await startWeb(t)
  await h.call({
    callerIdName: 'Bob "Bobby" <script>',
    callerIdNumber: '1002',
    variables: deposit100,
    records: [{ speakMs: 5000, then: 'hangup' }],
  }).finished
  const older = await plant(h, '100', { minutesAgo: 120, callerIdNumber: '1003' })
  const urgent = await plant(h, '100', { minutesAgo: 5, urgent: true, callerIdNumber: '1004' })
  const saved = await plant(h, '100', { folder: 'saved', callerIdNumber: '1005' })
  const page = await h.loggedIn()
  const reply = await page.get('/api/box')
  const box = reply.json as unknown as {
    messages: Array<Record<string, unknown>>
    counts: unknown
    quota: unknown
  }
  t.match(box.counts, { new: 3, newUrgent: 1, saved: 1, savedUrgent: 0, deleted: 0 })
  t.match(box.quota, { quotaBytes: 10 * 1024 * 1024, state: 'ok' })
  t.same(
    box.messages.map((m) => m.callerNumber),
    ['1004', '1003', '1002', '1005'],
    'new: urgent first, then oldest first; then saved',
  )
  t.match(box.messages[2], {
    folder: 'new',
    urgent: false,
    heard: false,
    callerName: 'Bob "Bobby" <script>',
    received: 'Thursday, 26 November 2026 05:00',
    receivedAt: '2026-11-26T11:00:00.000Z',
    duration: '5 s',
    missing: false,
  })
  t.equal(box.messages[0]?.id, urgent.uuid)
  t.equal(box.messages[1]?.id, older.uuid)
  t.equal(box.messages[3]?.id, saved.uuid)
})

void t.test('audio: the WAV whole, in ranges (206), out of range (416), and as a download', async (t) => {
  const h = await startWeb(t)
  const message = await plant(h, '100', { callerIdNumber: '+1 (555) 01/../02' })
  const bytes = await readFile(h.app.deps.files.fromStored(message.file))
  const page = await h.loggedIn()
  const path = `/api/messages/${message.uuid}/audio`
  const whole = await page.get(path)
  t.equal(whole.status, 200)
  t.equal(whole.headers.get('content-type'), 'audio/wav')
  t.equal(whole.headers.get('accept-ranges'), 'bytes')
  t.equal(whole.headers.get('cache-control'), 'no-store', 'private audio is not cached')
  t.same(whole.bytes, bytes, 'byte for byte')

  const part = await page.get(path, { range: 'bytes=44-1043' })
  t.equal(part.status, 206)
  t.equal(part.headers.get('content-range'), `bytes 44-1043/${bytes.length}`)
  t.same(part.bytes, bytes.subarray(44, 1044))
  const tail = await page.get(path, { range: 'bytes=-100' })
  t.equal(tail.status, 206)
  t.same(tail.bytes, bytes.subarray(bytes.length - 100))
  const beyond = await page.get(path, { range: `bytes=${bytes.length + 10}-` })
  t.equal(beyond.status, 416)
  t.equal(beyond.headers.get('content-range'), `bytes */${bytes.length}`)
  const head = await page.request('HEAD', path)
  t.equal(head.status, 200)
  t.equal(head.headers.get('content-length'), String(bytes.length))

  const download = await page.get(`/api/messages/${message.uuid}/download`)
  t.equal(download.status, 200)
  t.equal(
    download.headers.get('content-disposition'),
    'attachment; filename="voicemail-100-2026-11-26-0400-from-+15550102.wav"',
    'named like the mail attachment, caller data reduced to safe characters',
  )
  t.same(download.bytes, bytes)
  t.equal((await h.client().get(path)).status, 401, 'not without a session')
})

void t.test(
  'save, delete, undelete, mark heard: the store changes as by phone and the lamp follows',
  async (t) => {
    const h = await startWeb(t)
    const first = await plant(h, '100')
    const second = await plant(h, '100', { urgent: true })
    const page = await h.loggedIn()
    const act = async (id: string, action: string): Promise<Record<string, unknown>> => {
      const before = lamps(h, '100@pbx.test').length
      const reply = await page.post(`/api/messages/${id}/${action}`)
      t.equal(reply.status, 200, `${action}: ${reply.text}`)
      await until(() => lamps(h, '100@pbx.test').length > before, `lamp after ${action}`)
      return (reply.json as { message: Record<string, unknown> }).message
    }

    t.match(await act(first.uuid, 'heard'), { heard: true, folder: 'new' })
    t.match(lamps(h, '100@pbx.test').at(-1), { reason: 'READ', waiting: 'yes', counts: '2/0 (1/0)' })
    t.ok((await h.app.store.messages.get(first.uuid))?.heardAt, 'heard_at set, still new (as key 3)')

    t.match(await act(first.uuid, 'save'), { folder: 'saved', heard: true })
    t.match(lamps(h, '100@pbx.test').at(-1), { reason: 'SAVE', counts: '1/1 (1/0)' })

    t.match(await act(second.uuid, 'delete'), { deleted: true })
    t.match(lamps(h, '100@pbx.test').at(-1), { reason: 'DELETE', waiting: 'no', counts: '0/1 (0/0)' })
    const box = (await page.get('/api/box')).json as {
      deleted: Array<{ id: string }>
      counts: { deleted: number }
    }
    t.same(
      box.deleted.map((m) => m.id),
      [second.uuid],
      'listed as deleted until purged',
    )
    t.equal(box.counts.deleted, 1)

    t.match(await act(second.uuid, 'undelete'), { deleted: false, folder: 'new' })
    t.match(lamps(h, '100@pbx.test').at(-1), { reason: 'DELETE', waiting: 'yes', counts: '1/1 (1/0)' })
    const unknown = await page.post(`/api/messages/${first.uuid}/archive`)
    t.equal(unknown.status, 404, 'an action the phone does not have')
  },
)

void t.test(
  'forward to another box of the domain: a copy with its own lamp; unknown and full refused',
  async (t) => {
    const h = await startWeb(t, { config: { defaultQuotaBytes: 1048576 } })
    const message = await plant(h, '100', { callerIdNumber: '1002' })
    const page = await h.loggedIn()
    const reply = await page.post(`/api/messages/${message.uuid}/forward`, { to: '101' })
    t.equal(reply.status, 200, reply.text)
    t.same(reply.json, { forwarded: { to: '101', name: 'Bob' } })
    const copies = await h.messages('101')
    t.equal(copies.length, 1)
    t.match(copies[0], { forwardedFrom: '100@pbx.test', callerIdNumber: '1002', folder: 'new' })
    await until(() => lamps(h, '101@pbx.test').some((l) => l.reason === 'NEW'), 'the lamp of 101')
    t.equal((await h.messages('100')).length, 1, 'the original stays')

    const unknown = await page.post(`/api/messages/${message.uuid}/forward`, { to: '555' })
    t.equal(unknown.status, 404)
    t.match(unknown.json, {
      error: { code: 'unknown-box', message: 'There is no mailbox 555 to forward to.' },
    })
    const junk = await page.post(`/api/messages/${message.uuid}/forward`, { to: '../101' })
    t.equal(junk.status, 404)

    // Fill 800 so that the copy does not fit.
    for (let i = 0; i < 7; i++) await plant(h, '800', { speechMs: 60_000 })
    const full = await page.post(`/api/messages/${message.uuid}/forward`, { to: '800' })
    t.equal(full.status, 409)
    t.match(full.json, {
      error: { code: 'target-full', message: 'Mailbox 800 is full; the message was not forwarded.' },
    })
    t.equal((await h.messages('800')).length, 7, 'nothing written')
  },
)

void t.test('every route taking an id refuses traversal, other boxes and malformed ids alike', async (t) => {
  const h = await startWeb(t)
  const mine = await plant(h, '100')
  const theirs = await plant(h, '101')
  const page = await h.loggedIn()
  const ids = [
    theirs.uuid,
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '..%2F101',
    `${mine.uuid}%2F..%2F..%2F101`,
    '%2e%2e',
    mine.uuid.toUpperCase(),
    'recordings',
  ]
  for (const id of ids) {
    for (const [method, suffix] of [
      ['GET', 'audio'],
      ['GET', 'download'],
      ['POST', 'save'],
      ['POST', 'delete'],
      ['POST', 'forward'],
    ] as const) {
      const reply =
        method === 'GET'
          ? await page.get(`/api/messages/${id}/${suffix}`)
          : await page.post(`/api/messages/${id}/${suffix}`, suffix === 'forward' ? { to: '101' } : undefined)
      if (reply.status !== 404 || reply.bytes.includes(Buffer.from('root:'))) {
        t.fail(`${method} ${id}/${suffix} answered ${reply.status}`)
      }
    }
  }
  for (const path of [
    '/api/messages/../../../../etc/passwd',
    '/../../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/js/..%2f..%2f..%2fvoicemail.db',
    '/api/greetings/..%2F..%2Fvoicemail.db/audio',
    '/api/greetings/unavailable%2F..%2F..%2Fx/audio',
  ]) {
    const reply = await page.get(path)
    t.ok([400, 403, 404].includes(reply.status), `${path}: ${reply.status}`)
    t.notOk(
      reply.bytes.includes(Buffer.from('SQLite format')) || reply.bytes.includes(Buffer.from('root:')),
      `${path}: nothing leaked`,
    )
  }
  t.equal((await h.messages('101'))[0]?.folder, 'new', "the other box's message is untouched")
})
