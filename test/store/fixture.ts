import { join } from 'node:path'
import type { Test } from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { openStore, type Store } from '../../lib/store/index.js'
import type { Mailbox } from '../../lib/store/types.js'

/** A real SQLite file in the test's own directory, closed at teardown. */
export async function openTestStore(
  t: Test,
  clock = new ManualClock(),
): Promise<{ store: Store; clock: ManualClock }> {
  const store = await openStore(join(t.testdir(), 'voicemail.db'), clock)
  t.teardown(() => store.close())
  return { store, clock }
}

/** Create domain `example.com` (if needed) and box `id` in it. */
export async function makeBox(store: Store, id = '100', domain = 'example.com'): Promise<Mailbox> {
  await store.domains.ensure(domain, { mode: 'dual', autoProvision: true, timezone: 'UTC' })
  return store.mailboxes.create({ domain, id, kind: 'personal' })
}

/** Cheap scrypt parameters so tests that hash many PINs stay fast (the format and code path are the same). */
export const fastScrypt = { N: 1024, r: 8, p: 1 }
