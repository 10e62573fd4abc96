/** Shared setup for the simulator's outbound tests: a fake daemon listener + a simulator + one call. */
import type { Test } from 'tap'
import { FreeswitchSimulator, type CallOptions, type CallerScript, type SimCall } from './index.js'
import { FakeDaemon, type DaemonConn } from './fake-daemon.js'

export interface Harness {
  sim: FreeswitchSimulator
  daemon: FakeDaemon
  call: SimCall
  c: DaemonConn
}

export async function startCall(
  t: Test,
  script: CallerScript = {},
  opts: CallOptions = {},
  seed = 1,
): Promise<Harness> {
  const daemon = new FakeDaemon()
  await daemon.listen()
  const sim = new FreeswitchSimulator({ seed, call: { promptExists: () => true, ...opts } })
  const call = sim.call({ host: '127.0.0.1', port: daemon.port }, script)
  const c = await daemon.accept()
  t.teardown(async () => {
    c.socket.destroy()
    await sim.close()
    await daemon.close()
  })
  await call.connected
  return { sim, daemon, call, c }
}

/** Event names (only events) the daemon saw, in order. */
export function eventNames(c: DaemonConn): string[] {
  return c.frames.filter((f) => f.eventName !== undefined).map((f) => f.eventName as string)
}
