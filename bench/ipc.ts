/**
 * Messages between the bench orchestrator (`run.ts`) and its child processes (`sim-process.ts`,
 * `daemon-process.ts`, `baseline-process.ts`), over Node's IPC channel (`child_process.fork`).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { openSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One simulated call's outcome, as the simulator saw it. */
export interface CallResult {
  /** The caller-id number (unique per call: it keys the mail). */
  number: string
  /** Wall-clock epoch ms (sub-ms) when the channel hung up; undefined if it never did. */
  hangupAt?: number
  /** Why the simulator thinks the call went wrong; empty when it went right. */
  problems: string[]
}

/** One command the daemon sent on an outbound socket, replayed by the baseline. */
export interface CapturedCommand {
  line: string
  headers: Array<[string, string]>
}

export interface LatencyFigures {
  count: number
  p50: number
  p99: number
  max: number
}

/** What a measured process (daemon or baseline) reports at the end of a run. */
export interface ProcessStats {
  /** User + system CPU ms since the last `mark`. */
  cpuMs: number
  /** Peak resident set size of the process's life, MB. */
  peakRssMb: number
  /** Commit (baseline: hangup) → MESSAGE_WAITING acknowledged, ms. */
  mwi: LatencyFigures
  /** Call flows that ended in an error (daemon: `call-ended` outcome `error`). */
  flowErrors: number
  /** Messages stored (daemon) / recordings seen (baseline). */
  stored: number
  /** Mail the process gave up on or could not send. */
  mailFailures: number
}

export type Request =
  | { type: 'mark' }
  | { type: 'stats'; waitIdle?: boolean }
  | { type: 'stop' }
  | {
      type: 'run'
      target: { host: string; port: number }
      calls: number
      firstNumber: number
      boxes: number
      /** Call starts are spread evenly over this many real ms. */
      rampMs: number
    }
  | { type: 'capture'; target: { host: string; port: number }; number: string }

export type Reply =
  | { type: 'ready'; port: number; inboundPort?: number }
  | { type: 'stats'; stats: ProcessStats }
  | { type: 'run'; results: CallResult[]; wallMs: number; mwiEvents: number; peakConcurrent: number }
  | { type: 'capture'; commands: CapturedCommand[] }
  | { type: 'stopped' }
  | { type: 'error'; message: string }

/** A forked child speaking this protocol, one request at a time. */
export class Child {
  private readonly waiting: Array<(reply: Reply) => void> = []
  readonly exited: Promise<number | null>

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (reply: Reply) => {
      const next = this.waiting.shift()
      if (next !== undefined) next(reply)
    })
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)))
    void this.exited.then(() => {
      for (const w of this.waiting.splice(0)) w({ type: 'error', message: 'child exited' })
    })
  }

  /** Fork `dist/bench/<name>.js` (the compiled sibling of this file) with `args`; resolves on its `ready`. */
  static async start(
    name: string,
    args: string[],
    execArgv: string[] = [],
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<{ child: Child; ready: Extract<Reply, { type: 'ready' }> }> {
    const file = fileURLToPath(new URL(`./${name}.js`, import.meta.url))
    // BENCH_LOG_DIR: keep each child's stdout (the daemon's JSON log) for a post-mortem.
    const logDir = process.env.BENCH_LOG_DIR
    const out = logDir === undefined ? 'ignore' : openSync(join(logDir, `${name}-${Date.now()}.log`), 'w')
    const proc = fork(file, args, { stdio: ['ignore', out, 'inherit', 'ipc'], execArgv, env })
    const child = new Child(proc)
    const ready = await child.next()
    if (ready.type !== 'ready') throw new Error(`${name} did not start: ${JSON.stringify(ready)}`)
    return { child, ready }
  }

  next(): Promise<Reply> {
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  async ask(request: Request): Promise<Reply> {
    const reply = this.next()
    this.proc.send(request)
    const r = await reply
    if (r.type === 'error') throw new Error(r.message)
    return r
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return
    await this.ask({ type: 'stop' }).catch(() => undefined)
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000)
    await this.exited
    clearTimeout(timer)
  }
}

/** Answer requests in a child: `handler` returns the reply; errors become `{ type: 'error' }`. */
export function serve(handler: (request: Request) => Promise<Reply>): void {
  process.on('message', (request: Request) => {
    handler(request).then(
      (reply) => process.send?.(reply),
      (err: unknown) =>
        process.send?.({
          type: 'error',
          message: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
    )
  })
}

/** Wall-clock epoch milliseconds with sub-millisecond precision, comparable across processes on one host. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now()
}

/** CPU ms (user + system) of this process since `since`. */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1000
}

/** Peak RSS of this process's life, MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024
}
