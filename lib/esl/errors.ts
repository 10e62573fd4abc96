import { VoicemailError } from '../errors.js'

/** The caller hung up (or the socket closed) before or while a command ran. A normal way for a flow to end. */
export class HangupError extends VoicemailError {
  constructor(
    readonly uuid: string,
    readonly during?: string,
  ) {
    super(`call ${uuid} hung up${during === undefined ? '' : ` during ${during}`}`)
  }
}

/** FreeSWITCH did not complete a command in time. */
export class EslTimeoutError extends VoicemailError {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`FreeSWITCH did not complete ${command} within ${timeoutMs} ms`)
  }
}

/** FreeSWITCH refused a command (`-ERR …`). */
export class EslCommandError extends VoicemailError {
  constructor(
    readonly command: string,
    readonly reply: string,
  ) {
    super(`FreeSWITCH refused ${command}: ${reply}`)
  }
}

/** The inbound link to FreeSWITCH is down or was refused (auth). */
export class EslConnectionError extends VoicemailError {}

/** The outbound-socket listener could not start (e.g. EADDRINUSE): a startup error, with the address in it. */
export class EslListenError extends VoicemailError {}
