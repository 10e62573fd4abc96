/**
 * Base of every error the daemon throws on purpose. `name` follows the concrete class, so a log line or a test
 * can tell a StoreError from an EslTimeoutError without a copy-pasted name string.
 */
export class VoicemailError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}
