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
