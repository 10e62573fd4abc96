import { createConnection } from 'node:net'
import {
  ControlChannelError,
  ControlProtocolError,
  ControlRequestError,
  DaemonNotRunningError,
} from './errors.js'
import { withSocketPath } from './short-path.js'
import { parseReply, type ControlRequest } from './protocol.js'

/**
 * Send one request to the daemon listening on `socketPath` and resolve to its result. Rejects with
 * DaemonNotRunningError when no daemon listens (the caller may do the work itself), ControlRequestError when the
 * daemon answered that the request failed, ControlChannelError when the channel failed (no answer within
 * `timeoutMs`, permission denied, a broken reply).
 */
export function sendControlRequest(
  socketPath: string,
  request: ControlRequest,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  return withSocketPath(socketPath, (usable) => ask(usable, socketPath, request, timeoutMs))
}

function ask(
  usable: string,
  socketPath: string,
  request: ControlRequest,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(usable)
    let reply = ''
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      fn()
    }
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new ControlChannelError(`voicemaild did not answer ${request.op} within ${timeoutMs / 1000} s`),
          ),
        ),
      timeoutMs,
    )
    socket.setEncoding('utf8')
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`))
    socket.on('data', (chunk: string) => {
      reply += chunk
      const end = reply.indexOf('\n')
      if (end >= 0) settle(() => answer(reply.slice(0, end), resolve, reject))
    })
    socket.once('end', () =>
      settle(() =>
        reject(new ControlChannelError(`voicemaild closed the control connection before answering`)),
      ),
    )
    socket.once('error', (err: NodeJS.ErrnoException) =>
      settle(() => {
        if (err.code === 'ENOENT') reject(new DaemonNotRunningError(socketPath, false, { cause: err }))
        else if (err.code === 'ECONNREFUSED')
          reject(new DaemonNotRunningError(socketPath, true, { cause: err }))
        else
          reject(
            new ControlChannelError(`cannot use the control socket ${socketPath}: ${err.message}`, {
              cause: err,
            }),
          )
      }),
    )
  })
}

function answer(
  line: string,
  resolve: (result: Record<string, unknown>) => void,
  reject: (err: unknown) => void,
): void {
  try {
    const reply = parseReply(JSON.parse(line) as unknown)
    if (reply.ok) resolve(reply.result)
    else reject(new ControlRequestError(reply.error.code, reply.error.message))
  } catch (err) {
    const why = err instanceof ControlProtocolError ? err.message : 'not JSON'
    reject(new ControlChannelError(`voicemaild's reply is not understood (${why})`, { cause: err }))
  }
}
