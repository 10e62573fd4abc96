import { EslTimeoutError } from './errors.js'

/**
 * Wait for one reply from FreeSWITCH, raced against the connection closing and a timeout: whichever comes first
 * settles the promise, once. `waiters` is the connection's set of close callbacks, which it calls when the socket
 * goes away; ours is in it only while we wait. Used for outbound call commands and inbound link requests alike.
 */
export function awaitReply<T>(
  waiters: Set<() => void>,
  label: string,
  timeoutMs: number,
  closedError: () => Error,
  send: (done: (value: T) => void, fail: (err: Error) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      waiters.delete(onClose)
      fn()
    }
    const onClose = (): void => settle(() => reject(closedError()))
    const timer = setTimeout(() => settle(() => reject(new EslTimeoutError(label, timeoutMs))), timeoutMs)
    waiters.add(onClose)
    send(
      (value) => settle(() => resolve(value)),
      (err) => settle(() => reject(err)),
    )
  })
}
