import { readFile, rename, writeFile } from 'node:fs/promises'
import type { DomainConfig } from '../../config/types.js'
import type { Logger } from '../../log.js'
import type { AudioFiles } from '../../store/audio-files.js'
import { StoreConflictError } from '../../store/errors.js'
import { insertImportedMessage } from '../../store/imported-messages.js'
import type { Store } from '../../store/index.js'
import { hashPin } from '../../store/pin.js'
import type { Mailbox } from '../../store/types.js'
import { isVoicemailFormat, WavFormatError } from '../../store/wav.js'
import { AudioConversionError } from '../../audio/errors.js'
import type { AudioConverter } from '../audio-converter.js'
import type { BoxPlan, GreetingPlan, ImportPlan, MessagePlan } from './plan.js'
import { mapLimit } from '../map-limit.js'

export interface ApplyDeps {
  store: Store
  files: AudioFiles
  converter: AudioConverter
  /** Settings for a domain the store does not have yet (the config's, else the defaults). */
  domainSettings(domain: string): DomainConfig
  log: Logger
}

const ACTOR = 'voicemailctl import'
/** PIN hashes computed at once (scrypt on libuv's pool). */
const PIN_CONCURRENCY = 4

/**
 * Carry out a plan: boxes, PINs, greetings, then messages, box by box. Each item's `action` becomes `imported` or
 * `problem` (with the reason); a problem with one file (missing since planning, unreadable, not convertible) does not
 * stop the others. Every file is written and fsynced before the row that points at it, so a run that dies midway
 * leaves at most a file without a row, which the next run overwrites. The source is only read. Resolves to the
 * boxes as they now are (for the lamps).
 */
export async function applyImport(plan: ImportPlan, deps: ApplyDeps): Promise<Mailbox[]> {
  const boxes: Mailbox[] = []
  // The PIN hashes first, several at once (each is ~0.1 s of scrypt on the thread pool).
  const hashes = await mapLimit(plan.boxes, PIN_CONCURRENCY, (bp) =>
    bp.pin.action === 'set' && bp.pin.pin !== undefined ? hashPin(bp.pin.pin) : Promise.resolve(undefined),
  )
  for (const [i, bp] of plan.boxes.entries()) {
    const box = await applyBox(bp, hashes[i], deps)
    if (hashes[i] !== undefined) {
      await deps.store.audit.append({
        mailboxRowId: box.rowId,
        actor: ACTOR,
        action: 'pin.imported',
        detail: {
          box: `${box.id}@${box.domain}`,
          from: bp.pin.source ?? 'mod_voicemail',
          temporary: bp.pin.temporary === true,
        },
      })
    }
    for (const g of bp.greetings) if (g.action === 'import') await applyGreeting(box, g, deps)
    for (const m of bp.messages) if (m.action === 'import') await applyMessage(box, m, deps)
    const imported = bp.messages.filter((m) => m.action === 'imported').length
    const greetings = bp.greetings.filter((g) => g.action === 'imported').length
    if (bp.action !== 'unchanged' || imported > 0 || greetings > 0) {
      await deps.store.audit.append({
        mailboxRowId: box.rowId,
        actor: ACTOR,
        action: 'box.imported',
        detail: {
          box: `${box.id}@${box.domain}`,
          from: 'mod_voicemail',
          box_action: bp.action,
          pin: bp.pin.action,
          messages: imported,
          greetings,
        },
      })
    }
    deps.log.info(
      { box: `${box.id}@${box.domain}`, action: bp.action, messages: imported, greetings },
      'mod_voicemail box imported',
    )
    boxes.push((await deps.store.mailboxes.findByRowId(box.rowId)) ?? box)
  }
  return boxes
}

