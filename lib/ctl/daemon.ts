import { sendControlRequest } from '../control/client.js'
import { ControlChannelError, ControlRequestError, DaemonNotRunningError } from '../control/errors.js'
import { controlSocketPath, type ControlRequest } from '../control/protocol.js'
import type { CtlContext } from './context.js'
import { CtlError, EXIT } from './errors.js'

/** How long voicemailctl waits for the daemon's answer to a lamp or mail request. */
export const DAEMON_ANSWER_MS = 30_000

/** Invocations already told the daemon is not running: one line per voicemailctl run, however many requests. */
const told = new WeakSet<CtlContext>()

/**
 * Ask the running daemon to do `request` (one owner per job: lamps, jobs and mail are the daemon's while it runs).
 * Resolves to the daemon's result, or to undefined when no daemon runs: then one line on stderr says so and what
 * voicemailctl does instead (`alone`), and the caller does the work itself. Rejects with CtlError when the daemon
 * is there and the request failed (`daemon-request-failed`, or the daemon's own code such as `job-failed`) or the
 * channel did (`daemon-unreachable`: permission denied, no answer in time); never falls back then, since the
 * daemon may be doing the work already.
 */
export async function askDaemon(
  ctx: CtlContext,
  request: ControlRequest,
  alone: string,
  timeoutMs = DAEMON_ANSWER_MS,
): Promise<Record<string, unknown> | undefined> {
  const path = controlSocketPath(ctx.config.stateDir)
  try {
    return await sendControlRequest(path, request, timeoutMs)
  } catch (err) {
    if (err instanceof DaemonNotRunningError) {
      if (!told.has(ctx)) {
        told.add(ctx)
        const why = err.stale ? `stale socket ${path}` : `no ${path}`
        // stderr in --json mode too: stdout stays the one JSON document.
        ctx.io.stderr.write(`note: voicemaild is not running (${why}): ${alone}\n`)
      }
      return undefined
    }
    if (err instanceof ControlRequestError) {
      throw new CtlError(`voicemaild: ${err.message}`, EXIT.failed, err.code, [], { cause: err })
    }
    if (err instanceof ControlChannelError) {
      throw new CtlError(
        err.message,
        EXIT.failed,
        'daemon-unreachable',
        [`run voicemailctl as the daemon's user (the socket is owner-only), or check the daemon's log`],
        { cause: err },
      )
    }
    throw err
  }
}
