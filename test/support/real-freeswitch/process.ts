/**
 * One real FreeSWITCH process on a configuration copy of its own (see conf.ts), with its own ports, so test files
 * running in parallel each have theirs. Start, stop (SIGTERM, as systemd would), kill, restart on the same state.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { FREESWITCH_BIN } from './installed.js'
import { ESL_PASSWORD, writeConf, type ConfOptions, type FreeswitchPorts } from './conf.js'
import { EslClient } from './esl-client.js'
import { writeStandInSounds } from './sounds.js'
import { freePort, freeUdpTcpPort } from '../ports.js'

export type FreeswitchOptions = Omit<ConfOptions, 'ports'> & {
  /** Extra environment of the FreeSWITCH process (e.g. libfaketime's, see faketime.ts). */
  env?: Readonly<Record<string, string>>
}

export class RealFreeswitch {
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private clients: EslClient[] = []

  private constructor(
    readonly dir: string,
    readonly ports: FreeswitchPorts,
    readonly options: FreeswitchOptions,
  ) {}

  /** Writes the configuration copy under `dir` (with fresh ports) and the stand-in sounds. Not started yet. */
  static async prepare(dir: string, options: FreeswitchOptions): Promise<RealFreeswitch> {
    const ports: FreeswitchPorts = {
      sip: await freeUdpTcpPort(),
      esl: await freePort(),
      rtpStart: 20_000 + 100 * Math.floor(Math.random() * 400),
    }
    const fs = new RealFreeswitch(dir, ports, options)
    for (const sub of ['log', 'db', 'run', 'sounds', 'recordings', 'storage', 'cache']) {
      await mkdir(join(dir, sub), { recursive: true })
    }
    await writeConf(join(dir, 'conf'), { ...options, ports })
    await writeStandInSounds(join(dir, 'sounds'))
    return fs
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Starts the process and resolves once the event socket answers and the internal SIP profile runs. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error('FreeSWITCH already running')
    const d = (sub: string): string => join(this.dir, sub)
    // -nf: stay in the foreground (a child we can signal and wait for); -nc: no console; no core files.
    const args = [
      '-nf',
      '-nc',
      '-nonat',
      '-conf',
      d('conf'),
      '-log',
      d('log'),
      '-db',
      d('db'),
      '-run',
      d('run'),
    ]
    args.push(
      '-sounds',
      d('sounds'),
      '-recordings',
      d('recordings'),
      '-storage',
      d('storage'),
      '-cache',
      d('cache'),
    )
    const child = spawn('sh', ['-c', `ulimit -c 0; exec "$0" "$@"`, FREESWITCH_BIN, ...args], {
      stdio: 'ignore',
      env: { ...process.env, ...this.options.env },
    })
    this.child = child
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()))
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (!this.running) throw new Error(`FreeSWITCH exited at start; see ${d('log')}/freeswitch.log`)
      const ready = await this.probe()
      if (ready) return
      if (Date.now() > deadline) throw new Error(`FreeSWITCH not ready after ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  private async probe(): Promise<boolean> {
    let client: EslClient | undefined
    try {
      client = await EslClient.connect(this.ports.esl, ESL_PASSWORD)
      const status = await client.api('sofia status')
      return /internal\s+profile.*RUNNING/.test(status)
    } catch {
      return false
    } finally {
      client?.close()
    }
  }

  /** A new authenticated event-socket connection (closed when FreeSWITCH stops). */
  async connect(): Promise<EslClient> {
    const client = await EslClient.connect(this.ports.esl, ESL_PASSWORD)
    this.clients.push(client)
    return client
  }

  /** SIGTERM (a clean shutdown, as `systemctl stop`), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child
    if (child === undefined || !this.running) return
    for (const c of this.clients.splice(0)) c.close()
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(killer)
  }

  async restart(): Promise<void> {
    await this.stop()
    await this.start()
  }
}
