import type { Config } from '../config/types.js'
import type { Logger } from '../log.js'
import { rearmFullNotice } from '../quota/box-quota.js'
import type { AudioFiles } from '../store/audio-files.js'
import type { Store } from '../store/index.js'
import type { GreetingKind, Mailbox } from '../store/types.js'

/** An audit line: who (`phone:<call>`, `web:<client>`, `voicemailctl`) did what. */
export interface GreetingAudit {
  actor: string
  action: string
  detail?: Record<string, unknown>
}

/**
 * Make a committed file (fsynced and checked, `AudioFiles.commit`) the box's greeting of `kind`: the row first,
 * then the file it replaces is removed, then the audit line (when given). Resolves true when an earlier greeting
 * of that kind was replaced. Every way a greeting arrives (recorded by phone, uploaded on the page, imported by
 * voicemailctl or from mod_voicemail) stores it through here.
 */
export async function setGreeting(
  box: Pick<Mailbox, 'rowId'>,
  kind: GreetingKind,
  file: { path: string; sizeBytes: number; durationMs: number },
  deps: { store: Store; files: AudioFiles },
  audit?: GreetingAudit,
): Promise<boolean> {
  const { store, files } = deps
  const previous = await store.greetings.set(box.rowId, kind, {
    file: files.toStored(file.path),
    sizeBytes: file.sizeBytes,
    durationMs: file.durationMs,
  })
  if (previous !== undefined) await files.remove(files.fromStored(previous))
  if (audit !== undefined) {
    await store.audit.append({
      mailboxRowId: box.rowId,
      actor: audit.actor,
      action: audit.action,
      detail: { kind, durationMs: file.durationMs, ...audit.detail },
    })
  }
  return previous !== undefined
}

/**
 * Remove the box's greeting of `kind` (the temporary one, by phone or on the page): the row, then its file, the
 * audit line as `actor`, and the full-box notice re-armed (the box has more room now). Resolves false when there
 * was none.
 */
export async function removeGreeting(
  box: Mailbox,
  kind: GreetingKind,
  actor: string,
  deps: { store: Store; files: AudioFiles; config: Pick<Config, 'defaultQuotaBytes'> },
  log: Logger,
): Promise<boolean> {
  const removed = await deps.store.greetings.remove(box.rowId, kind)
  if (removed === undefined) return false
  await deps.files.remove(deps.files.fromStored(removed))
  await deps.store.audit.append({
    mailboxRowId: box.rowId,
    actor,
    action: 'greeting.removed',
    detail: { kind },
  })
  log.info({ kind }, 'greeting removed')
  await rearmFullNotice(box, deps)
  return true
}
