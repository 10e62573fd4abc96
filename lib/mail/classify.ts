/**
 * Is a send failure worth retrying? SMTP's reply classes decide (RFC 5321 §4.2.1): 4yz is transient, 5yz is
 * permanent, except 503 "bad sequence", which says the session went wrong rather than that the message was
 * refused (nodemailer's own `isPermanentResponseCode` makes the same exception).
 */
export type FailureKind = 'temporary' | 'permanent'

export interface Classified {
  kind: FailureKind
  /** One line for `last_error` and the log: code, SMTP reply code and message, no credentials. */
  summary: string
}

/**
 * Errors without an SMTP reply that still mean "the message itself is fine, try later": the server or the path to
 * it is down (connection, timeout, socket, DNS), or the relay is misconfigured on our side (TLS, authentication,
 * missing credentials). A bad password is an operator problem, not the message's: once it is fixed every queued
 * mail should go out without anyone retrying them by hand, so it is temporary even when the server said 535.
 */
const TEMPORARY_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EREQUIRETLS',
  'EAUTH',
  'ENOAUTH',
  'EPROXY',
  'ECONFIG',
  'EMAXLIMIT',
  // Spool mode and attachment reads: disk full, permissions, I/O.
  'ENOSPC',
  'EACCES',
  'EPERM',
  'EIO',
  'EMFILE',
  'ENFILE',
  'EROFS',
])

/** Errors nodemailer raises before talking to any server because the message itself is unusable. */
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EMAXRECIPIENTS'])

/**
 * Classify an error thrown by a send. Anything unknown is temporary: retrying is bounded by the give-up time,
 * while a wrong "permanent" would drop mail that could have been delivered.
 */
export function classifySendError(err: unknown): Classified {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown
    responseCode?: unknown
    message?: unknown
  }
  const code = typeof e.code === 'string' ? e.code : undefined
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined
  const message = typeof e.message === 'string' ? e.message : String(err)
  const summary = [code, responseCode, message.replace(/\s+/g, ' ').trim()]
    .filter((p) => p !== undefined)
    .join(' ')

  let kind: FailureKind
  if (code !== undefined && TEMPORARY_CODES.has(code)) kind = 'temporary'
  else if (responseCode !== undefined && responseCode >= 500 && responseCode < 600 && responseCode !== 503)
    kind = 'permanent'
  else if (responseCode !== undefined) kind = 'temporary'
  else if (code !== undefined && PERMANENT_CODES.has(code)) kind = 'permanent'
  else kind = 'temporary'
  return { kind, summary }
}
