import type { Logger } from '../log.js'
import type { CallInfo } from './call.js'
import { EslCommandError, EslTimeoutError, HangupError } from './errors.js'
import { decodeCallInfo } from './event-headers.js'
import type { EslSession } from './esl-session.js'

/**
 * Events each call subscribes to, in JSON (JSON values are raw UTF-8: no URL-decoding at all). `myevents` already
 * covers the CHANNEL_* and DTMF ones but not RECORD_* / PLAYBACK_*; listing them all is harmless (additive).
 */
export const callEvents = [
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'DTMF',
  'RECORD_START',
  'RECORD_STOP',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
] as const

/**
 * The start of an outbound-socket call (esl-protocol.md §1.2). modesl has already written `connect` (the only
 * first command FreeSWITCH answers) and `event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE`, and emits
 * `esl::ready` after both replies; the `connect` reply is the CHANNEL_DATA. Then we send:
 *
 * - `myevents`: this call's events only (without it, an `async full` socket gets every call's events, §5 bug 7);
 * - `linger`: after hangup FreeSWITCH keeps streaming instead of closing at once, so the RECORD_STOP /
 *   EXECUTE_COMPLETE of a record the caller ended by hanging up still arrive with `record_ms` (§1.5). Because of
 *   it FreeSWITCH holds the channel until we send `exit`, which the runner always does;
 * - `event json …`: the media events `myevents` lacks.
 *
 * `linger` and `event` need `async full` in the dialplan; without `full` they get `-ERR command not found`: we
 * log a warning and carry on (the call works, but a hangup during a recording loses its length).
 *
 * Resolves with the decoded CallInfo. Throws HangupError if the socket closes first, EslTimeoutError when modesl
 * is not ready within `timeoutMs`, EslCommandError when the connect reply is not channel data.
 */
export async function outboundHandshake(
  session: EslSession,
  timeoutMs: number,
  log: Logger,
): Promise<CallInfo> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new EslTimeoutError('connect', timeoutMs)), timeoutMs)
    session.conn.once('esl::ready', () => {
      clearTimeout(timer)
      resolve()
    })
    session.closedPromise.then(
      () => {
        clearTimeout(timer)
        reject(new HangupError('unknown', 'connect'))
      },
      () => undefined,
    )
  })
  const data = session.conn.getInfo()
  const info = data === null ? undefined : decodeCallInfo(data)
  if (info === undefined) throw new EslCommandError('connect', 'reply carries no channel data')
  session.uuid = info.uuid
  if (data?.getHeader('Socket-Mode') === 'static') {
    log.warn({ uuid: info.uuid }, 'outbound socket is not async: use "socket <host:port> async full"')
  }
  for (const command of ['myevents', 'linger', `event json ${callEvents.join(' ')}`]) {
    try {
      await session.command(command, null, timeoutMs)
    } catch (err) {
      if (!(err instanceof EslCommandError)) throw err
      log.warn(
        { uuid: info.uuid, command, reply: err.reply },
        'outbound socket refused a command: use "async full"',
      )
    }
  }
  return info
}
