/**
 * The daemon as a real child process (`daemon/main.ts` through tap's loader) against the FreeSWITCH simulator in
 * the test process, for the fault tests that need a real process (SIGKILL, SIGTERM).
 */
import type { Test } from 'tap'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { openStore, type Store } from '../../lib/store/index.js'
import { FreeswitchSimulator } from '../support/freeswitch/index.js'
import type { InboundServer } from '../support/freeswitch/inbound-server.js'
import { freePort } from '../support/ports.js'
import { spawnEntry, type Spawned } from '../support/spawn-daemon.js'

export interface ProcessFixture {
  sim: FreeswitchSimulator
  fs: InboundServer
  dir: string
  stateDir: string
  configPath: string
  port: number
  /** Start a daemon on this config; resolves once it listens. Killed (SIGKILL) at teardown if still running. */
  start(): Promise<Spawned>
  /** A second connection to the daemon's database (reads while it runs; closed at teardown). */
  store(): Promise<Store>
}

export async function processFixture(
  t: Test,
  options: { timeScale: number; drainSeconds?: number },
): Promise<ProcessFixture> {
  const dir = t.testdir({})
  const stateDir = join(dir, 'state')
  const sim = new FreeswitchSimulator({
    seed: 3,
    timeScale: options.timeScale,
    call: { promptExists: (path) => !path.startsWith('/') || existsSync(path) },
  })
  const fs = await sim.listen({ password: 'ClueCon' })
  const port = await freePort()
  const configPath = join(dir, 'voicemaild.yaml')
  await writeFile(
    configPath,
    [
      `stateDir: ${stateDir}`,
      `listen: { host: 127.0.0.1, port: ${port} }`,
      `freeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]`,
      `defaultDomain: pbx.test`,
      `drainSeconds: ${options.drainSeconds ?? 30}`,
      // These tests are about calls; the voicemail page's fixed port would collide between parallel test files.
      `http: { enabled: false }`,
      `mailboxes:`,
      `  - { id: "100", domain: pbx.test, kind: personal, name: Alice, email: [alice@example.com] }`,
      '',
    ].join('\n'),
  )
  const daemons: Spawned[] = []
  const stores: Store[] = []
  t.teardown(async () => {
    for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL')
    await Promise.all(daemons.map((d) => d.exited))
    for (const s of stores) await s.close().catch(() => undefined)
    await sim.close()
  })
  return {
    sim,
    fs,
    dir,
    stateDir,
    configPath,
    port,
    async start() {
      const daemon = spawnEntry('daemon/main.ts', ['--config', configPath])
      daemons.push(daemon)
      await daemon.waitFor(/listening for FreeSWITCH/)
      return daemon
    },
    async store() {
      const store = await openStore(join(stateDir, 'voicemail.db'), { now: () => Date.now() })
      stores.push(store)
      return store
    },
  }
}

/** Resolves once `check()` is true, polling every 10 ms (bounded by the test's own timeout). */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10))
}
