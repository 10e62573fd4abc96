import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import type { AudioFiles } from '../store/audio-files.js'
import type { Store } from '../store/index.js'
import type { GreetingKind, Mailbox } from '../store/types.js'
import { setGreeting, type GreetingAudit } from './greetings.js'

export interface InstalledGreeting {
  durationMs: number
  sizeBytes: number
  /** An earlier greeting of the same kind was replaced (and its file removed). */
  replaced: boolean
}

/**
 * Store converted greeting audio (a voicemail-format WAV) as `box`'s greeting of `kind`: written into the box's
 * greetings folder, fsynced and checked like a recording (`AudioFiles.commit`), then the row; the file it replaces
 * is removed after the row changed, and the change is audited as `action` by `actor`. Used by the voicemail page
 * and `voicemailctl greeting import`, so both install a greeting the way the phone's options menu does.
 * Rejects (with nothing left behind) when the file or the database fails.
 */
export async function installGreeting(
  parts: { store: Store; files: AudioFiles },
  box: Pick<Mailbox, 'rowId' | 'domain' | 'id'>,
  kind: GreetingKind,
  wav: Uint8Array,
  audit: GreetingAudit,
): Promise<InstalledGreeting> {
  const { store, files } = parts
  const target = files.greetingPath(box.domain, box.id, kind, randomUUID())
  await files.prepare(target)
  try {
    await writeFile(target, wav)
    const committed = await files.commit(target)
    const replaced = await setGreeting(box, kind, { path: target, ...committed }, parts, audit)
    return {
      durationMs: committed.durationMs,
      sizeBytes: committed.sizeBytes,
      replaced,
    }
  } catch (err) {
    // Only when the row was not written: a failed audit line after it must not delete the live greeting.
    const current = await store.greetings.get(box.rowId, kind).catch(() => undefined)
    if (current?.file !== files.toStored(target)) await files.remove(target)
    throw err
  }
}
