import { readFile } from 'node:fs/promises'
import t from 'tap'
import { OutboxRepo } from '../../lib/store/outbox.js'
import { ctlFixture } from './fixture.js'

void t.test('mail list and retry', async (t) => {
  const f = await ctlFixture(t)
  const store = await f.store()
  const outbox = new OutboxRepo(store.db)
  const now = Date.now()
  const [a, b, c] = await outbox.enqueue(
    [
      { kind: 'new-message', recipients: ['a@example.com'], payload: {} },
      { kind: 'new-message', recipients: ['b@example.com'], payload: {} },
      { kind: 'mailbox-full', recipients: ['c@example.com'], payload: {} },
    ],
    now - 1000,
  )
  await outbox.markFailed(a ?? 0, '550 5.1.1 no such user')
  await outbox.markFailed(b ?? 0, '554 rejected')
  await outbox.markSent(c ?? 0, now)

  const failed = await f.run(['mail', 'list', '--status', 'failed', '--json'])
  t.equal(failed.code, 0)
  t.match(failed.json, {
    counts: { pending: 0, sent: 1, failed: 2 },
    mail: [{ id: b, status: 'failed', lastError: '554 rejected' }, { id: a }],
  })
  const text = await f.run(['mail', 'list'])
  t.match(text.stdout, /0 pending, 1 sent, 2 failed/)
  t.match(text.stdout, /550 5\.1\.1 no such user/)

  const one = await f.run(['mail', 'retry', String(a)])
  t.equal(one.code, 0, one.stderr)
  t.equal((await outbox.get(a ?? 0))?.status, 'pending')
  const sent = await f.run(['mail', 'retry', String(c), '--json'])
  t.equal(sent.code, 1)
  t.match(sent.json, { error: { code: 'already-sent' } })
  const unknown = await f.run(['mail', 'retry', '9999'])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /no mail 9999/)
  const all = await f.run(['mail', 'retry', '--all-failed', '--json'])
  t.match(all.json, { retried: [b] })
  t.equal((await f.run(['mail', 'retry'])).code, 2, 'an ID or --all-failed')
  t.equal((await f.run(['mail', 'retry', '1', '--all-failed'])).code, 2, 'not both')
  t.equal((await f.run(['mail', 'list', '--status', 'lost'])).code, 2)
})

void t.test(
  'mail list names the box of each mail, in text and JSON, with the columns the docs list',
  async (t) => {
    const f = await ctlFixture(t)
    t.equal((await f.run(['mailbox', 'add', '100'])).code, 0)
    const store = await f.store()
    const box = await store.mailboxes.find('example.com', '100')
    if (box === undefined) throw new Error('box 100 not created')
    const outbox = new OutboxRepo(store.db)
    await outbox.enqueue(
      [
        { kind: 'new-message', mailboxRowId: box.rowId, recipients: ['a@example.com'], payload: {} },
        { kind: 'new-message', recipients: ['b@example.com'], payload: {} },
      ],
      Date.now(),
    )

    const json = await f.run(['mail', 'list', '--json'])
    t.match(json.json, {
      mail: [
        { recipients: ['b@example.com'], mailbox: null },
        { recipients: ['a@example.com'], mailbox: { id: '100', domain: 'example.com' } },
      ],
    })
    const text = await f.run(['mail', 'list'])
    const lines = text.stdout.split('\n')
    const header = lines.find((l) => l.startsWith('ID'))?.split(/ {2,}/) ?? []
    t.same(header, ['ID', 'STATUS', 'KIND', 'BOX', 'TO', 'TRIES', 'CREATED', 'NEXT TRY', 'LAST ERROR'])
    t.match(
      lines.find((l) => l.includes('a@example.com')),
      /new-message +100@example\.com +a@example\.com/,
    )
    t.match(
      lines.find((l) => l.includes('b@example.com')),
      /new-message +- +b@example\.com/,
    )
    // "Seeing and retrying mail" and voicemailctl's "Mail". Line breaks in the docs are only wrapping.
    for (const doc of ['docs/email-and-lamps.md', 'docs/operator-guide.md']) {
      const text = (await readFile(new URL(`../../${doc}`, import.meta.url), 'utf8')).replace(/\s+/g, ' ')
      t.match(text, header.map((h) => `\`${h}\``).join(', '), `${doc} lists the same columns, in order`)
    }
  },
)
