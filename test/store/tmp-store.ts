import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { openStore, type Store } from '../../lib/store/index.js'

/**
 * A fresh directory under the system temp dir, removed at teardown. Not `t.testdir()`: other engineers run tests in
 * this checkout at the same time, and a private mkdtemp directory cannot collide with theirs.
 */
export async function tmpDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voicemaild-store-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A real SQLite store in its own temp directory, closed (before the directory goes) at teardown. */
export async function tmpStore(t: Test, clock = new ManualClock()): Promise<{ store: Store; dir: string }> {
  const dir = await tmpDir(t)
  const store = await openStore(join(dir, 'voicemail.db'), clock)
  t.teardown(() => store.close())
  return { store, dir }
}
