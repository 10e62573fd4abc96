import { spawnSync } from 'node:child_process'
import { createServer, type Socket } from 'node:net'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { sendControlRequest } from '../../lib/control/client.js'
import { ControlChannelError, ControlRequestError, DaemonNotRunningError } from '../../lib/control/errors.js'
import { controlSocketPath } from '../../lib/control/protocol.js'
import { ControlServer, ControlSocketInUseError, type ControlHandlers } from '../../lib/control/server.js'
import { silentLogger } from '../../lib/log.js'

async function stateDir(t: Test, deep = false): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voicemaild-control-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  if (!deep) return dir
  // Deeper than a Unix socket path may be (107 bytes): reached through the directory's descriptor.
  const { mkdir } = await import('node:fs/promises')
  const long = join(dir, 'a'.repeat(60), 'b'.repeat(60))
  await mkdir(long, { recursive: true })
  return long
}

function handlers(calls: string[] = []): ControlHandlers {
  return {
    'lamps.refresh': ({ boxes, reason }) => {
      calls.push(`refresh ${boxes.map((b) => b.id).join(',')} ${reason}`)
      return Promise.resolve({ boxes: boxes.length })
    },
    'lamps.announce': ({ reason }) => {
      calls.push(`announce ${reason}`)
      return Promise.resolve({ boxes: 2, events: 3, nodes: ['n1'] })
    },
    'job.run': ({ name }) => {
      calls.push(`job ${name}`)
      if (name === 'cleanup')
        return Promise.reject(new ControlRequestError('job-failed', 'job cleanup failed: disk'))
      if (name === 'outbox') return Promise.reject(new Error('boom'))
      return Promise.resolve({ summary: { adopted: 1 } })
    },
    'mail.send': () => {
      calls.push('mail')
      return Promise.resolve({})
    },
  }
}

async function started(t: Test, dir: string, calls?: string[]): Promise<ControlServer> {
  const server = new ControlServer(controlSocketPath(dir), handlers(calls), silentLogger())
  await server.start()
  t.teardown(() => server.stop())
  return server
}

void t.test('a request is served and answered; the socket is owner-only and removed at stop', async (t) => {
  const dir = await stateDir(t)
  const calls: string[] = []
  const server = await started(t, dir, calls)
  const path = controlSocketPath(dir)
  t.equal((await stat(path)).mode & 0o777, 0o600, 'mode 0600')
  t.same(await sendControlRequest(path, { op: 'job.run', name: 'reconcile' }, 5000), {
    summary: { adopted: 1 },
  })
  t.same(await sendControlRequest(path, { op: 'lamps.announce', reason: 'RESYNC' }, 5000), {
    boxes: 2,
    events: 3,
    nodes: ['n1'],
  })
  t.same(calls, ['job reconcile', 'announce RESYNC'])
  await server.stop()
  await t.rejects(stat(path), { code: 'ENOENT' }, 'removed at stop')
  await t.rejects(sendControlRequest(path, { op: 'mail.send' }, 5000), DaemonNotRunningError)
})

void t.test('a failed request comes back as a typed error with the daemon’s code', async (t) => {
  const dir = await stateDir(t)
  await started(t, dir)
  const path = controlSocketPath(dir)
  await t.rejects(sendControlRequest(path, { op: 'job.run', name: 'cleanup' }, 5000), {
    constructor: ControlRequestError,
    code: 'job-failed',
    message: 'job cleanup failed: disk',
  })
  await t.rejects(sendControlRequest(path, { op: 'job.run', name: 'outbox' }, 5000), {
    constructor: ControlRequestError,
    code: 'failed',
    message: 'boom',
  })
  // What the daemon refuses to read: not JSON, an unknown request, a job that does not exist.
  for (const line of [
    'hello',
    '{"op":"reboot"}',
    '{"op":"job.run","name":"fsck"}',
    '{"op":"lamps.refresh"}',
  ]) {
    const reply = await rawRequest(path, line)
    t.match(JSON.parse(reply), { ok: false, error: { code: 'bad-request' } }, line)
  }
})

void t.test('a stale socket is replaced at start; a live one stops a second daemon', async (t) => {
  const dir = await stateDir(t)
  const path = controlSocketPath(dir)
  // What a killed daemon leaves: a socket file nobody listens on (a process that bound it and was SIGKILLed).
  const killed = spawnSync(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ])
  t.equal(killed.signal, 'SIGKILL')
  t.ok((await stat(path)).isSocket(), 'the socket file is left behind')
  const stale = await sendControlRequest(path, { op: 'mail.send' }, 5000).catch((err: unknown) => err)
  t.match(stale, { stale: true }, 'a stale socket')
  t.type(stale, DaemonNotRunningError)
  const calls: string[] = []
  await started(t, dir, calls)
  await sendControlRequest(path, { op: 'mail.send' }, 5000)
  t.same(calls, ['mail'], 'the new daemon answers')
  const second = new ControlServer(path, handlers(), silentLogger())
  await t.rejects(second.start(), ControlSocketInUseError)
})

void t.test('a state directory deeper than a socket path may be works', async (t) => {
  const dir = await stateDir(t, true)
  t.ok(controlSocketPath(dir).length > 108, 'the path is too long for bind() as it is')
  await started(t, dir)
  t.same(await sendControlRequest(controlSocketPath(dir), { op: 'mail.send' }, 5000), {})
})

void t.test('no answer in time is a channel error, not "not running"', async (t) => {
  const dir = await stateDir(t)
  const path = controlSocketPath(dir)
  const held = new Set<Socket>()
  const mute = createServer((socket) => {
    held.add(socket)
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => mute.listen(path, resolve))
  t.teardown(() => {
    for (const socket of held) socket.destroy()
    mute.close()
  })
  await t.rejects(sendControlRequest(path, { op: 'mail.send' }, 200), {
    constructor: ControlChannelError,
    message: /did not answer mail\.send within 0\.2 s/,
  })
})

function rawRequest(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    import('node:net')
      .then(({ createConnection }) => {
        const socket = createConnection(path, () => socket.write(`${line}\n`))
        let reply = ''
        socket.setEncoding('utf8')
        socket.on('data', (chunk: string) => (reply += chunk))
        socket.on('end', () => resolve(reply.trim()))
        socket.on('error', reject)
      })
      .catch(reject)
  })
}
