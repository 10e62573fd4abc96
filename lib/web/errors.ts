import { VoicemailError } from '../errors.js'

/**
 * A request the page (or an operator's tool) gets a clear answer to: an HTTP status, a stable code the page and
 * tests can rely on, and a sentence shown to the user as it is. Thrown by route handlers; the server's error
 * handler turns it into `{ error: { code, message } }`. Never carries a PIN.
 */
export class HttpProblem extends VoicemailError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra fields for the JSON answer (e.g. `lockedUntil`). */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message)
  }
}

/** No session, or it expired: the page shows the login form. */
export const notLoggedIn = (message = 'Please log in.'): HttpProblem => new HttpProblem(401, 'login', message)

/** Unknown message, greeting kind or route: the same answer whether the id is malformed or not ours. */
export const notFound = (what = 'That'): HttpProblem =>
  new HttpProblem(404, 'not-found', `${what} was not found.`)
