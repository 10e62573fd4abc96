// Talking to the daemon: JSON in and out, the CSRF token on every change, one error shape.

let csrf = ''
let onLoggedOut = () => {}

/** Remember the session's CSRF token (from /api/session or /api/login). */
export function setToken(token) {
  csrf = token ?? ''
}

/** What to do when the server says the session is gone (401). */
export function whenLoggedOut(handler) {
  onLoggedOut = handler
}

/** An answer the page shows to the user: the server's sentence and its stable code. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

/**
 * `method` on `path`; `body` is sent as JSON, or as is when it is FormData (uploads). Resolves the JSON answer;
 * rejects with ApiError carrying the server's message (a 401 also calls the logged-out handler).
 */
export async function api(method, path, body) {
  const headers = { accept: 'application/json' }
  if (method !== 'GET') headers['x-csrf-token'] = csrf
  let payload
  if (body instanceof FormData) payload = body
  else if (body !== undefined) {
    headers['content-type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let response
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' })
  } catch {
    throw new ApiError(
      0,
      'network',
      'The voicemail server cannot be reached. Check your connection and try again.',
    )
  }
  const json = await response.json().catch(() => ({}))
  if (response.ok) return json
  const error = json.error ?? {}
  const failure = new ApiError(
    response.status,
    error.code ?? 'error',
    error.message ?? `Error ${response.status}.`,
  )
  if (response.status === 401 && path !== '/api/login') onLoggedOut(failure.message)
  throw failure
}

/** Put `text` in a live region (status or alert) so screen readers read it. */
export function say(element, text) {
  element.textContent = ''
  // A fresh text node after a tick: some screen readers ignore a region whose text did not change.
  setTimeout(() => {
    element.textContent = text
  }, 30)
}
