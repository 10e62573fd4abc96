import type { Db } from './db.js'
import { messageInsertError } from './sqlite-errors.js'
import type { Message } from './types.js'

/**
 * A message brought over from another voicemail system (voicemailctl import): unlike a deposit it may already be
 * saved, heard or urgent, and keeps its own received time. The file (relative to the state directory) is already
 * written and fsynced.
 */
export type ImportedMessage = Omit<Message, 'rowId' | 'deleted' | 'missing'>

/**
 * Insert one imported message row. Rejects with StoreConflictError when the uuid exists already (an earlier run
 * imported it) or the box is gone.
 */
export async function insertImportedMessage(db: Db, message: ImportedMessage): Promise<void> {
  try {
    await db.run(
      `INSERT INTO messages (uuid, mailbox_id, folder, urgent, caller_id_name, caller_id_number, received_at, saved_at,
         heard_at, duration_ms, size_bytes, file, forwarded_from)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        message.uuid,
        message.mailboxRowId,
        message.folder,
        message.urgent ? 1 : 0,
        message.callerIdName,
        message.callerIdNumber,
        message.receivedAt,
        message.savedAt ?? null,
        message.heardAt ?? null,
        message.durationMs,
        message.sizeBytes,
        message.file,
        message.forwardedFrom ?? null,
      ],
    )
  } catch (err) {
    throw messageInsertError(err, message)
  }
}
