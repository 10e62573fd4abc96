/**
 * The daemon of the real bench as an operator runs it: the compiled entry (`dist/daemon/main.js`, built by
 * `npm run bench`) with a YAML config, in its own process, so its CPU is read from /proc like FreeSWITCH's.
 * BENCH_PROFILE=<dir> adds `--cpu-prof`; BENCH_LOG_DIR=<dir> keeps its JSON log.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('../../daemon/main.js', import.meta.url))

export interface DaemonChild {
  child: ChildProcess
  pid: number
  stop(): Promise<void>
}

export async function startDaemon(configPath: string, config: string): Promise<DaemonChild> {
  await writeFile(configPath, config)
  const profile = process.env.BENCH_PROFILE
  const execArgv = profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profile]
  const child = spawn(process.execPath, [...execArgv, MAIN, '--config', configPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const logDir = process.env.BENCH_LOG_DIR
  if (logDir !== undefined) await mkdir(logDir, { recursive: true })
  const log =
    logDir === undefined ? undefined : createWriteStream(join(logDir, `daemon-real-${Date.now()}.log`))
  let seen = ''
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the daemon did not connect to FreeSWITCH in 60 s')),
      60_000,
    )
    child.stdout?.on('data', (chunk: Buffer) => {
      log?.write(chunk)
      // Only the start matters here; afterwards the log is drained (and kept only with BENCH_LOG_DIR).
      if (seen.length < 1_000_000) seen += chunk.toString('utf8')
      if (/FreeSWITCH event socket connected/.test(seen)) {
        clearTimeout(timer)
        resolve()
      }
    })
    void exited.then(() => reject(new Error(`the daemon exited at start:\n${seen}`)))
  })
  await ready
  const pid = child.pid
  if (pid === undefined) throw new Error('the daemon has no pid')
  return {
    child,
    pid,
    async stop() {
      // SIGTERM: a clean stop, which also writes the --cpu-prof file.
      if (child.exitCode === null) child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(killer)
      log?.end()
    },
  }
}
