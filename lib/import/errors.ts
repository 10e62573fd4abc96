import { VoicemailError } from '../errors.js'

/** The mod_voicemail data cannot be read at all (no database, not mod_voicemail's schema, directory unreadable). */
export class ImportSourceError extends VoicemailError {
  constructor(
    message: string,
    /** Extra lines for the operator (what to pass instead). */
    readonly details: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
