import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { fsyncFolder } from '../../lib/store/folder-sync.js'

void t.test('fsyncFolder syncs a real folder and rejects for a missing one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicemaild-folder-sync-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'x.wav'), 'RIFF')
  await fsyncFolder(dir)
  await t.rejects(fsyncFolder(join(dir, 'missing')), { code: 'ENOENT' })
})