async function applyBox(bp: BoxPlan, pinHash: string | undefined, deps: ApplyDeps): Promise<Mailbox> {
  const { store } = deps
  if (bp.existing === undefined) {
    await store.domains.ensure(bp.domain, deps.domainSettings(bp.domain))
    return store.mailboxes.create({
      ...bp.changes,
      domain: bp.domain,
      id: bp.id,
      kind: 'personal',
      ...(pinHash === undefined ? {} : { pinHash, pinTemporary: bp.pin.temporary === true }),
    })
  }
  let box = bp.existing
  if (Object.keys(bp.changes).length > 0) box = await store.mailboxes.update(box.rowId, bp.changes)
  if (pinHash !== undefined) await store.mailboxes.setPin(box.rowId, pinHash, bp.pin.temporary === true)
  return box
}

async function applyGreeting(box: Mailbox, g: GreetingPlan, deps: ApplyDeps): Promise<void> {
  try {
    const target = deps.files.greetingPath(box.domain, box.id, g.kind, g.uuid)
    const written = await writeAudio(g.sourcePath, target, g.convertFrom !== undefined, deps)
    const previous = await deps.store.greetings.set(box.rowId, g.kind, {
      file: deps.files.toStored(target),
      ...written,
    })
    if (previous !== undefined) await deps.files.remove(deps.files.fromStored(previous))
    if (g.kind === 'unavailable' && box.activeGreeting !== 'unavailable') {
      await deps.store.mailboxes.setActiveGreeting(box.rowId, 'unavailable')
    }
    g.action = 'imported'
  } catch (err) {
    fail(g, err)
  }
}

async function applyMessage(box: Mailbox, m: MessagePlan, deps: ApplyDeps): Promise<void> {
  try {
    const target = deps.files.messagePath(box.domain, box.id, m.uuid)
    const written = await writeAudio(m.sourcePath, target, m.convertFrom !== undefined, deps)
    await insertImportedMessage(deps.store.db, {
      uuid: m.uuid,
      mailboxRowId: box.rowId,
      folder: m.folder,
      urgent: m.urgent,
      callerIdName: m.callerIdName,
      callerIdNumber: m.callerIdNumber,
      receivedAt: m.receivedAt,
      ...(m.savedAt === undefined ? {} : { savedAt: m.savedAt, heardAt: m.savedAt }),
      ...written,
      file: deps.files.toStored(target),
      ...(m.forwardedFrom === undefined ? {} : { forwardedFrom: m.forwardedFrom }),
    })
    m.action = 'imported'
  } catch (err) {
    fail(m, err)
  }
}

/**
 * Copy (or convert) one source file to `target`: written beside it under a name reconcile never adopts, renamed
 * into place, fsynced and checked. Resolves to its size and duration.
 */
async function writeAudio(
  source: string,
  target: string,
  convert: boolean,
  deps: ApplyDeps,
): Promise<{ sizeBytes: number; durationMs: number }> {
  const bytes = await readFile(source)
  const audio = convert ? await deps.converter.convert(bytes) : bytes
  await deps.files.prepare(target)
  const partial = `${target}.import`
  await writeFile(partial, audio)
  await rename(partial, target)
  const committed = await deps.files.commit(target)
  if (!isVoicemailFormat(committed)) {
    await deps.files.remove(target)
    throw new AudioConversionError('corrupt', 'the converted audio is not 8 kHz mono 16-bit PCM')
  }
  return { sizeBytes: committed.sizeBytes, durationMs: committed.durationMs }
}

/** Expected per-item failures become the item's problem; anything else (a bug, the disk) stops the run. */
function fail(item: { action: string; reason?: string }, err: unknown): void {
  const code = (err as NodeJS.ErrnoException).code
  if (err instanceof AudioConversionError || err instanceof WavFormatError) {
    item.action = 'problem'
    item.reason = `audio: ${err.message}`
  } else if (err instanceof StoreConflictError) {
    item.action = 'problem'
    item.reason = err.message
  } else if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    item.action = 'problem'
    item.reason = `cannot read the source file (${code})`
  } else {
    throw err
  }
}
