/**
 * Run `daemon/main.ts` (or `daemon/ctl.ts`) as a real child process, from the TypeScript sources, through the same
 * loader tap uses, so process-level behaviour (exit codes, signals, stderr) is tested without a build step.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
// The TypeScript loader tap itself runs tests with (its package exports no subpath for it).
const loader = new URL('node_modules/@tapjs/typescript/dist/esm/import.mjs', `file://${repoRoot}`).href

export interface Spawned {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
  /** Resolves when stdout has printed a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>
}

export function spawnEntry(
  entry: 'daemon/main.ts' | 'daemon/ctl.ts',
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Spawned {
  const child = spawn(process.execPath, ['--import', loader, `${repoRoot}${entry}`, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
  child.stdin.end(options.input ?? '')
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    // Generous: the daemon compiles its TypeScript on start, which takes tens of seconds on a loaded 2-core machine.
    waitFor(pattern, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}; stderr: ${err}`)),
          timeoutMs,
        )
        const check = (): void => {
          const line = out.split('\n').find((l) => pattern.test(l))
          if (line !== undefined) {
            clearTimeout(timer)
            child.stdout.off('data', check)
            resolve(line)
          }
        }
        child.stdout.on('data', check)
        void exited.then(() => {
          clearTimeout(timer)
          reject(new Error(`exited before ${pattern}; stderr: ${err}`))
        })
        check()
      })
    },
  }
}
