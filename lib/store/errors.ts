import { VoicemailError } from '../errors.js'

/** SQLite failed (locked, disk full, corrupt) or a migration could not run. */
export class StoreError extends VoicemailError {
  constructor(
    message: string,
    readonly sql?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** A write would break a rule of the store (unknown box, duplicate id, bad value). */
export class StoreConflictError extends VoicemailError {}

/**
 * The message is gone: removed since it was read (cleanup, delete-after-email, `voicemailctl message delete` in
 * another process). An owner menu hearing it says "that message is no longer available" and moves on.
 */
export class MessageGoneError extends StoreConflictError {}

/**
 * The file of a message to insert belongs to a message that was deleted (it has a tombstone): a deleted message
 * never comes back, whoever tries to insert it (reconcile adopting an orphan file, above all).
 */
export class DeletedFileError extends StoreConflictError {}
