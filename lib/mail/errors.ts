import { VoicemailError } from '../errors.js'

/**
 * A template cannot be used: missing file, unknown `{{variable}}`, a subject on several lines. Raised when the
 * templates are loaded (daemon start), never while a mail is being sent.
 */
export class TemplateError extends VoicemailError {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message)
  }
}

/** An outbox row whose payload the mail layer cannot read (written by a newer version, or corrupted). */
export class OutboxPayloadError extends VoicemailError {}
