import { VoicemailError } from '../errors.js'

/** Base of the control channel's errors (voicemailctl asking the running daemon). */
export class ControlError extends VoicemailError {}

/**
 * No daemon answers on the control socket: the file is missing (the daemon is not running) or nobody listens on it
 * (`stale`: a daemon that was killed left it behind). The caller may do the work itself.
 */
export class DaemonNotRunningError extends ControlError {
  constructor(
    readonly socketPath: string,
    readonly stale: boolean,
    options?: { cause?: unknown },
  ) {
    super(
      stale ? `nothing listens on ${socketPath} (a stale socket)` : `no control socket at ${socketPath}`,
      options,
    )
  }
}

/** The daemon answered and the request failed there (`code` as the daemon gave it: `job-failed`, `bad-request`…). */
export class ControlRequestError extends ControlError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The channel itself failed with a daemon there: permission denied on the socket, no answer in time, a reply that
 * is not the protocol, the connection closed before the answer. The request may or may not have been served.
 */
export class ControlChannelError extends ControlError {}

/** A line that is not a request of the protocol (the daemon answers it with `bad-request`). */
export class ControlProtocolError extends ControlError {}
