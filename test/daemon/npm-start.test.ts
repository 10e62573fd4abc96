import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { repoRoot } from '../support/spawn-daemon.js'

/** What a supervisor, a container runtime or `kill $!` does: SIGTERM to the process it started, npm. */
const npmFound = spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0

/** Every process below `pid` (Linux /proc), so the test sees the daemon whatever npm put in between. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // Field 4 of /proc/PID/stat is the parent; the command name before it may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = []
  const walk = (p: number): void => {
    for (const [child, ppid] of parent) {
      if (ppid !== p) continue
      found.push(child)
      walk(child)
    }
  }
  walk(pid)
  return found
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return condition()
}

void t.test(
  'npm start: stdout is JSON lines only, and SIGTERM to npm stops the daemon with it',
  { skip: npmFound ? false : 'npm not on PATH', timeout: 220_000 },
  async (t) => {
    const dir = t.testdir({})
    const port = await freePort()
    const config = join(dir, 'voicemaild.yaml')
    // Port 1: no FreeSWITCH; the daemon logs that it cannot connect and keeps trying, as in a first quick start.
    // No voicemail page: main.test.ts's embedded-defaults daemon may hold 8085 at the same time.
    await writeFile(
      config,
      `stateDir: ${join(dir, 'state')}\nlisten: { port: ${port} }\nhttp: { enabled: false }\nfreeswitch: [{ host: 127.0.0.1, port: 1, password: ClueCon }]\n`,
    )
    // A clean environment: when the suite itself runs under `npm test`, npm_* variables would leak npm's settings in.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)))
    const npm = spawn('npm', ['start', '--', '--config', config], { cwd: repoRoot, env, stdio: 'pipe' })
    const npmPid = npm.pid as number
    let stdout = ''
    let stderr = ''
    npm.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)))
    let below: number[] = []
    t.teardown(() => {
      for (const pid of [npmPid, ...below]) if (alive(pid)) process.kill(pid, 'SIGKILL')
    })

    const listening = await until(
      () => stdout.includes('"listening for FreeSWITCH"') || npm.exitCode !== null,
      200_000,
    )
    t.ok(listening && npm.exitCode === null, `the daemon started (stderr: ${stderr.slice(-500)})`)
    below = descendants(npmPid)
    t.ok(below.length > 0, 'npm runs the daemon as its child')
    t.ok(await accepts(port), `the daemon takes connections on ${port}`)

    npm.kill('SIGTERM')
    t.equal(await exited, 0, 'npm exits 0 once the daemon has stopped')
    t.ok(await until(() => below.every((pid) => !alive(pid)), 10_000), 'no process of npm start is left')
    t.notOk(await accepts(port), 'nothing listens on the port any more')
    t.match(stdout, /"msg":"stopped"/, 'the daemon logged its own clean stop')

    const lines = stdout.split('\n').filter((line) => line !== '')
    const notJson = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object'
      } catch {
        return true
      }
    })
    t.same(notJson, [], 'every stdout line is a JSON object (npm and tsc banners go to stderr)')
    t.match(stderr, /> voicemaild@[^ ]+ start/, 'the npm banner is on stderr')
  },
)
