import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import t from 'tap'
import { RECEIVED_AT, mailHarness, makeBox, makeMessage } from './fixture.js'

void t.test('no SMTP host: each mail is a whole .eml file in <stateDir>/mail-spool', async (t) => {
  const h = await mailHarness(t)
  const box = await makeBox(h, { email: ['alice@example.com', 'boss@example.com'], keepAfterEmail: false })
  const { message, wav } = await makeMessage(h, box, { name: 'Zoë', number: '1001' })
  await h.notifier.newMessage(box, message)
  t.match(await h.worker.runDue(RECEIVED_AT + 1234), { sent: 2 })

  const spool = join(h.dir, 'mail-spool')
  const names = (await readdir(spool)).sort()
  t.same(names, ['20261126T174706234Z-1.eml', '20261126T174706234Z-2.eml'], 'no temp files left, one per row')
  const raw = await readFile(join(spool, names[0] ?? ''))
  t.match(raw.toString('latin1'), /\r\n\r\n/, 'CRLF line ends, as on the wire')
  const parsed = await simpleParser(raw)
  t.equal(parsed.subject, 'New voicemail from Zoë <1001> in mailbox 100')
  t.equal(parsed.to !== undefined && !Array.isArray(parsed.to) ? parsed.to.text : '', 'alice@example.com')
  t.equal(parsed.attachments[0]?.contentType, 'audio/wav')
  t.ok(parsed.attachments[0]?.content.equals(wav), 'attachment bytes equal the stored WAV')
  t.match(parsed.messageId, /^<outbox-1-/)
  t.equal(await h.store.messages.getByRowId(message.rowId), undefined, 'spooled counts as accepted')
  t.match(await h.worker.outbox.list(), [{ status: 'sent' }, { status: 'sent' }])
})

void t.test('spool folder not writable: temporary failure, retried', async (t) => {
  const h = await mailHarness(t)
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  // A file where the spool folder should be: mkdir fails (EEXIST/ENOTDIR) and the mail must stay queued.
  await writeFile(join(h.dir, 'mail-spool'), 'not a folder')
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 0, retried: 1, failed: 0 })
  t.match(await h.worker.outbox.list(), [{ status: 'pending', attempts: 1 }])
})
