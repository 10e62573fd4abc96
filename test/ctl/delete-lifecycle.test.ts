import { randomUUID } from 'node:crypto'
import { access, mkdir, utimes, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import t from 'tap'
import { buildWav } from '../support/freeswitch/wav.js'
import { unlinkFails } from '../support/failing-files.js'
import { ctlFixture, type CtlFixture } from './fixture.js'

/**
 * SPEC §8 "one message lifecycle" for voicemailctl's two deleters (`message delete`, `mailbox remove`): run with a
 * file layer whose unlinks fail, which is the state a crash between recording the deletion and unlinking leaves.
 * The files are an hour old, so an orphan would be adopted; the next reconcile must remove them instead.
 */
const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  )

async function oldMessage(f: CtlFixture, id: string): Promise<{ uuid: string; path: string }> {
  const store = await f.store()
  const box = await store.mailboxes.find('example.com', id)
  const uuid = randomUUID()
  const path = f.files.messagePath('example.com', id, uuid)
  await mkdir(dirname(path), { recursive: true })
  const wav = buildWav(4000, 0)
  await writeFile(path, wav)
  const hourAgo = new Date(Date.now() - 3600_000)
  await utimes(path, hourAgo, hourAgo)
  await store.messages.insert({
    uuid,
    mailboxRowId: box?.rowId ?? 0,
    callerIdName: 'Bob',
    callerIdNumber: '5551234',
    durationMs: 4000,
    sizeBytes: wav.length,
    file: f.files.toStored(path),
  })
  return { uuid, path }
}

void t.test('message delete: a crash before the unlink never brings the message back', async (t) => {
  const f = await ctlFixture(t)
  t.equal((await f.run(['mailbox', 'add', '100'])).code, 0)
  const { uuid, path } = await oldMessage(f, '100')

  const del = await f.run(['message', 'delete', uuid], { files: unlinkFails() })
  t.equal(del.code, 0, 'the deletion itself is done (recorded)')
  t.match(del.stderr, /could not be removed now; the next reconcile removes them/)
  t.ok(await exists(path), 'the file is still there')

  const reconcile = await f.run(['job', 'run', 'reconcile', '--json'])
  t.equal(reconcile.code, 0, reconcile.stderr)
  t.match(reconcile.json, { summary: { adopted: 0 } }, 'nothing adopted')
  t.notOk(await exists(path), 'the file is gone')
  const list = await f.run(['message', 'list', '100', '--json'])
  t.match(list.json, { messages: [] }, 'no message came back')
})

void t.test('mailbox remove: a re-created box never gets the removed messages back', async (t) => {
  const f = await ctlFixture(t)
  t.equal((await f.run(['mailbox', 'add', '100'])).code, 0)
  const { path } = await oldMessage(f, '100')

  const removed = await f.run(['mailbox', 'remove', '100', '--yes'], { files: unlinkFails() })
  t.not(removed.code, 0, 'the command died before the files were unlinked')
  t.ok(await exists(path), 'the file is still there')
  t.equal((await f.run(['mailbox', 'add', '100'])).code, 0, 'the operator creates the box again')

  const reconcile = await f.run(['job', 'run', 'reconcile', '--json'])
  t.equal(reconcile.code, 0, reconcile.stderr)
  t.match(reconcile.json, { summary: { adopted: 0, quarantined: 0 } }, 'nothing adopted or quarantined')
  t.notOk(await exists(path), 'the file is gone')
  const list = await f.run(['message', 'list', '100', '--json'])
  t.match(list.json, { messages: [] }, 'the new box is empty')
})
