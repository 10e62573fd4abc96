import type { Logger } from '../log.js'
import type { CallInfo } from './call.js'
import { EslCommandError, EslTimeoutError, HangupError } from './errors.js'
import { decodeCallInfo } from './event-headers.js'
import type { EslSession } from './esl-session.js'

/**
 * The events of its own channel the daemon reads on a call's socket (EslSession, EslCall): the completion of each
 * app it runs (CHANNEL_EXECUTE marks the app as running, so its DTMF are the app's), the hangup, the digits, and
 * the RECORD_STOP that carries `record_ms` when the caller hangs up during a recording.
 */
export const callEvents = [
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'DTMF',
  'RECORD_STOP',
] as const

/**
 * What `myevents` turns on (mes.c:2063–2136, esl-protocol.md §1.2) and the daemon never reads, turned off again with
 * `nixevent`. Each of these events carries every channel variable (a few KB of JSON), serialized by FreeSWITCH and
 * parsed by the daemon for nothing: with them and the PLAYBACK_* / RECORD_START events, a deposit call of the real
 * bench brought the daemon 43 frames and 118 KB; without, 34 frames and 88 KB (BENCHMARKS.md, issue 12).
 * BACKGROUND_JOB is modesl's own subscription (its `bgapi`, which a call's socket never uses).
 */
export const unreadMyevents = [
  'CHANNEL_ANSWER',
  'CHANNEL_APPLICATION',
  'CHANNEL_BRIDGE',
  'CHANNEL_CREATE',
  'CHANNEL_DATA',
  'CHANNEL_DESTROY',
  'CHANNEL_ORIGINATE',
  'CHANNEL_UUID',
  'CHANNEL_OUTGOING',
  'CHANNEL_PARK',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_STATE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_UNPARK',
  'DETECTED_SPEECH',
  'NOTALK',
  'TALK',
  'BACKGROUND_JOB',
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
 * - `nixevent …`: the events `myevents` turned on that the daemon never reads (`unreadMyevents`);
 * - `event json …`: RECORD_STOP, which `myevents` lacks (listing the others again is harmless: additive).
 *
 * `linger`, `nixevent` and `event` need `async full` in the dialplan; without `full` they get `-ERR command not found`: we
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
  const commands = [
    'myevents',
    'linger',
    `nixevent ${unreadMyevents.join(' ')}`,
    `event json ${callEvents.join(' ')}`,
  ]
  for (const command of commands) {
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
